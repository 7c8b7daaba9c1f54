// Raise one recall / vector counter (Meta, a string as on the embedded store) inside the
// write's transaction and return its new value. The write lock is taken (SET) before the value
// is read, so two writers never raise it to the same number. With a $note, the note of what the
// write touched is kept under $log + value, and the note $keep versions older is dropped.
MERGE (m:Meta {key: $key})
SET m.locked = true
WITH m, coalesce(toInteger(m.value), 0) + 1 AS value
SET m.value = toString(value)
REMOVE m.locked
FOREACH (_ IN CASE WHEN $note IS NULL THEN [] ELSE [1] END |
  MERGE (n:Meta {key: $log + toString(value)}) SET n.value = $note)
WITH value
OPTIONAL MATCH (old:Meta {key: $log + toString(value - $keep)})
DELETE old
RETURN value
