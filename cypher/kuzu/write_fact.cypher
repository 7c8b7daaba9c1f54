MERGE (f:Fact {id: $id})
ON CREATE SET f.namespace = $namespace, f.subject = $subject, f.predicate = $predicate, f.relation = $relation,
              f.object = $object, f.text = $text, f.polarity = $polarity, f.modality = $modality, f.tense = $tense,
              f.mood = $mood, f.attribution = $attribution,
              f.confidence = $confidence, f.valid_from = $valid_from, f.utterance_id = $utterance_id,
              f.subject_start = $subject_start, f.subject_end = $subject_end,
              f.relation_start = $relation_start, f.relation_end = $relation_end,
              f.object_start = $object_start, f.object_end = $object_end,
              f.event_start = $event_start, f.event_end = $event_end, f.event_text = $event_text,
              f.evidence = $evidence, f.last_mentioned = $last_mentioned,
              f.embedding = CAST($embedding AS FLOAT[{{embedding_dim}}])
