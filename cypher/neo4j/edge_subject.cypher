UNWIND $rows AS r
MATCH (a:Fact {id: r.a})
MATCH (b:Entity {id: r.b})
CREATE (a)-[:SUBJECT]->(b)
