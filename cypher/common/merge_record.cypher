CREATE (m:EntityMerge {id: $id, namespace: $namespace, kept_id: $kept_id, merged_id: $merged_id,
                       kept_name: $kept_name, merged_name: $merged_name, at: $at, undone: '',
                       subject_facts: $subject_facts, object_facts: $object_facts, mentions: $mentions,
                       kept_aliases: $kept_aliases})
