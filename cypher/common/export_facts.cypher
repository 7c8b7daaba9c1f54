MATCH (f:Fact)-[:SUBJECT]->(s:Entity), (f)-[a:ANCHORED_IN]->(u:Utterance)
WHERE f.namespace = $namespace AND s.namespace = $namespace AND u.namespace = $namespace AND f.retracted IS NULL
  AND a.retracted IS NULL
OPTIONAL MATCH (f)-[:OBJECT]->(o:Entity)
RETURN f.id AS id, s.id AS subject_id, f.predicate AS predicate, f.relation AS relation, f.object AS object,
       o.id AS object_id, f.text AS text, f.polarity AS polarity, f.modality AS modality, f.tense AS tense,
       f.mood AS mood, f.attribution AS attribution, f.confidence AS confidence, f.superseded AS superseded,
       u.id AS utterance_id, a.char_start AS char_start, a.char_end AS char_end,
       f.event_start AS event_start, f.event_end AS event_end, f.event_text AS event_text
ORDER BY id, utterance_id, char_start
