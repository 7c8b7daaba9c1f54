// Nothing is deleted: the older fact gets `superseded` (when) and a SUPERSEDES edge from the newer.
UNWIND $rows AS r
MATCH (n:Fact {id: r.id})
MATCH (o:Fact {id: r.old})
CREATE (n)-[:SUPERSEDES]->(o)
SET o.superseded = r.stamp
