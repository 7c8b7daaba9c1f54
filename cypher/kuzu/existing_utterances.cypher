// Which of $ids are stored turns: a key lookup per id (see existing_facts.cypher).
UNWIND $ids AS id
MATCH (u:Utterance) WHERE u.id = id
RETURN u.id AS id
