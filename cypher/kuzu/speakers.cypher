// Every speaker of the namespace, where the recall view cannot say (KuzuStore.speaker_names).
MATCH (u:Utterance) WHERE u.namespace = $namespace AND u.speaker IS NOT NULL
RETURN DISTINCT u.speaker AS speaker
