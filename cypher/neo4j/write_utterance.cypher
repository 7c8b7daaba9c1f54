UNWIND $rows AS r
MERGE (u:Utterance {id: r.id})
ON CREATE SET u.namespace = r.namespace, u.embedding = r.embedding, u.source_id = r.source_id, u.text = r.text, u.speaker = r.speaker,
              u.session = r.session, u.time = r.time, u.position = r.position, u.external_id = r.external_id, u.act = r.act
