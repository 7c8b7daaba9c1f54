// write_fact_linked for a fact with an object entity: also its OBJECT edge and the RELATED edge
// between its subject and object, still one statement.
MATCH (s:Entity {id: $subject_id}), (u:Utterance {id: $anchor_utterance}), (o:Entity {id: $object_id})
CREATE (f:Fact {id: $id, namespace: $namespace, subject: $subject, predicate: $predicate, relation: $relation,
                object: $object, text: $text, polarity: $polarity, modality: $modality, tense: $tense,
                mood: $mood, attribution: $attribution, confidence: $confidence, valid_from: $valid_from,
                utterance_id: $utterance_id, subject_start: $subject_start, subject_end: $subject_end,
                relation_start: $relation_start, relation_end: $relation_end,
                object_start: $object_start, object_end: $object_end,
                event_start: $event_start, event_end: $event_end, event_text: $event_text,
                evidence: $evidence, last_mentioned: $last_mentioned,
                embedding: CAST($embedding AS FLOAT[{{embedding_dim}}])})-[:SUBJECT]->(s),
       (f)-[:ANCHORED_IN {char_start: $char_start, char_end: $char_end}]->(u),
       (f)-[:OBJECT]->(o),
       (s)-[:RELATED {predicate: $predicate, fact_id: $id, namespace: $namespace}]->(o)
RETURN f.id AS id
