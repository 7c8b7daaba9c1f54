UNWIND $rows AS r
MATCH (a:Entity {id: r.a})
MATCH (b:Entity {id: r.b})
CREATE (a)-[:RELATED {predicate: r.predicate, fact_id: r.fact_id, namespace: r.namespace}]->(b)
