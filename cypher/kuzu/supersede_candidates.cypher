// The facts about the batch's subjects that its facts may supersede (_rows.supersessions decides
// per subject and predicate). One read for all subjects: Kùzu masks the Fact scan to their facts
// (25 subjects at 100k facts: 40 ms, against 550 ms a subject at a time).
MATCH (e:Entity)<-[:SUBJECT]-(o:Fact)
WHERE e.id IN $entities AND o.namespace = $namespace AND o.superseded IS NULL AND o.retracted IS NULL
  AND o.mood = 'asserted' AND o.predicate IN $predicates
RETURN e.id AS entity, o.id AS id, o.predicate AS predicate, o.object AS object, o.polarity AS polarity,
       o.valid_from AS valid_from
