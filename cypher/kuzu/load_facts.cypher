// A document's new facts in one statement (see load_utterances.cypher); their edges follow, one
// statement a fact (link_fact, link_fact_object), as write_fact_linked makes them for a few.
LOAD FROM $rows
CREATE (:Fact {id: id, namespace: namespace, subject: subject, predicate: predicate, relation: relation,
               object: object, text: text, polarity: polarity, modality: modality, tense: tense,
               mood: mood, attribution: attribution, confidence: confidence, valid_from: valid_from,
               utterance_id: utterance_id, subject_start: subject_start, subject_end: subject_end,
               relation_start: relation_start, relation_end: relation_end,
               object_start: object_start, object_end: object_end,
               event_start: event_start, event_end: event_end, event_text: event_text,
               evidence: evidence, last_mentioned: last_mentioned, embedding: embedding})
