UNWIND $rows AS r
MATCH (a:Utterance {id: r.a})
MATCH (b:Utterance {id: r.b})
CREATE (a)-[:TURN_DISCOURSE {relation: r.relation, connective: r.connective, confidence: r.confidence}]->(b)
