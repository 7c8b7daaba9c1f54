// The fact embeddings of a namespace whose ids are $lo or after: the last part of a side
// index's read of a large namespace (embeddings_fact_part.cypher).
MATCH (n:Fact) WHERE n.namespace = $namespace AND n.embedding IS NOT NULL AND n.id >= $lo
RETURN n.id AS id, n.embedding AS embedding
