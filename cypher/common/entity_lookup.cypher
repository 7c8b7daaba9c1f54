MATCH (e:Entity) WHERE e.namespace = $namespace AND (e.id = $ref OR e.name = $ref OR $ref IN e.aliases)
RETURN e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases ORDER BY id
