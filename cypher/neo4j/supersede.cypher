// The newer fact r.id supersedes older facts about its subject that it replaces (see _rows.evidence_rows).
// Nothing is deleted: the older fact gets `superseded` (when) and a SUPERSEDES edge from the newer.
UNWIND $rows AS r
MATCH (n:Fact {id: r.id})-[:SUBJECT]->(e:Entity)<-[:SUBJECT]-(o:Fact)
WHERE o.namespace = r.namespace AND o.id <> r.id AND NOT o.id IN r.later AND o.superseded IS NULL
  AND o.retracted IS NULL AND o.mood = 'asserted' AND coalesce(o.valid_from, '') <= coalesce(r.time, '~')
  AND ((r.mode = 'negation' AND o.predicate = n.predicate AND toLower(o.object) = toLower(n.object)
        AND o.polarity <> n.polarity)
    OR (r.mode = 'slot' AND o.predicate IN r.predicates AND o.polarity AND toLower(o.object) <> toLower(n.object))
    OR (r.mode = 'change' AND o.predicate = n.predicate AND o.polarity AND toLower(o.object) <> toLower(n.object))
    OR (r.mode = 'end' AND o.predicate IN r.predicates AND o.polarity AND (r.object = '' OR toLower(o.object) = r.object)))
CREATE (n)-[:SUPERSEDES]->(o)
SET o.superseded = r.stamp
