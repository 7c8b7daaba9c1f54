MERGE (e:Entity {id: $id})
ON CREATE SET e.namespace = $namespace, e.name = $name, e.type = $type, e.aliases = $aliases,
              e.first_seen = $seen, e.last_seen = $seen
ON MATCH SET e.aliases = list_distinct(list_concat(e.aliases, $aliases)), e.last_seen = $seen
