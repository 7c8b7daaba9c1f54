OPTIONAL MATCH (s:Source) WHERE s.namespace = $namespace
WITH count(s) AS sources
OPTIONAL MATCH (u:Utterance) WHERE u.namespace = $namespace
WITH sources, count(u) AS utterances
OPTIONAL MATCH (e:Entity) WHERE e.namespace = $namespace
WITH sources, utterances, count(e) AS entities
OPTIONAL MATCH (f:Fact) WHERE f.namespace = $namespace
RETURN sources, utterances, entities, count(f) AS facts
