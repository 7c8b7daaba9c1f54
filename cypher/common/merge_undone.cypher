MATCH (m:EntityMerge {id: $id}) WHERE m.namespace = $namespace SET m.undone = $at
