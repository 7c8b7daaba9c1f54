// Several Meta values in one round trip (a RECALL's counters, a view's notes): null where absent.
UNWIND $keys AS key
OPTIONAL MATCH (m:Meta {key: key})
RETURN key, m.value AS value
