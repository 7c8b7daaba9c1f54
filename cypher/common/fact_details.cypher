// A fact's details, one row per live anchor, in the order said: the caller keeps the last row
// (ties of time, as in one session, broken by position then id, so every store agrees).
MATCH (f:Fact)-[a:ANCHORED_IN]->(u:Utterance)-[:PART_OF]->(s:Source)
WHERE f.id IN $ids AND f.namespace = $namespace AND u.namespace = $namespace AND s.namespace = $namespace
  AND a.retracted IS NULL
RETURN f.id AS id, f.subject AS subject, f.predicate AS predicate, f.relation AS relation, f.object AS object,
       f.text AS text, f.polarity AS polarity, f.modality AS modality, f.tense AS tense, f.mood AS mood, f.attribution AS attribution, f.confidence AS confidence,
       f.subject_start AS subject_start, f.subject_end AS subject_end, f.relation_start AS relation_start,
       f.relation_end AS relation_end, f.object_start AS object_start, f.object_end AS object_end,
       u.id AS utterance_id, u.text AS utterance, u.speaker AS speaker, u.session AS session, u.time AS time,
       u.external_id AS external_id, a.char_start AS char_start, a.char_end AS char_end, s.uri AS source,
       f.event_start AS event_start, f.event_end AS event_end, f.event_text AS event_text,
       f.evidence AS evidence, f.last_mentioned AS last_mentioned, f.superseded AS superseded,
       u.position AS position, u.source_id AS source_id, u.act AS act
ORDER BY time, position, utterance_id
