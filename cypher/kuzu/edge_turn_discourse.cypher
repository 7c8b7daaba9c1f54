MATCH (a:Utterance {id: $a}), (b:Utterance {id: $b})
CREATE (a)-[:TURN_DISCOURSE {relation: $relation, connective: $connective, confidence: $confidence}]->(b)
