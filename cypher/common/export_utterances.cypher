MATCH (u:Utterance)-[:PART_OF]->(s:Source)
WHERE u.namespace = $namespace AND s.namespace = $namespace
RETURN u.id AS id, u.text AS text, u.speaker AS speaker, u.session AS session, u.time AS time,
       u.position AS position, u.external_id AS external_id, s.id AS source_id, s.uri AS source_uri,
       s.title AS source_title, s.kind AS source_kind
ORDER BY id
