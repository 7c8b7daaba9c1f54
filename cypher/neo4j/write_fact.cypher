UNWIND $rows AS r
MERGE (f:Fact {id: r.id})
ON CREATE SET f.namespace = r.namespace, f.embedding = r.embedding, f.subject = r.subject, f.predicate = r.predicate, f.relation = r.relation,
              f.object = r.object, f.text = r.text, f.polarity = r.polarity, f.modality = r.modality, f.tense = r.tense,
              f.mood = r.mood, f.attribution = r.attribution,
              f.confidence = r.confidence, f.valid_from = r.valid_from, f.utterance_id = r.utterance_id,
              f.subject_start = r.subject_start, f.subject_end = r.subject_end,
              f.relation_start = r.relation_start, f.relation_end = r.relation_end,
              f.object_start = r.object_start, f.object_end = r.object_end,
              f.event_start = r.event_start, f.event_end = r.event_end, f.event_text = r.event_text,
              f.evidence = r.evidence, f.last_mentioned = r.last_mentioned
