MATCH (f:Fact)-[r:OBJECT]->(a:Entity {id: $from}), (b:Entity {id: $to}) WHERE f.id IN $facts
CREATE (f)-[:OBJECT]->(b)
DELETE r
