// Forget utterances (by id or external id), sessions or sources (by id or uri): their anchors stop
// counting as evidence. Nothing is deleted; the anchor records when it was forgotten.
MATCH (f:Fact)-[a:ANCHORED_IN]->(u:Utterance)-[:PART_OF]->(s:Source)
WHERE f.namespace = $namespace AND u.namespace = $namespace AND s.namespace = $namespace AND a.retracted IS NULL
  AND (u.id IN $utterances OR u.external_id IN $utterances OR u.session IN $sessions
       OR s.id IN $sources OR s.uri IN $sources)
SET a.retracted = $stamp
RETURN count(a) AS anchors
