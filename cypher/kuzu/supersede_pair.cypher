// Nothing is deleted: the older fact gets `superseded` (when) and a SUPERSEDES edge from the newer.
MATCH (n:Fact {id: $id}), (o:Fact {id: $old})
CREATE (n)-[:SUPERSEDES]->(o)
SET o.superseded = $stamp
