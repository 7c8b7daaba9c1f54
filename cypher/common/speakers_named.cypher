// The namespace's speakers among $names (the cue's word runs as written, lower-cased and
// capitalized): the names RECALL embeds the cue in the first person for.
MATCH (u:Utterance) WHERE u.namespace = $namespace AND u.speaker IN $names
RETURN DISTINCT u.speaker AS speaker
