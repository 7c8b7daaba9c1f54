// Exact cosine over the stored embeddings (no ANN index: see PERF-NOTES.md on Kùzu's).
MATCH (n:Fact) WHERE n.namespace = $namespace
RETURN n.id AS id, array_cosine_similarity(n.embedding, CAST($vector AS FLOAT[{{embedding_dim}}])) AS score
ORDER BY score DESC LIMIT $k
