// What a merge moves: the facts an entity is subject or object of, and where it is mentioned.
MATCH (e:Entity {id: $id}) WHERE e.namespace = $namespace
OPTIONAL MATCH (s:Fact)-[:SUBJECT]->(e)
WITH e, collect(DISTINCT s.id) AS subject_facts
OPTIONAL MATCH (o:Fact)-[:OBJECT]->(e)
WITH e, subject_facts, collect(DISTINCT o.id) AS object_facts
OPTIONAL MATCH (e)-[m:MENTIONED_IN]->(u:Utterance)
RETURN subject_facts, object_facts, collect(u.id) AS utterances, collect(m.char_start) AS char_starts,
       collect(m.char_end) AS char_ends
