// A fact's evidence and when it was last said, as KuzuStore._recount counted them.
MATCH (f:Fact {id: $id})
SET f.evidence = $n, f.last_mentioned = $last
