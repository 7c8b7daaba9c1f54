// The ANN index is searched with headroom, then filtered to the namespace; the store
// falls back to vector_fact_exact when the filter leaves fewer than $k.
CALL db.index.vector.queryNodes('fact_embedding', $fetch, $vector) YIELD node, score
WHERE node.namespace = $namespace
RETURN node.id AS id, score ORDER BY score DESC LIMIT $k
