MATCH (:Entity)-[r:RELATED]->(e:Entity {id: $id}) WHERE r.fact_id IN $facts
DELETE r
