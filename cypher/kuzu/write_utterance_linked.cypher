// A new utterance with its PART_OF edge, in one statement; the store adds one Entity pattern and
// one MENTIONED_IN edge per mention of the turn (KuzuStore._write_utterances), numbered, never
// from user text. Returns the utterance when its source and entities were found.
MATCH (s:Source {id: $source_id})
CREATE (u:Utterance {id: $id, namespace: $namespace, source_id: $source_id, text: $text, speaker: $speaker,
                     session: $session, time: $time, position: $position, external_id: $external_id, act: $act,
                     embedding: CAST($embedding AS FLOAT[{{embedding_dim}}])})-[:PART_OF]->(s)
RETURN u.id AS id
