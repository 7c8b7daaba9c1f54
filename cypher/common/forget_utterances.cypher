// The forgotten turns themselves leave recall (their text stays stored, stamped with when).
MATCH (u:Utterance)-[:PART_OF]->(s:Source)
WHERE u.namespace = $namespace AND s.namespace = $namespace AND u.retracted IS NULL
  AND (u.id IN $utterances OR u.external_id IN $utterances OR u.session IN $sessions
       OR s.id IN $sources OR s.uri IN $sources)
SET u.retracted = $stamp
RETURN count(u) AS utterances
