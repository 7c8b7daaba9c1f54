MERGE (u:Utterance {id: $id})
ON CREATE SET u.namespace = $namespace, u.source_id = $source_id, u.text = $text, u.speaker = $speaker,
              u.session = $session, u.time = $time, u.position = $position, u.external_id = $external_id, u.act = $act,
              u.embedding = CAST($embedding AS FLOAT[{{embedding_dim}}])
