MERGE (s:Source {id: $id})
ON CREATE SET s.namespace = $namespace, s.uri = $uri, s.kind = $kind, s.title = $title, s.time = $time,
              s.content_hash = $content_hash, s.ingested_at = $ingested_at
