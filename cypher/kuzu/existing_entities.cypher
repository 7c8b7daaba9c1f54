// The stored entities among $ids, with their aliases: read before a transaction writes
// (KuzuStore._tx), to know which entities it makes and which stored ones gain aliases.
UNWIND $ids AS id
MATCH (e:Entity) WHERE e.id = id
RETURN e.id AS id, e.aliases AS aliases
