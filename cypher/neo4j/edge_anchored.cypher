UNWIND $rows AS r
MATCH (a:Fact {id: r.a})
MATCH (b:Utterance {id: r.b})
CREATE (a)-[:ANCHORED_IN {char_start: r.char_start, char_end: r.char_end}]->(b)
