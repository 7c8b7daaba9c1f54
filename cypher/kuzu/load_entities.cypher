// A document's entities in one statement, their rows handed over as an Arrow table ($rows):
// write_entity's MERGE, a row at a time, was ≈ 0.45 ms an entity (982 of 2,383 facts' worth of
// statements for 600 LoCoMo turns); this, ≈ 2 ms for 40. Each id once per table (kuzu.py,
// _load_entities); write_entity stays for a few rows.
LOAD FROM $rows
MERGE (e:Entity {id: id})
ON CREATE SET e.namespace = namespace, e.name = name, e.type = type, e.aliases = aliases,
              e.first_seen = seen, e.last_seen = seen
ON MATCH SET e.aliases = list_distinct(list_concat(e.aliases, aliases)), e.last_seen = seen
