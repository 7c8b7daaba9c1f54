MATCH (a:Fact {id: $a}), (b:Utterance {id: $b})
CREATE (a)-[:ANCHORED_IN {char_start: $char_start, char_end: $char_end}]->(b)
