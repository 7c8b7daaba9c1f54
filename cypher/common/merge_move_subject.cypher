MATCH (f:Fact)-[r:SUBJECT]->(a:Entity {id: $from}), (b:Entity {id: $to}) WHERE f.id IN $facts
CREATE (f)-[:SUBJECT]->(b)
DELETE r
