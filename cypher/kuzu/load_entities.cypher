// A document's entities in one statement, their rows handed over as an Arrow table ($rows), one
// row an id (KuzuStore._write_entities): a MERGE a row was ≈ 0.45 ms an entity; this, ≈ 2 ms for
// 40. A new entity gets the aliases of every document of the transaction; an entity stored before
// got them first thing in the transaction (entity_aliases.cypher), so no write here changes them.
LOAD FROM $rows
MERGE (e:Entity {id: id})
ON CREATE SET e.namespace = namespace, e.name = name, e.type = type, e.aliases = aliases,
              e.first_seen = first_seen, e.last_seen = last_seen
ON MATCH SET e.last_seen = last_seen
