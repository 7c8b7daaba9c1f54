// The entity → entity projection edges of some facts leaving an entity, dropped before their facts move
// (merge_related_make remakes them). Kùzu cannot delete an undirected match: one file per direction.
MATCH (e:Entity {id: $id})-[r:RELATED]->(:Entity) WHERE r.fact_id IN $facts
DELETE r
