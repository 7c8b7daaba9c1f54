// A fact superseded only by facts just retracted holds again: what replaced it was forgotten.
MATCH (n:Fact)-[:SUPERSEDES]->(o:Fact)
WHERE n.namespace = $namespace AND o.namespace = $namespace AND n.retracted = $stamp AND o.superseded IS NOT NULL
  AND NOT EXISTS { MATCH (m:Fact)-[:SUPERSEDES]->(o) WHERE m.retracted IS NULL }
WITH DISTINCT o
SET o.superseded = NULL
RETURN o.id AS id, o.text AS fact
ORDER BY id
