MATCH (s:Source {id: $id}) RETURN s.id AS id
