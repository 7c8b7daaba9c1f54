UNWIND $rows AS r
MERGE (s:Source {id: r.id})
ON CREATE SET s.namespace = r.namespace, s.uri = r.uri, s.kind = r.kind, s.title = r.title, s.time = r.time,
              s.content_hash = r.content_hash, s.ingested_at = r.ingested_at
