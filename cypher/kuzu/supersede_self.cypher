// "I used to live in Paris": the fact held once and no longer does from when it was said.
MATCH (f:Fact {id: $id}) WHERE f.superseded IS NULL SET f.superseded = $stamp
