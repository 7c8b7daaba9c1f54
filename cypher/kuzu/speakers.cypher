// Every speaker of the namespace (the embedded store keeps them until the namespace's recall
// counter moves; Kùzu would scan the utterances for speakers_named on every RECALL).
MATCH (u:Utterance) WHERE u.namespace = $namespace AND u.speaker IS NOT NULL
RETURN DISTINCT u.speaker AS speaker
