// The newer fact $id supersedes older facts about its subject that it replaces (see _rows.evidence_rows).
// Nothing is deleted: the older fact gets `superseded` (when) and a SUPERSEDES edge from the newer.
MATCH (n:Fact {id: $id})-[:SUBJECT]->(e:Entity)<-[:SUBJECT]-(o:Fact)
WHERE o.namespace = $namespace AND o.id <> $id AND NOT o.id IN $later AND o.superseded IS NULL
  AND o.retracted IS NULL AND o.mood = 'asserted' AND coalesce(o.valid_from, '') <= coalesce($time, '~')
  AND (($mode = 'negation' AND o.predicate = n.predicate AND lower(o.object) = lower(n.object)
        AND o.polarity <> n.polarity)
    OR ($mode = 'slot' AND o.predicate IN $predicates AND o.polarity AND lower(o.object) <> lower(n.object))
    OR ($mode = 'change' AND o.predicate = n.predicate AND o.polarity AND lower(o.object) <> lower(n.object))
    OR ($mode = 'end' AND o.predicate IN $predicates AND o.polarity AND ($object = '' OR lower(o.object) = $object)))
CREATE (n)-[:SUPERSEDES]->(o)
SET o.superseded = $stamp
