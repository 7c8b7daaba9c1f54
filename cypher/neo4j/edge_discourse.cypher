UNWIND $rows AS r
MATCH (a:Fact {id: r.a})
MATCH (b:Fact {id: r.b})
CREATE (a)-[:DISCOURSE {relation: r.relation, connective: r.connective, confidence: r.confidence}]->(b)
