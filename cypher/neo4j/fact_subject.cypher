// The subject entity each stored fact hangs on (a merge may have moved it since the fact was made).
UNWIND $ids AS i
MATCH (f:Fact {id: i})-[:SUBJECT]->(e:Entity)
RETURN f.id AS id, e.id AS entity
