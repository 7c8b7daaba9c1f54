MATCH (u:Utterance) WHERE u.id IN $ids RETURN u.id AS id
