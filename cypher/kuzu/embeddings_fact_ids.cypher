// The ids of a namespace's stored fact embeddings: where a side index's build cuts its reads.
MATCH (n:Fact) WHERE n.namespace = $namespace AND n.embedding IS NOT NULL
RETURN n.id AS id
