"""RECALL's ranking: fusion per turn, content words for full text, rare entities first.

The store-backed cases build batches by hand with fixed vectors (no NLP model) and run on
every store.
"""

from __future__ import annotations

import pytest
from test_store_conformance import make_batch, unit
from test_store_conformance import store  # noqa: F401  (the fixture: every store, empty schema)

from graphmem.eval.locomo import SharedReads
from graphmem.query.cue import content_words
from graphmem.query.execute import _per_turn, _weights
from graphmem.recall import recall
from graphmem.store.base import Result, Statement

# --- content words ----------------------------------------------------------------------------


@pytest.mark.parametrize(("cue", "words"), [
    ("When did Caroline go to the LGBTQ support group?", "Caroline go LGBTQ support group"),
    ("What's Melanie's favorite book?", "Melanie's favorite book"),
    ("How long has she had her current group of friends for?", "long current group friends"),
    ("C++ or LGBTQ+ folks", "C++ LGBTQ+ folks"),
    ("Who is he?", "Who is he?"),  # nothing left: the whole cue
])
def test_full_text_gets_the_content_words(cue, words):
    assert content_words(cue) == words


def test_compiled_full_text_statements_get_content_words_and_vectors_the_cue():
    from graphmem.query.compile import compile_query

    for dialect in ("kuzu", "neo4j"):
        c = compile_query('RECALL "When did Alice move to Toulouse?"', dialect, namespace="n")
        texts = {name: st.params for name, st in c.statements.items() if name.endswith("_text") or name == "fact_entity"}
        assert texts and all("Alice move Toulouse" in map(str, p.values()) for p in texts.values()), (dialect, texts)
        assert c.fusion.cue == "When did Alice move to Toulouse?"


# --- fusion per turn ------------------------------------------------------------------------------


def _fuse(lists, facts, utts, weights=None):
    weight = _weights(weights or {})
    fused: dict = {}
    for name, keys in lists.items():
        for rank, key in enumerate(keys, start=1):
            if weight(name) > 0:  # as run_recall: a list weighted 0 gives no candidates
                fused.setdefault(key, {})[name] = weight(name) / (60 + rank)
    return _per_turn(lists, fused, facts, utts, weight, 60)


FACTS = {"f1": {"utterance_id": "u1"}, "f2": {"utterance_id": "u1"}, "f3": {"utterance_id": "u2"},
         "f4": {"utterance_id": "u3"}}
UTTS = {"u2": {}, "u4": {}}


def test_a_turn_counts_once_per_list_and_facts_vote_for_their_utterance():
    lists = {"fact_vector": [("fact", "f1"), ("fact", "f2"), ("fact", "f3")],
             "utterance_text": [("utterance", "u2"), ("utterance", "u4")]}
    ranked = _fuse(lists, FACTS, UTTS)
    # u2: rank 2 in fact_vector (f1, f2 are one turn) + rank 1 in utterance_text beats u1 (rank 1 once).
    assert [key for key, _ in ranked] == [("fact", "f3"), ("fact", "f1"), ("fact", "f2"), ("utterance", "u4")]
    u2, u1 = ranked[0][1], ranked[1][1]
    assert u2 == {"fact_vector": pytest.approx(1 / 62), "utterance_text": pytest.approx(1 / 61)}
    assert u1 == {"fact_vector": pytest.approx(1 / 61)} and ranked[2][1] == u1  # a turn's facts share its score


def test_a_turn_without_candidate_facts_is_shown_by_its_utterance_and_zero_weights_do_not_vote():
    lists = {"fact_text": [("fact", "f4")], "utterance_vector": [("utterance", "u4"), ("utterance", "u2")]}
    ranked = _fuse(lists, FACTS, UTTS, {"fact_text": 0.0})
    assert [key for key, _ in ranked] == [("utterance", "u4"), ("utterance", "u2")]


# --- rare entities first, on every store ------------------------------------------------------------


ONLY_ENTITIES = {"vector": 0.0, "text": 0.0, "recency": 0.0, "event_recency": 0.0, "mention_recency": 0.0,
                 "evidence": 0.0, "dated": 0.0, "speaker": 0.0, "neighbour": 0.0}


def test_entities_weigh_by_rarity(store, namespace):  # noqa: F811
    # Zephyrine speaks in three of four turns; Quillabamba is named once. The cue names both and
    # is closest in meaning to her Airbus fact, but the rare entity's fact comes first.
    store.write_batch(make_batch(namespace, "s1", [
        ("Zephyrine", "I work at Airbus now", "work_at", "Airbus", unit(1, 0, 0)),
        ("Bob", "I play in a jazz band", "play_in", "jazz band", unit(0, 1, 0)),
        ("Zephyrine", "I live in Quillabamba", "live_in", "Quillabamba", unit(0.6, 0, 0.8)),
        ("Zephyrine", "I like the Opera", "like", "Opera", unit(0.9, 0.1, 0)),
    ]))
    hits = recall(store, namespace, "Zephyrine Quillabamba", unit(1, 0, 0), k=3, weights=ONLY_ENTITIES)
    assert [h.fact.predicate for h in hits][:1] == ["live_in"], [h.text for h in hits]
    assert {h.fact.predicate for h in hits} == {"live_in", "work_at", "like"}  # her other facts still come


# --- the harness shares candidate rows between ablations -------------------------------------------


class _Counting:
    def __init__(self):
        self.calls = 0

    def run(self, st):
        self.calls += 1
        return Result(("x",), ((st.params.get("v"),),))

    def vector_search(self, label, namespace, vector, k):
        self.calls += 1
        return [label]


def test_shared_reads_answer_a_repeated_read_from_memory_until_forgotten():
    inner = _Counting()
    shared = SharedReads(inner)
    read = Statement("MATCH (n) RETURN n", {"v": 1}, read_only=True)
    assert shared.run(read) is shared.run(read) and inner.calls == 1
    shared.run(Statement("MATCH (n) RETURN n", {"v": 2}, read_only=True))
    shared.run(Statement("CREATE (n)", {}, read_only=False))
    shared.run(Statement("CREATE (n)", {}, read_only=False))  # writes always reach the store
    shared.vector_search("Fact", "n", [0.1], 5)
    shared.vector_search("Fact", "n", [0.1], 5)
    assert inner.calls == 5
    shared.forget()
    shared.run(read)
    assert inner.calls == 6
