"""Memory that knows time, over multi-session dialogues on both stores: event dates, evidence,
supersession and forgetting — what is current, what is history, what remains."""

from __future__ import annotations

import json

import pytest

from graphmem.errors import InputError
from graphmem.store.base import Statement

pytestmark = pytest.mark.slow

# Alice over three sessions: she moves, changes jobs, stops liking jazz, repeats herself.
DIALOGUE = [
    ("s1", "2023-01-10T10:00:00", "Alice", "I live in Paris."),
    ("s1", "2023-01-10T10:01:00", "Alice", "I work at Airbus."),
    ("s1", "2023-01-10T10:02:00", "Alice", "I like jazz."),
    ("s1", "2023-01-10T10:03:00", "Bob", "I play the violin."),
    ("s2", "2023-05-08T09:00:00", "Alice", "I moved to Berlin last month."),
    ("s2", "2023-05-08T09:01:00", "Alice", "I no longer work at Airbus."),
    ("s2", "2023-05-08T09:02:00", "Alice", "Now I work at Siemens."),
    ("s2", "2023-05-08T09:03:00", "Alice", "I don't like jazz anymore."),
    ("s2", "2023-05-08T09:04:00", "Alice", "I went to a concert yesterday."),
    ("s3", "2023-06-01T18:00:00", "Bob", "I play the violin."),
    ("s3", "2023-06-01T18:01:00", "Bob", "I used to live in Rome."),
]


def ingest(memory, tmp_path, rows=DIALOGUE):
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(json.dumps({"session": s, "time": t, "speaker": who, "text": text})
                              for s, t, who, text in rows), encoding="utf-8")
    report = memory.ingest([path])
    assert not report.errors
    return report


def facts(memory, who: str, *, history: bool = False) -> set[tuple[str, str, bool]]:
    mode = " HISTORY" if history else " CURRENT"  # a TIMELINE shows history unless told
    rows = memory.query(f"TIMELINE {who}{mode}")
    return {(r["predicate"], r["fact"].split()[-1], bool(r["polarity"])) for r in rows}


def props(memory, text: str) -> dict:
    st = Statement("MATCH (f:Fact) WHERE f.namespace = $ns AND f.text = $text RETURN f.evidence AS evidence, "
                   "f.superseded AS superseded, f.retracted AS retracted, f.retracted_reason AS reason, "
                   "f.event_start AS event_start, f.event_end AS event_end, f.event_text AS event_text, "
                   "f.last_mentioned AS last_mentioned", {"ns": memory.namespace, "text": text})
    rows = memory.store.run(st).dicts()
    assert len(rows) == 1, (text, rows)  # one node per claim
    return rows[0]


def test_moves_job_changes_and_preferences_supersede_but_stay_in_history(memory, tmp_path):
    ingest(memory, tmp_path)
    now = facts(memory, "Alice")
    assert ("move_to", "Berlin", True) in now
    assert ("live_in", "Paris", True) not in now  # moved away
    assert ("work_at", "Siemens", True) in now and ("work_at", "Airbus", True) not in now
    assert ("work_at", "Airbus", False) in now  # "no longer": the negation is what holds
    assert ("like", "jazz", True) not in now and ("like", "jazz", False) in now
    history = facts(memory, "Alice", history=True)
    assert {("live_in", "Paris", True), ("work_at", "Airbus", True), ("like", "jazz", True)} <= history
    assert props(memory, "Alice live in Paris")["superseded"] == "2023-05-08T09:00:00"
    # A SUPERSEDES edge runs from the newer fact to the older one.
    edge = Statement("MATCH (n:Fact)-[:SUPERSEDES]->(o:Fact) WHERE o.namespace = $ns AND o.text = $text "
                     "RETURN n.text AS newer", {"ns": memory.namespace, "text": "Alice live in Paris"})
    assert [r["newer"] for r in memory.store.run(edge).dicts()] == ["Alice moved to Berlin"]
    # CURRENT is the default; AS OF sees what held then.
    rows = memory.query("MATCH (Alice, live_in, ?city) AS OF 2023-02-01 RETURN ?city")
    assert [r["city"] for r in rows] == ["Paris"]
    assert memory.query("MATCH (Alice, live_in, ?city) RETURN ?city") == []
    assert [r["city"] for r in memory.query("MATCH (Alice, live_in, ?city) HISTORY RETURN ?city")] == ["Paris"]
    # … and a RECALL AS OF returns nothing said later: neither facts nor turns.
    then = memory.query('RECALL "Alice lives works moved" AS OF 2023-02-01 LIMIT 50')
    assert then and all(h.provenance.time <= "2023-02-01" for h in then)
    assert any(h.provenance.time > "2023-02-01" for h in memory.query('RECALL "Alice lives works moved" LIMIT 50'))
    # "used to": held once, superseded when said.
    assert props(memory, "Bob used to live in Rome")["superseded"] == "2023-06-01T18:01:00"


def test_event_time_is_resolved_against_the_session_time(memory, tmp_path):
    ingest(memory, tmp_path)
    concert = props(memory, "Alice went to concert")
    assert (concert["event_start"], concert["event_end"], concert["event_text"]) == ("2023-05-07", "2023-05-07",
                                                                                       "yesterday")
    move = props(memory, "Alice moved to Berlin")
    assert (move["event_start"], move["event_end"]) == ("2023-04-01", "2023-04-30")
    turtle = memory.export_rdf("nt")
    assert '"2023-05-07"^^<http://www.w3.org/2001/XMLSchema#date>' in turtle and "eventStart" in turtle
    hit = next(h for h in memory.recall("when did Alice go to a concert?", k=5) if h.kind == "fact")
    assert hit.fact.event_start == "2023-05-07"  # a question asking when prefers dated facts
    assert {"dated", "evidence", "event_recency", "mention_recency"} <= set(hit.signals)
    other = memory.recall("what did Alice go to?", k=5)
    assert not any("dated" in h.signals for h in other)  # only a cue that asks when


def test_a_restated_fact_gains_evidence_not_a_duplicate(memory, tmp_path):
    ingest(memory, tmp_path)
    violin = props(memory, "Bob play violin")
    assert violin["evidence"] == 2 and violin["last_mentioned"] == "2023-06-01T18:00:00"
    rows = memory.query("MATCH (Bob, play, ?x) RETURN ?x")
    assert [r["x"] for r in rows] == ["violin"]
    assert [r["x"] for r in memory.query("MATCH (Bob, ?p, ?x) WHERE evidence >= 2 RETURN ?x")] == ["violin"]
    hits = memory.query('RECALL "what does Bob play?" RANK BY evidence = 1 LIMIT 3')
    violin = next(h for h in hits if h.kind == "fact" and h.fact.object == "violin")
    assert violin.fact.evidence == 2 and violin.signals["evidence"] > 0
    sources = memory.query("SOURCE OF FACT $id", {"id": rows and memory.query("MATCH (Bob, play, violin)")[0]["id"]})
    assert sorted(r["session"] for r in sources) == ["s1", "s3"]
    # Ingesting the same file again adds nothing, evidence included.
    again = ingest(memory, tmp_path)
    assert not again.written and props(memory, "Bob play violin")["evidence"] == 2
    # Said again later, in a turn of its own: evidence 3, still one node.
    memory.add("I play the violin.", speaker="Bob", session="s4", at="2023-07-01T10:00:00")
    assert props(memory, "Bob play violin")["evidence"] == 3


def test_forgetting_a_session_retracts_only_what_it_alone_supported(memory, tmp_path):
    ingest(memory, tmp_path)
    out = memory.forget(sessions="s2")
    retracted = {r["fact"] for r in out["retracted"]}
    assert {"Alice moved to Berlin", "Alice went to concert"} <= retracted
    assert "Alice live in Paris" in {r["fact"] for r in out["restored"]}  # what replaced it is forgotten
    gone = props(memory, "Alice moved to Berlin")
    assert gone["retracted"] and gone["reason"] == "forgotten: session s2" and gone["evidence"] == 0
    now = facts(memory, "Alice")
    assert ("live_in", "Paris", True) in now and ("work_at", "Airbus", True) in now
    assert ("move_to", "Berlin", True) not in now
    # Bob's violin was said in s1 and s3: forgetting s3 leaves it, with one piece of evidence.
    out = memory.forget(sessions=["s3"], reason="user asked")
    assert "Bob play violin" in {r["fact"] for r in out["kept"]}
    assert props(memory, "Bob play violin")["evidence"] == 1
    assert props(memory, "Bob used to live in Rome")["reason"] == "user asked"
    # Forgetting one utterance works the same; nothing is deleted. SOURCE OF shows live evidence only.
    anchors = memory.query("SOURCE OF FACT $id", {"id": memory.query("MATCH (Bob, play, violin)")[0]["id"]})
    assert [r["session"] for r in anchors] == ["s1"]
    out = memory.forget(utterances=[anchors[0]["utterance_id"]])
    assert [r["fact"] for r in out["retracted"]] == ["Bob play violin"]
    assert memory.query("MATCH (Bob, play, ?x) RETURN ?x") == []
    assert memory.stats()["facts"] >= 9


def test_forgotten_turns_leave_recall_and_the_rest_stay(memory, tmp_path):
    ingest(memory, tmp_path)

    def turns(cue: str) -> set[str]:
        return {h.text for h in memory.query(f'RECALL UTTERANCES "{cue}" LIMIT 20')}

    assert "I went to a concert yesterday." in turns("concert")
    assert "I play the violin." in turns("violin")
    out = memory.forget(sessions="s2")
    assert out["utterances"] == 5
    assert not {t for t in turns("concert Berlin Siemens jazz") if t in {r[3] for r in DIALOGUE if r[0] == "s2"}}
    assert "I play the violin." in turns("violin")  # other sessions untouched
    assert all(h.provenance.session != "s2" for h in memory.recall("where does Alice work?", k=20))
    assert memory.forget(sessions="s2")["utterances"] == 0  # already forgotten: nothing new
    assert memory.stats()["utterances"] == len(DIALOGUE)  # nothing deleted


def test_restating_a_forgotten_or_superseded_fact_revives_it(memory, tmp_path):
    ingest(memory, tmp_path)
    memory.add("I live in Paris.", speaker="Alice", session="s5", at="2023-09-01T10:00:00")
    now = facts(memory, "Alice")
    assert ("live_in", "Paris", True) in now and ("move_to", "Berlin", True) not in now
    assert props(memory, "Alice live in Paris")["evidence"] == 2


def test_forget_refuses_nothing_to_forget(memory):
    with pytest.raises(InputError):
        memory.forget()
    with pytest.raises(InputError):
        memory.forget(sessions=[""])


def test_cli_forgets_a_session_and_reports_what_it_retracted(tmp_path):
    from click.testing import CliRunner

    from graphmem.cli import main

    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(json.dumps({"session": s, "time": t, "speaker": who, "text": text})
                              for s, t, who, text in DIALOGUE), encoding="utf-8")
    runner = CliRunner()
    store = ["--store", str(tmp_path / "s")]
    assert runner.invoke(main, ["ingest", str(path), *store]).exit_code == 0
    res = runner.invoke(main, ["forget", "--session", "s3", "--reason", "asked", *store, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [r["fact"] for r in out["retracted"]] == ["Bob used to live in Rome"]
    assert [(r["fact"], r["evidence"]) for r in out["kept"]] == [("Bob play violin", 1)]
    res = runner.invoke(main, ["forget", "--session", "s1", "--about", "Bob", *store])
    assert res.exit_code == 2  # one kind of forgetting at a time
    res = runner.invoke(main, ["forget", "--utterance", "nope", *store])
    assert res.exit_code == 0 and "anchors forgotten: 0" in res.output


def test_within_one_document_the_later_statement_wins(memory):
    rows = [{"session": "s9", "time": "2023-03-01T10:00:00", "speaker": "Carol", "text": "I work at Airbus."},
            {"session": "s9", "time": "2023-03-01T10:05:00", "speaker": "Carol", "text": "Now I work at Siemens."}]
    memory.ingest_text("\n".join(json.dumps(r) for r in rows), format="jsonl")
    now = facts(memory, "Carol")
    assert ("work_at", "Siemens", True) in now and ("work_at", "Airbus", True) not in now
    # A document without times: its paragraphs in order.
    memory.ingest_text("Dave lives in Oslo.\n\nDave moved to Bergen.", format="text")
    now = facts(memory, "Dave")
    assert ("move_to", "Bergen", True) in now and ("live_in", "Oslo", True) not in now
