CALL db.index.fulltext.queryNodes('entity_name', $text) YIELD node, score
WHERE node.namespace = $namespace
RETURN node.id AS id, score ORDER BY score DESC LIMIT $k
