CALL QUERY_FTS_INDEX('Entity', 'entity_name', $text) WHERE node.namespace = $namespace
RETURN node.id AS id, score ORDER BY score DESC LIMIT $k
