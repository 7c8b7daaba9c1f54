// The SUBJECT edge and first ANCHORED_IN edge of a fact load_facts wrote, in one statement. Returns
// the fact when all three ends were found (the store falls back to single edges when not).
MATCH (f:Fact {id: $id}), (s:Entity {id: $subject_id}), (u:Utterance {id: $anchor_utterance})
CREATE (f)-[:SUBJECT]->(s), (f)-[:ANCHORED_IN {char_start: $char_start, char_end: $char_end}]->(u)
RETURN f.id AS id
