// This database's graphmem id, made once: names the folder where a client keeps its vector side
// index between processes, so files made for one database are never read for another.
MERGE (m:Meta {key: 'store_id'}) ON CREATE SET m.value = $id
RETURN m.value AS value
