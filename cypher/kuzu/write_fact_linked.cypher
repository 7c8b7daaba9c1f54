// A new fact with its SUBJECT edge and its first ANCHORED_IN edge, in one statement: Kùzu's cost
// is per statement, and three made half of a document's write. Returns the fact when its subject
// and utterance were found (the store falls back to write_fact and single edges when not).
MATCH (s:Entity {id: $subject_id}), (u:Utterance {id: $anchor_utterance})
CREATE (f:Fact {id: $id, namespace: $namespace, subject: $subject, predicate: $predicate, relation: $relation,
                object: $object, text: $text, polarity: $polarity, modality: $modality, tense: $tense,
                mood: $mood, attribution: $attribution, confidence: $confidence, valid_from: $valid_from,
                utterance_id: $utterance_id, subject_start: $subject_start, subject_end: $subject_end,
                relation_start: $relation_start, relation_end: $relation_end,
                object_start: $object_start, object_end: $object_end,
                event_start: $event_start, event_end: $event_end, event_text: $event_text,
                evidence: $evidence, last_mentioned: $last_mentioned,
                embedding: CAST($embedding AS FLOAT[{{embedding_dim}}])})-[:SUBJECT]->(s),
       (f)-[:ANCHORED_IN {char_start: $char_start, char_end: $char_end}]->(u)
RETURN f.id AS id
