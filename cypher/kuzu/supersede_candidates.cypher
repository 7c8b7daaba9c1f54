// The facts about the batch's subjects that its facts may supersede (_rows.supersessions decides
// per subject and predicate), read inside the document's transaction. One read for all
// subjects, each found by key: Kùzu 0.11.3 answers `e.id IN $entities` with another entity's
// facts when the subject was made in this transaction (tests/test_kuzu_threads.py).
UNWIND $entities AS entity
MATCH (e:Entity) WHERE e.id = entity
MATCH (e)<-[:SUBJECT]-(o:Fact)
WHERE o.namespace = $namespace AND o.superseded IS NULL AND o.retracted IS NULL
  AND o.mood = 'asserted' AND o.predicate IN $predicates
RETURN e.id AS entity, o.id AS id, o.predicate AS predicate, o.object AS object, o.polarity AS polarity,
       o.valid_from AS valid_from
