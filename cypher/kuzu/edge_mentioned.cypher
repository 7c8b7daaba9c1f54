MATCH (a:Entity {id: $a}), (b:Utterance {id: $b})
CREATE (a)-[:MENTIONED_IN {char_start: $char_start, char_end: $char_end, text: $text}]->(b)
