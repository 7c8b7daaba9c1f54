// Every stored utterance embedding of a namespace: what the vector side index is rebuilt from.
MATCH (n:Utterance) WHERE n.namespace = $namespace AND n.embedding IS NOT NULL
RETURN n.id AS id, n.embedding AS embedding
