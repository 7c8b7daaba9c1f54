MATCH (n:Utterance) WHERE n.namespace = $namespace
RETURN n.id AS id, array_cosine_similarity(n.embedding, CAST($vector AS FLOAT[{{embedding_dim}}])) AS score
ORDER BY score DESC LIMIT $k
