"""The query language on live stores: each statement does what it says, and both stores agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphmem.errors import QuerySemanticError, ReadOnlyError

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "data"

#: Read queries whose rows must be the same on every store (ordering is part of each query).
CORPUS = [
    'MATCH (?p, work_at, "Airbus")',
    "MATCH (?who, ?rel, Toulouse)",
    "MATCH (Alice, ?p, ?x) RETURN ?p, ?x",
    "MATCH (?s, teach, ?what) WHERE speaker = Bob",
    "MATCH (_, ?p, ?o) SINCE 2023-06-01 LIMIT 5",
    "MATCH (Carol, ?p, ?o), (?x, work_at, ?o) RETURN ?p, ?o",
    "TIMELINE Alice",
    "TIMELINE Bob SINCE 2023-06-01",
]


@pytest.fixture
def loaded(memory):
    memory.ingest([EXAMPLES])
    return memory


def test_match_joins_and_filters(loaded):
    assert loaded.query('MATCH (?p, work_at, "Airbus")') == [{"p": "Alice"}]
    rows = loaded.query("MATCH (?who, ?rel, Toulouse)")
    assert {"who": "Alice", "rel": "move_to"} in rows
    assert loaded.query("MATCH (?p, work_at, Nowhere)") == []
    assert all(r["p"] != "visit" for r in loaded.query("MATCH (Alice, ?p, ?x) RETURN ?p, ?x"))


def test_recall_with_constraints(loaded):
    hits = loaded.query('RECALL FACTS ABOUT Alice WHERE predicate IN (work_at, move_to) LIMIT 5')
    assert {h.fact.predicate for h in hits} == {"work_at", "move_to"}
    utts = loaded.query('RECALL UTTERANCES "music" WHERE speaker = Bob LIMIT 2')
    assert utts and all(h.kind == "utterance" and h.provenance.speaker == "Bob" for h in utts)
    recent = loaded.query('RECALL "what happened?" SINCE 2023-06-01 LIMIT 20')
    assert recent and all(h.provenance.time >= "2023-06-01" for h in recent)
    only_vectors = loaded.query('RECALL "music" RANK BY text=0, entity=0, recency=0, event_recency=0, '
                                'mention_recency=0, evidence=0, speaker=0, neighbour=0, answer=0 LIMIT 3')
    assert all(set(h.signals) <= {"fact_vector", "utterance_vector"} for h in only_vectors)


def test_timeline_and_source(loaded):
    rows = loaded.query("TIMELINE Alice")
    assert [r["time"] for r in rows] == sorted(r["time"] for r in rows)
    work = next(r for r in rows if r["predicate"] == "work_at")
    (src,) = loaded.query("SOURCE OF FACT $id", {"id": work["id"]})
    assert src["utterance"][src["char_start"] : src["char_end"]] == "I just started working at Airbus"
    assert src["source"].endswith("chat.jsonl#s1")


def test_remember_then_forget(loaded):
    report = loaded.query('REMEMBER "I joined Google in March." AS Alice AT 2024-04-02 IN SESSION s3')
    assert report.written and report.facts == 1
    assert {"p": "Alice"} in loaded.query("MATCH (?p, join, Google)")
    forgotten = loaded.query("FORGET FACTS ABOUT Google")
    assert forgotten == [{"forgotten": 1}]
    assert loaded.query("MATCH (?p, join, Google)") == []
    assert loaded.query("FORGET FACTS ABOUT Google") == [{"forgotten": 0}]


def test_explain_runs_nothing(loaded):
    before = loaded.stats()
    compiled = loaded.explain('REMEMBER "I moved to Rome."')
    assert compiled.kind == "remember" and loaded.stats() == before
    text = loaded.explain('RECALL "where does Alice work?" ABOUT Alice').describe()
    assert "fact_vector" in text and "fusion: RRF" in text and "Alice" not in text.split("params")[0]
    assert "-- cue embedded as: 'where does I work?'" in text  # Alice speaks in the examples
    assert "embedded as" not in loaded.explain('RECALL "where does Zoltan work?"').describe()  # no such speaker
    assert "embedded as" in loaded.query('EXPLAIN RECALL "what did Alice say?"').describe()


def test_read_only_memory_refuses_writes_by_query(store_location, namespace):
    from graphmem import Memory

    location, auth = store_location
    Memory(location, namespace=namespace, auth=auth).close()
    with Memory(location, namespace=namespace, auth=auth, read_only=True) as mem:
        with pytest.raises(ReadOnlyError):
            mem.query('REMEMBER "x"')
        with pytest.raises(ReadOnlyError):
            mem.query("FORGET FACTS ABOUT Bob")
        with pytest.raises(QuerySemanticError):
            mem.query("RECALL $missing")


def test_namespaces_never_leak_through_queries(loaded, store_location):
    from graphmem import Memory

    location, auth = store_location
    with Memory(location, namespace=loaded.namespace + "_other", auth=auth) as other:
        for q in CORPUS:
            assert other.query(q) == [], q
        assert other.query('RECALL "where does Alice work?"') == []


@pytest.mark.neo4j
def test_both_stores_return_the_same_rows(neo4j_server, namespace, tmp_path):
    from graphmem import Memory

    uri, user, password = neo4j_server
    answers = {}
    for name, location, auth in (("kuzu", str(tmp_path / "s"), None), ("neo4j", uri, (user, password))):
        with Memory(location, namespace=namespace, auth=auth) as mem:
            mem.ingest([EXAMPLES])
            answers[name] = [[{k: v for k, v in r.items() if k != "id"} for r in mem.query(q)] for q in CORPUS]
            answers[name].append([h.id for h in mem.query('RECALL "music" RANK BY text=0, entity=0, recency=0')])
    for q, k_rows, n_rows in zip(CORPUS + ["RECALL vectors"], answers["kuzu"], answers["neo4j"]):
        assert k_rows == n_rows, q
    assert any(answers["kuzu"][:-1])
