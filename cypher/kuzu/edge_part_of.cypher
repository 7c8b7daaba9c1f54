MATCH (a:Utterance {id: $a}), (b:Source {id: $b}) CREATE (a)-[:PART_OF]->(b)
