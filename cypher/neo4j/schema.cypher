// graphmem's graph model on Neo4j 5 (https://neo4j.com/docs/cypher-manual/5/indexes/).
// {{embedding_dim}} is filled in by the store from the embedding model; nothing else is.
// Vector indexes: quantization off (5.26 turns it on by default and then scores drift
// about 0.01 from the true cosine, reordering near ties against the embedded store);
// HNSW m = 16, ef_construction = 200 (recall over build speed: memory is read far more
// often than written). https://neo4j.com/docs/cypher-manual/5/indexes/semantic-indexes/vector-indexes/
CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (n:Meta) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT utterance_id IF NOT EXISTS FOR (n:Utterance) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT fact_id IF NOT EXISTS FOR (n:Fact) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT entity_merge_id IF NOT EXISTS FOR (n:EntityMerge) REQUIRE n.id IS UNIQUE;
CREATE INDEX source_namespace IF NOT EXISTS FOR (n:Source) ON (n.namespace);
CREATE INDEX utterance_namespace IF NOT EXISTS FOR (n:Utterance) ON (n.namespace);
CREATE INDEX utterance_source IF NOT EXISTS FOR (n:Utterance) ON (n.source_id);
CREATE INDEX utterance_speaker IF NOT EXISTS FOR (n:Utterance) ON (n.namespace, n.speaker);
CREATE INDEX entity_namespace IF NOT EXISTS FOR (n:Entity) ON (n.namespace);
CREATE INDEX entity_merge_namespace IF NOT EXISTS FOR (n:EntityMerge) ON (n.namespace);
CREATE INDEX fact_namespace IF NOT EXISTS FOR (n:Fact) ON (n.namespace);
CREATE INDEX fact_predicate IF NOT EXISTS FOR (n:Fact) ON (n.namespace, n.predicate);
CREATE VECTOR INDEX fact_embedding IF NOT EXISTS FOR (n:Fact) ON n.embedding
  OPTIONS {indexConfig: {`vector.dimensions`: {{embedding_dim}}, `vector.similarity_function`: 'cosine',
                        `vector.quantization.enabled`: false, `vector.hnsw.m`: 16, `vector.hnsw.ef_construction`: 200}};
CREATE VECTOR INDEX utterance_embedding IF NOT EXISTS FOR (n:Utterance) ON n.embedding
  OPTIONS {indexConfig: {`vector.dimensions`: {{embedding_dim}}, `vector.similarity_function`: 'cosine',
                        `vector.quantization.enabled`: false, `vector.hnsw.m`: 16, `vector.hnsw.ef_construction`: 200}};
CREATE FULLTEXT INDEX fact_text IF NOT EXISTS FOR (n:Fact) ON EACH [n.text]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}};
CREATE FULLTEXT INDEX utterance_text IF NOT EXISTS FOR (n:Utterance) ON EACH [n.text]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}};
CREATE FULLTEXT INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON EACH [n.name]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}};
