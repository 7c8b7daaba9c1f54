// The utterance embeddings of a namespace whose ids lie in [$lo, $hi): a side index's build reads a
// large namespace a part at a time (Kùzu holds a whole result in memory).
MATCH (n:Utterance) WHERE n.namespace = $namespace AND n.embedding IS NOT NULL AND n.id >= $lo AND n.id < $hi
RETURN n.id AS id, n.embedding AS embedding
