SHOW VECTOR INDEXES YIELD name, options
WHERE name IN ['fact_embedding', 'utterance_embedding']
RETURN name, options.indexConfig.`vector.dimensions` AS dims
