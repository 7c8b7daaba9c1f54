UNWIND $rows AS r
MATCH (a:Utterance {id: r.a})
MATCH (b:Source {id: r.b})
CREATE (a)-[:PART_OF]->(b)
