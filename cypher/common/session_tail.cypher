MATCH (u:Utterance) WHERE u.source_id = $source_id
RETURN u.id AS id, u.position AS position ORDER BY position DESC LIMIT 1
