MATCH (s:Entity)<-[:SUBJECT]-(f:Fact)-[:OBJECT]->(o:Entity) WHERE f.id IN $facts
CREATE (s)-[:RELATED {predicate: f.predicate, fact_id: f.id, namespace: f.namespace}]->(o)
