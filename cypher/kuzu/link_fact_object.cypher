// link_fact for a fact with an object entity: also its OBJECT edge and the RELATED edge between its
// subject and object, still one statement.
MATCH (f:Fact {id: $id}), (s:Entity {id: $subject_id}), (u:Utterance {id: $anchor_utterance}),
      (o:Entity {id: $object_id})
CREATE (f)-[:SUBJECT]->(s), (f)-[:ANCHORED_IN {char_start: $char_start, char_end: $char_end}]->(u),
       (f)-[:OBJECT]->(o), (s)-[:RELATED {predicate: $predicate, fact_id: $id, namespace: $namespace}]->(o)
RETURN f.id AS id
