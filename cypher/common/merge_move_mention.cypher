MATCH (a:Entity {id: $from})-[r:MENTIONED_IN]->(u:Utterance {id: $utterance}), (b:Entity {id: $to})
WHERE r.char_start = $char_start AND r.char_end = $char_end
CREATE (b)-[:MENTIONED_IN {char_start: r.char_start, char_end: r.char_end, text: r.text}]->(u)
DELETE r
