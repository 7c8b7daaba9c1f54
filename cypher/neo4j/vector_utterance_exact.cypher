MATCH (n:Utterance) WHERE n.namespace = $namespace AND n.embedding IS NOT NULL
WITH n, vector.similarity.cosine(n.embedding, $vector) AS score
RETURN n.id AS id, score ORDER BY score DESC LIMIT $k
