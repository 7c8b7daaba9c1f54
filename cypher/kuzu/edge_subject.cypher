MATCH (a:Fact {id: $a}), (b:Entity {id: $b}) CREATE (a)-[:SUBJECT]->(b)
