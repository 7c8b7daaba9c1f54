// A fact said again holds again: new evidence lifts a retraction, and a supersession older than it.
MATCH (f:Fact {id: $id})
SET f.retracted = NULL, f.retracted_reason = NULL,
    f.superseded = CASE WHEN f.superseded < $time THEN NULL ELSE f.superseded END
