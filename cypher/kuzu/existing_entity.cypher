// existing_entities.cypher for one id, by key: in a table of more than KEY_LOOKUPS_ABOVE entities
// a lookup an id is cheaper than joining $ids with the whole table (kuzu.py).
MATCH (e:Entity {id: $id})
RETURN e.id AS id, e.aliases AS aliases
