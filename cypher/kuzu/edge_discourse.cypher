MATCH (a:Fact {id: $a}), (b:Fact {id: $b})
CREATE (a)-[:DISCOURSE {relation: $relation, connective: $connective, confidence: $confidence}]->(b)
