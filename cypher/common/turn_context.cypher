// The last turns of a dialogue before a new one, with the facts anchored in them: what
// discourse needs to relate "Because I got a job." to the turn before it after a restart.
MATCH (u:Utterance)
WHERE u.source_id = $source_id AND u.namespace = $namespace AND u.position >= $from_position
OPTIONAL MATCH (f:Fact)-[a:ANCHORED_IN]->(u)
WHERE f.namespace = $namespace AND f.retracted IS NULL
RETURN u.id AS id, u.text AS text, u.speaker AS speaker, u.session AS session, u.time AS time,
       u.position AS position, u.external_id AS external_id, u.act AS act,
       f.id AS fact_id, f.subject AS subject, f.predicate AS predicate, f.relation AS relation,
       f.object AS object, f.text AS fact_text, f.polarity AS polarity, f.mood AS mood,
       f.confidence AS confidence, f.utterance_id AS fact_utterance,
       f.subject_start AS subject_start, f.subject_end AS subject_end,
       f.relation_start AS relation_start, f.relation_end AS relation_end,
       f.object_start AS object_start, f.object_end AS object_end
ORDER BY position, fact_id
