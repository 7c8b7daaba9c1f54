// The names and aliases of the namespace's named entities: the alias index new documents resolve against.
MATCH (e:Entity) WHERE e.namespace = $namespace AND e.type IN $types
RETURN e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases
