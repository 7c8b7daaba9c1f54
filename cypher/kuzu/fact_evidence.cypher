// A fact's evidence: its anchors not forgotten, and when the latest of them was said.
MATCH (f:Fact {id: $id})
OPTIONAL MATCH (f)-[a:ANCHORED_IN]->(u:Utterance)
WHERE a.retracted IS NULL
WITH f, count(a) AS n, max(u.time) AS last
SET f.evidence = n, f.last_mentioned = last
