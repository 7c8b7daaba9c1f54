MATCH (a:Entity {id: $a}), (b:Entity {id: $b})
CREATE (a)-[:RELATED {predicate: $predicate, fact_id: $fact_id, namespace: $namespace}]->(b)
