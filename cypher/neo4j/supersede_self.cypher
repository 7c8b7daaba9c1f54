// "I used to live in Paris": the fact held once and no longer does from when it was said.
UNWIND $rows AS r
MATCH (f:Fact {id: r.id}) WHERE f.superseded IS NULL SET f.superseded = r.stamp
