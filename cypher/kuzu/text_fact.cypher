CALL QUERY_FTS_INDEX('Fact', 'fact_text', $text) WHERE node.namespace = $namespace
RETURN node.id AS id, score ORDER BY score DESC LIMIT $k
