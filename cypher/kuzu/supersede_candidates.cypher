// The facts about one of the batch's subjects ($entity) that its facts may supersede
// (_rows.supersessions decides per subject and predicate), read inside the document's
// transaction: one read a subject, found by key. Kùzu 0.11.3 gets the facts wrong inside a write
// transaction when the subject is found otherwise: `e.id IN $entities` answered with another
// entity's facts, and a join of `UNWIND $entities` with the table missed a fact made in the same
// transaction (a supersession the other store made; tests/test_kuzu_threads.py).
MATCH (e:Entity {id: $entity})<-[:SUBJECT]-(o:Fact)
WHERE o.namespace = $namespace AND o.superseded IS NULL AND o.retracted IS NULL
  AND o.mood = 'asserted' AND o.predicate IN $predicates
RETURN o.id AS id, o.predicate AS predicate, o.object AS object, o.polarity AS polarity,
       o.valid_from AS valid_from
