MATCH (e:Entity {id: $id}) WHERE e.namespace = $namespace SET e.aliases = $aliases
