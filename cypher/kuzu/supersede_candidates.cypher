// The facts about one subject that a fact of the batch may supersede (_rows.supersessions decides).
MATCH (e:Entity {id: $entity})<-[:SUBJECT]-(o:Fact)
WHERE o.namespace = $namespace AND o.superseded IS NULL AND o.retracted IS NULL AND o.mood = 'asserted'
  AND o.predicate IN $predicates
RETURN e.id AS entity, o.id AS id, o.predicate AS predicate, o.object AS object, o.polarity AS polarity,
       o.valid_from AS valid_from
