MATCH (a:Utterance {id: $a}), (b:Utterance {id: $b}) CREATE (a)-[:NEXT]->(b)
