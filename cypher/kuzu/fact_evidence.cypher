// The live anchors of a fact ($id), found by key: when each was said. The store counts them and
// takes the latest (KuzuStore._recount), then sets both with fact_evidence_set. Kùzu 0.11.3 got
// this wrong inside a transaction that had made anchors: `OPTIONAL MATCH … WITH f, count(a),
// max(u.time)` gave another fact's latest time, and so did a join of `UNWIND $ids` with the Fact
// table (tests/test_kuzu_threads.py); a key lookup a fact reads the right rows.
MATCH (f:Fact {id: $id})-[a:ANCHORED_IN]->(u:Utterance)
WHERE a.retracted IS NULL
RETURN u.time AS time
