// The facts that lost evidence at $stamp: recounted; those left with none are retracted, with why.
MATCH (f:Fact)-[x:ANCHORED_IN]->(:Utterance)
WHERE f.namespace = $namespace AND x.retracted = $stamp
WITH DISTINCT f
OPTIONAL MATCH (f)-[a:ANCHORED_IN]->(u:Utterance)
WHERE a.retracted IS NULL
WITH f, count(a) AS n, max(u.time) AS last
SET f.evidence = n, f.last_mentioned = last,
    f.retracted = CASE WHEN n = 0 AND f.retracted IS NULL THEN $stamp ELSE f.retracted END,
    f.retracted_reason = CASE WHEN n = 0 AND f.retracted_reason IS NULL THEN $reason ELSE f.retracted_reason END
RETURN f.id AS id, f.text AS fact, n AS evidence, f.retracted AS retracted
ORDER BY id
