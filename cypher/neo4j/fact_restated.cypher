// A fact said again holds again: new evidence lifts a retraction, and a supersession older than it.
UNWIND $rows AS r
MATCH (f:Fact {id: r.id})
SET f.retracted = NULL, f.retracted_reason = NULL,
    f.superseded = CASE WHEN f.superseded < r.time THEN NULL ELSE f.superseded END
