// A stored entity's aliases, as KuzuStore._add_aliases computed them (the stored ones, then those
// the documents of a transaction gave it), set in a transaction of their own after that one.
// Kùzu 0.11.3 scrambled the STRING[] column when a transaction changed stored entities' aliases
// and made others: at the COMMIT of a transaction with a COPY, or at a later checkpoint, entities
// ended with another entity's aliases (41 of 545 for 600 LoCoMo turns; tests/test_kuzu_threads.py).
MATCH (e:Entity {id: $id})
SET e.aliases = $aliases
