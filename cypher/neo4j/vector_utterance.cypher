CALL db.index.vector.queryNodes('utterance_embedding', $fetch, $vector) YIELD node, score
WHERE node.namespace = $namespace
RETURN node.id AS id, score ORDER BY score DESC LIMIT $k
