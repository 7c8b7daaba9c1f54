// graphmem's graph model on Kùzu 0.11 (https://docs.kuzudb.com/cypher/data-definition/create-table/).
// {{embedding_dim}} is filled in by the store from the embedding model; nothing else is.
CREATE NODE TABLE IF NOT EXISTS Meta(key STRING PRIMARY KEY, value STRING);
CREATE NODE TABLE IF NOT EXISTS Source(id STRING PRIMARY KEY, namespace STRING, uri STRING, kind STRING, title STRING, time STRING, content_hash STRING, ingested_at STRING);
CREATE NODE TABLE IF NOT EXISTS Utterance(id STRING PRIMARY KEY, namespace STRING, source_id STRING, text STRING, speaker STRING, session STRING, time STRING, position INT64, external_id STRING, embedding FLOAT[{{embedding_dim}}], act STRING, retracted STRING);
CREATE NODE TABLE IF NOT EXISTS Entity(id STRING PRIMARY KEY, namespace STRING, name STRING, type STRING, aliases STRING[], first_seen STRING, last_seen STRING);
CREATE NODE TABLE IF NOT EXISTS Fact(id STRING PRIMARY KEY, namespace STRING, subject STRING, predicate STRING, relation STRING, object STRING, text STRING, polarity BOOLEAN, modality STRING, tense STRING, mood STRING, attribution STRING, confidence DOUBLE, valid_from STRING, superseded STRING, retracted STRING, utterance_id STRING, subject_start INT64, subject_end INT64, relation_start INT64, relation_end INT64, object_start INT64, object_end INT64, embedding FLOAT[{{embedding_dim}}], event_start STRING, event_end STRING, event_text STRING, retracted_reason STRING, evidence INT64, last_mentioned STRING);
// An entity merge, recorded so it can be undone: what moved from the merged entity to the kept one.
CREATE NODE TABLE IF NOT EXISTS EntityMerge(id STRING PRIMARY KEY, namespace STRING, kept_id STRING, merged_id STRING, kept_name STRING, merged_name STRING, at STRING, undone STRING, subject_facts STRING[], object_facts STRING[], mentions STRING[], kept_aliases STRING[]);
CREATE REL TABLE IF NOT EXISTS PART_OF(FROM Utterance TO Source);
CREATE REL TABLE IF NOT EXISTS NEXT(FROM Utterance TO Utterance);
CREATE REL TABLE IF NOT EXISTS SUBJECT(FROM Fact TO Entity);
CREATE REL TABLE IF NOT EXISTS OBJECT(FROM Fact TO Entity);
CREATE REL TABLE IF NOT EXISTS RELATED(FROM Entity TO Entity, predicate STRING, fact_id STRING, namespace STRING);
CREATE REL TABLE IF NOT EXISTS ANCHORED_IN(FROM Fact TO Utterance, char_start INT64, char_end INT64, retracted STRING);
CREATE REL TABLE IF NOT EXISTS MENTIONED_IN(FROM Entity TO Utterance, char_start INT64, char_end INT64, text STRING);
CREATE REL TABLE IF NOT EXISTS DISCOURSE(FROM Fact TO Fact, relation STRING, connective STRING, confidence DOUBLE);
CREATE REL TABLE IF NOT EXISTS SUPERSEDES(FROM Fact TO Fact);
CREATE REL TABLE IF NOT EXISTS TURN_DISCOURSE(FROM Utterance TO Utterance, relation STRING, connective STRING, confidence DOUBLE);
// Full-text indexes (Kùzu's fts extension, BM25 scoring). They update on insert.
CALL CREATE_FTS_INDEX('Fact', 'fact_text', ['text']);
CALL CREATE_FTS_INDEX('Utterance', 'utterance_text', ['text']);
CALL CREATE_FTS_INDEX('Entity', 'entity_name', ['name']);
