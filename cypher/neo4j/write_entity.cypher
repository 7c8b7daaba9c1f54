UNWIND $rows AS r
MERGE (e:Entity {id: r.id})
ON CREATE SET e.namespace = r.namespace, e.name = r.name, e.type = r.type, e.aliases = r.aliases,
              e.first_seen = r.seen, e.last_seen = r.seen
ON MATCH SET e.aliases = e.aliases + [a IN r.aliases WHERE NOT a IN e.aliases], e.last_seen = r.seen
