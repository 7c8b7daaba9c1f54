MATCH (e:Entity) WHERE e.namespace = $namespace
RETURN e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases ORDER BY id
