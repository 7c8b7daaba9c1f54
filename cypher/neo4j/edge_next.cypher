UNWIND $rows AS r
MATCH (a:Utterance {id: r.a})
MATCH (b:Utterance {id: r.b})
CREATE (a)-[:NEXT]->(b)
