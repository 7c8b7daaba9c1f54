// A document's new utterances in one statement, their rows handed over as an Arrow table ($rows,
// one column per name on the right): Kùzu's cost is per statement, and a 384-float parameter costs
// as much again, so a row at a time was 1.5 ms an utterance. The store builds the table with the
// schema's types (kuzu.py, _load); write_utterance stays for a batch of a few rows.
LOAD FROM $rows
CREATE (:Utterance {id: id, namespace: namespace, source_id: source_id, text: text, speaker: speaker,
                    session: session, time: time, position: position, external_id: external_id, act: act,
                    embedding: embedding})
