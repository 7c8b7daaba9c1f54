UNWIND $rows AS r
MATCH (a:Entity {id: r.a})
MATCH (b:Utterance {id: r.b})
CREATE (a)-[:MENTIONED_IN {char_start: r.char_start, char_end: r.char_end, text: r.text}]->(b)
