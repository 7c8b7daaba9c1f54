MATCH (u:Utterance)-[:PART_OF]->(s:Source)
WHERE u.id IN $ids AND u.namespace = $namespace AND s.namespace = $namespace
RETURN u.id AS utterance_id, u.text AS utterance, u.speaker AS speaker, u.session AS session, u.time AS time,
       u.external_id AS external_id, s.uri AS source, u.position AS position, u.source_id AS source_id, u.act AS act
