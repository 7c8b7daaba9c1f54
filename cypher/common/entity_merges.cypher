// The namespace's entity merges, oldest first; undone = '' while a merge holds.
MATCH (m:EntityMerge) WHERE m.namespace = $namespace
RETURN m.id AS id, m.kept_id AS kept_id, m.merged_id AS merged_id, m.kept_name AS kept_name,
       m.merged_name AS merged_name, m.at AS at, m.undone AS undone, m.subject_facts AS subject_facts,
       m.object_facts AS object_facts, m.mentions AS mentions, m.kept_aliases AS kept_aliases
ORDER BY at, id
