"""RECALL's turn-level signals from the LoCoMo work (#8): ``speaker`` (the turns said by someone
the cue names, a candidate list of its own) and ``neighbour`` (a turn next to a well-scored turn
of the same source takes a share of its score). On every store, and on Kùzu the recall view
must answer as its Cypher does. Hand-built batches with fixed vectors: no NLP model."""

from __future__ import annotations

import pytest
from test_recall_view import _CypherOnly
from test_store_conformance import make_batch, unit
from test_store_conformance import store  # noqa: F401  (the fixture: every store, empty schema)

from graphmem.config import Config
from graphmem.query.compile import DEFAULT_WEIGHTS, RRF_K, compile_query
from graphmem.query.cue import first_person, name_candidates
from graphmem.query.execute import LIST_SHARES, _per_turn, _view, _weights, run_recall
from graphmem.recall import cue_speakers, embedding_text, recall
from graphmem.store import open_store

#: Only the vector lists count (and whatever a test adds back).
VECTOR_ONLY = {name: 0.0 for name in DEFAULT_WEIGHTS} | {"vector": 1.0}


def _turn_order(hits) -> list[str]:
    return list(dict.fromkeys(h.provenance.external_id for h in hits))


# --- speaker ------------------------------------------------------------------------------------

SPEAKERS = [
    ("Bob", "I sail a boat on weekends", "sail", "boat", unit(1, 0, 0)),
    ("Zara", "I fix old engines", "fix", "old engines", unit(0.8, 0.6, 0)),
    ("Bob", "I bake bread", "bake", "bread", unit(0, 0, 1)),
    ("Zara", "I paint birds", "paint", "birds", unit(0, 1, 0)),
]


def test_names_in_a_cue_are_its_word_runs_lower_cased():
    names = name_candidates("What did Anna-Lena Berg's dog eat?")
    assert {"anna-lena", "anna-lena berg", "berg", "dog"} <= set(names) and "Berg" not in names
    assert name_candidates("?!") == []


def test_rank_by_weighs_the_new_signals():
    c = compile_query('RECALL "x" RANK BY speaker = 0.5, neighbour = 0, answer = 0.9', "kuzu", namespace="n")
    assert c.fusion.weights["speaker"] == 0.5 and c.fusion.weights["neighbour"] == 0.0
    assert c.fusion.weights["answer"] == 0.9
    assert DEFAULT_WEIGHTS["speaker"] > 0 and DEFAULT_WEIGHTS["neighbour"] > 0  # on by default
    assert DEFAULT_WEIGHTS["answer"] > DEFAULT_WEIGHTS["neighbour"]
    # "speaker" is still a field where a field is expected
    assert compile_query('RECALL "x" WHERE speaker = "Zara"', "kuzu", namespace="n").fusion is not None


def test_turns_of_the_named_speaker_come_first(store, namespace):  # noqa: F811
    store.write_batch(make_batch(namespace, "s1", SPEAKERS))
    cue, vector = "What does Zara do?", unit(1, 0, 0)
    # Bob's boat turn is nearest; Zara's engines turn second in both vector lists, first in hers,
    # and her far birds turn second there: a vote four plain ranks do not make up for.
    hits = recall(store, namespace, cue, vector, k=8, weights={**VECTOR_ONLY, "speaker": 1.0})
    assert _turn_order(hits)[:3] == ["D1", "D3", "D0"], [h.text for h in hits]
    assert hits[0].signals["utterance_speaker"] == pytest.approx(1 / (RRF_K + 1))
    assert all("utterance_speaker" not in h.signals for h in hits if h.provenance.speaker == "Bob")
    off = recall(store, namespace, cue, vector, k=8, weights={**VECTOR_ONLY, "speaker": 0.0})
    assert _turn_order(off)[:2] == ["D0", "D1"]
    # A cue naming nobody who speaks leaves the list empty.
    nobody = recall(store, namespace, "What does Quentin do?", vector, k=8, weights={**VECTOR_ONLY, "speaker": 1.0})
    assert _turn_order(nobody)[:2] == ["D0", "D1"] and all("utterance_speaker" not in h.signals for h in nobody)


# --- neighbour ------------------------------------------------------------------------------------

# s1: D0 is nearest the cue, D1 (third nearest) is next to it; s2 holds one turn, the second
# nearest, next to nothing.
NEIGHBOURS = [
    ("Ann", "I crossed the Alps", "crossed", "Alps", unit(1, 0, 0)),
    ("Ben", "I took the train", "took", "train", unit(0.85, 0, 0.52)),
]
ALONE = [("Cid", "I crossed Iceland", "crossed", "Iceland", unit(0.9, 0.43, 0))]


def test_fusion_gives_a_turn_a_share_of_its_neighbours_score():
    facts = {"f0": {"utterance_id": "u0", "source_id": "s", "position": 0},
             "f9": {"utterance_id": "u9", "source_id": "t", "position": 1}}
    utts = {"u1": {"source_id": "s", "position": 1}, "u2": {"source_id": "s", "position": 5}}
    lists = {"fact_vector": [("fact", "f0"), ("fact", "f9")],
             "utterance_vector": [("utterance", "u2"), ("utterance", "u1")]}

    def fuse(weights):
        weight = _weights(weights)
        fused: dict = {}
        for name, keys in lists.items():
            for rank, key in enumerate(keys, start=1):
                fused.setdefault(key, {})[name] = weight(name) / (60 + rank)
        return {key[1]: signals for key, signals in _per_turn(lists, fused, facts, utts, weight, 60)}

    on = fuse({"neighbour": 0.5})
    # u1 sits next to u0 (same source, position 1 vs 0); u2 (position 5) and f9 (another source)
    # next to nothing; u0 takes its share of u1's score in turn, from the scores before the signal.
    assert on["u1"]["neighbour"] == pytest.approx(0.5 / 61)
    assert on["f0"]["neighbour"] == pytest.approx(0.5 / 62)
    assert "neighbour" not in on["u2"] and "neighbour" not in on["f9"]
    assert list(on)[:2] == ["f0", "u1"]  # u1 passes u2, which had the better rank
    off = fuse({"neighbour": 0.0})
    assert all("neighbour" not in s for s in off.values()) and list(off)[:2] == ["f0", "u2"]


def test_a_turn_next_to_a_strong_one_moves_up(store, namespace):  # noqa: F811
    store.write_batch(make_batch(namespace, "s1", NEIGHBOURS))
    store.write_batch(make_batch(namespace, "s2", ALONE))
    cue, vector = "crossing", unit(1, 0, 0)
    off = recall(store, namespace, cue, vector, k=8, weights={**VECTOR_ONLY, "neighbour": 0.0})
    # s2's D0 and s1's D0 share an external id: tell them apart by text (a fact's, speaker first).
    assert [h.text for h in off][:3] == ["Ann crossed Alps", "Cid crossed Iceland", "Ben took train"]
    on = recall(store, namespace, cue, vector, k=8, weights={**VECTOR_ONLY, "neighbour": 0.2})
    assert [h.text for h in on][:3] == ["Ann crossed Alps", "Ben took train", "Cid crossed Iceland"]
    ben = next(h for h in on if h.text == "Ben took train")
    # Ann's two vector votes at rank 1: her turn's and her fact's, each its list's share.
    shares = LIST_SHARES["any"]
    assert ben.signals["neighbour"] == pytest.approx(0.2 * (shares["fact_vector"] + shares["utterance_vector"]) / (RRF_K + 1))
    assert "neighbour" not in next(h for h in on if h.text == "Cid crossed Iceland").signals


@pytest.mark.parametrize(("query", "scale", "target"), [
    ('RECALL "sailing a boat" LIMIT 4', 1.0, "any"),  # turns and facts: the turn's vector leads
    ('RECALL "sailing a boat" LIMIT 4 RANK BY vector = 2', 2.0, "any"),  # RANK BY vector scales both
    ('RECALL FACTS "sailing a boat" LIMIT 4', 1.0, "facts"),  # facts alone: their vectors are all there is
    ('RECALL UTTERANCES "sailing a boat" LIMIT 4', 1.0, "utterances"),
])
def test_vector_lists_weigh_their_share_of_the_vector_weight(store, namespace, query, scale, target):  # noqa: F811
    store.write_batch(make_batch(namespace, "s1", SPEAKERS))
    compiled = compile_query(query, store.dialect, namespace=namespace, embedding_dim=len(unit(1)))
    top = run_recall(store, compiled, unit(1, 0, 0))[0]
    assert "sail" in top.text
    lists = {"any": ("fact_vector", "utterance_vector"), "facts": ("fact_vector",),
             "utterances": ("utterance_vector",)}[target]
    assert set(top.signals) & {"fact_vector", "utterance_vector"} == set(lists)
    for name in lists:  # both rank 1
        assert top.signals[name] == pytest.approx(scale * LIST_SHARES[target].get(name, 1.0) / (RRF_K + 1)), name
    if target == "any":  # the turn's own vector leads, its facts' vectors break ties
        assert top.signals["utterance_vector"] > 4 * top.signals["fact_vector"]


# --- answer: the turn after a question ------------------------------------------------------------

# Ann's question is nearest the cue; Ben's answer is far from it, Cid's three unrelated turns
# (another dialogue) next nearest.
QUESTION = [
    ("Ann", "How long have you been married?", "have", "married", unit(1, 0, 0)),
    ("Ben", "Five years already", "be", "years", unit(0, 0, 1)),
]
UNRELATED = [("Cid", "We married off the old boat", "married", "boat", unit(0.8, 0.6, 0)),
             ("Cid", "The long road to the lake", "road", "lake", unit(0.7, 0.7, 0)),
             ("Cid", "Long ago I sold a bike", "sold", "bike", unit(0.6, 0.8, 0))]


def test_the_turn_after_a_question_takes_a_larger_share_of_its_score(store, namespace):  # noqa: F811
    batch = make_batch(namespace, "s1", QUESTION)
    batch.utterances[0].act, batch.utterances[1].act = "question", "answer"
    store.write_batch(batch)
    store.write_batch(make_batch(namespace, "s2", UNRELATED))
    cue, vector = "how long married", unit(1, 0, 0)

    def order(weights):
        hits = recall(store, namespace, cue, vector, k=8, weights={**VECTOR_ONLY, **weights})
        return [h.provenance.speaker for h in hits], hits

    plain, _ = order({"neighbour": 0.1, "answer": 0.0})
    assert plain[:4] == ["Ann", "Cid", "Cid", "Cid"]  # a plain neighbour's share does not lift Ben's answer
    asked, hits = order({"neighbour": 0.1, "answer": 0.7})
    assert set(asked[:2]) == {"Ann", "Ben"}  # the answer joins its question (here it even passes it)
    ben = next(h for h in hits if h.provenance.speaker == "Ben")
    ann = next(h for h in hits if h.provenance.speaker == "Ann")
    assert "neighbour" not in ben.signals
    assert ben.signals["answer"] == pytest.approx(0.7 * sum(v for k, v in ann.signals.items() if k != "neighbour"))
    assert "answer" not in ann.signals  # the question takes only a plain share back from its answer


# --- small namespaces are searched exactly -------------------------------------------------------


def test_a_small_namespace_is_scanned_exactly_not_through_the_shared_ann_index(store, namespace, monkeypatch):  # noqa: F811
    store.write_batch(make_batch(namespace, "s1", SPEAKERS))
    compiled = compile_query('RECALL "boats" LIMIT 4', store.dialect, namespace=namespace, embedding_dim=len(unit(1)))
    ran: list[str] = []
    run = store.run
    monkeypatch.setattr(store, "run", lambda st: ran.append(st.text) or run(st))

    def vector_statements() -> list[str]:
        ran.clear()
        run_recall(store, compiled, unit(1, 0, 0))
        return [name for name in ("fact_vector", "utterance_vector", "fact_vector_exact", "utterance_vector_exact")
                if name in compiled.statements and compiled.statements[name].text in ran]

    if store.dialect == "kuzu":  # its side index is exact below 20k vectors: the list statements take its ids
        assert not hasattr(store, "prefers_exact") and vector_statements()[:2] == ["fact_vector", "utterance_vector"]
        return
    assert store.prefers_exact("Fact", namespace) and store.prefers_exact("Utterance", namespace)
    assert vector_statements() == ["fact_vector_exact", "utterance_vector_exact"]
    monkeypatch.setattr(store, "EXACT_BELOW", 0)  # a large namespace: the ANN index first
    assert vector_statements()[:2] == ["fact_vector", "utterance_vector"]


# --- the cue in its speakers' first person ----------------------------------------------------


def test_a_named_speaker_becomes_i_another_you_and_two_together_we():
    speakers = ["Zara", "Anna Berg", "user", "Jon"]
    assert first_person("What did Zara's brother tell Anna Berg?", speakers) == "What did my brother tell you?"
    assert first_person("what does ZARA fix", speakers) == "what does I fix"
    assert first_person("What does the user like?", speakers) == "What does I like?"
    assert first_person("Where did Zara and Jon spend their holiday?", speakers) == "Where did we spend our holiday?"
    # pronouns follow the one speaker named: subjects, possessives, reflexives; not objects (binding)
    assert first_person("Did Zara say she fixed her bike herself?", speakers) == "Did I say I fixed my bike myself?"
    assert first_person("Did Jon tell him about her?", speakers) == "Did I tell him about her?"
    # with two named apart, whose "her" it is is not known: left alone
    assert first_person("Did Zara meet Jon at her house?", speakers) == "Did I meet you at her house?"
    # whole words only: other words that contain a name, and other names, stay
    assert first_person("Zarathustra and the users met Anna", speakers) == "Zarathustra and the users met Anna"


def test_cues_find_the_speakers_they_name_on_every_store(store, namespace):  # noqa: F811
    store.write_batch(make_batch(namespace, "s1", SPEAKERS))
    assert cue_speakers(store, namespace, "What did zara and Bob's dog do?") == ["Bob", "Zara"]
    assert cue_speakers(store, namespace, "What does Quinn paint?") == []
    assert cue_speakers(store, "another-" + namespace, "What did Zara do?") == []  # namespaces stay apart
    store.write_batch(make_batch(namespace, "s2", [("Quinn", "I paint ships", "paint", "ships", unit(0, 1, 0))]))
    assert cue_speakers(store, namespace, "What does Quinn paint?") == ["Quinn"]  # a new speaker is seen at once
    assert embedding_text(store, namespace, "Did Bob's sister bake for Zara?") == "Did my sister bake for you?"
    assert embedding_text(store, namespace, "Who bakes?") == "Who bakes?"


def test_the_embedded_store_reads_speakers_from_its_view_or_else_its_utterances(kz, namespace, monkeypatch):
    from_view = kz.speaker_names(namespace)
    assert from_view == {"Ann", "Ben", "Bob", "Zara"}
    monkeypatch.setattr(kz, "recall_view", lambda ns: None)
    assert kz.speaker_names(namespace) == from_view
    assert kz.speaker_names("another-" + namespace) == frozenset()


# --- the recall view answers as Cypher does -----------------------------------------------------


@pytest.fixture
def kz(tmp_path, namespace):
    """The embedded store, which has the recall view; full text from Kùzu's own index (the
    view's BM25, where it has one, is tested on its own)."""
    st = open_store(Config(store=str(tmp_path / "kz")))
    st.ensure_schema(embedding_dim=len(unit(1)))
    st.view_text = False
    st.write_batch(make_batch(namespace, "s1", SPEAKERS))
    st.write_batch(make_batch(namespace, "s2", NEIGHBOURS))
    yield st
    st.close()


@pytest.mark.parametrize("cue", ["What does Zara do?", "Did Bob bake?", "crossing the Alps"])
def test_view_and_cypher_agree_on_the_new_signals(kz, namespace, cue):
    store = kz
    compiled = compile_query(f'RECALL "{cue}" LIMIT 8', "kuzu", namespace=namespace, embedding_dim=len(unit(1)))
    vector = unit(0.9, 0.3, 0.3)
    view, fast = _view(store, compiled, vector)
    assert view is not None and {"utterance_vector", "hydrate_utterances", "hydrate_facts"} <= fast

    def hits(s):
        return [(h.id, round(h.score, 9), {k: round(v, 9) for k, v in h.signals.items()})
                for h in run_recall(s, compiled, vector)]

    fast_hits = hits(store)
    assert fast_hits == hits(_CypherOnly(store))
    assert any("neighbour" in signals for _, _, signals in fast_hits)
    if cue != "crossing the Alps":
        assert any("utterance_speaker" in signals for _, _, signals in fast_hits)
