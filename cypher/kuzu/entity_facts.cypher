// Facts about the entities named in the cue, the ones closest in meaning to the cue first.
MATCH (f:Fact)-[:SUBJECT|OBJECT]->(e:Entity)
WHERE e.id IN $ids AND f.namespace = $namespace
WITH DISTINCT f
RETURN f.id AS id, array_cosine_similarity(f.embedding, CAST($vector AS FLOAT[{{embedding_dim}}])) AS score
ORDER BY score DESC, id LIMIT $k
