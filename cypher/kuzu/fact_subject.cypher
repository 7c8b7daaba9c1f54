// The subject entity a stored fact hangs on (a merge may have moved it since the fact was made).
MATCH (f:Fact {id: $id})-[:SUBJECT]->(e:Entity)
RETURN f.id AS id, e.id AS entity
