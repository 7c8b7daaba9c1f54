"""The recall view (graphmem/store/rview.py), on the embedded store and on Neo4j alike, answers
RECALL exactly as the Cypher statements do (its own BM25 aside: checked against a from-scratch
index), is never stale (every write path raises its namespace's counter), and follows a
document's write in place instead of being built again. No NLP model."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from graphmem.config import Config
from graphmem.query.compile import compile_query
from graphmem.query.execute import _view, run_recall, run_rows
from graphmem.store import open_store
from graphmem.store.base import Statement
from graphmem.store.rview import DELTA_MIN, TextIndex

from test_store_conformance import DIM, make_batch

NAMES = ["Alice", "Bob", "Carol"]
WORDS = ["jazz", "boat", "garden", "river", "piano", "tennis", "bread", "mountain"]


def _turns(rng: np.random.Generator, n: int, doc: str) -> list[tuple[str, str, str, str, list[float]]]:
    out = []
    for i in range(n):
        v = rng.standard_normal(DIM).astype(np.float32)
        w = WORDS[int(rng.integers(len(WORDS)))]
        obj = NAMES[int(rng.integers(len(NAMES)))] if i % 3 == 0 else f"{w} {doc}{i}"
        out.append((NAMES[i % 2], f"I like the {w} with {obj} today", f"like_{w}", obj, (v / np.linalg.norm(v)).tolist()))
    return out


class _CypherOnly:
    """The same store without its recall view: every candidate list and hydration runs as Cypher."""

    def __init__(self, store) -> None:
        self._store = store

    def __getattr__(self, name):
        if name == "recall_view":
            raise AttributeError(name)
        return getattr(self._store, name)


def _open(store_location, name: str = "kz"):
    """A store of the test's kind: a folder ``name`` under the test's own, or the shared Neo4j."""
    location, auth = store_location
    user, password = auth if auth else ("neo4j", None)
    if auth is None:
        location = str(Path(location).parent / name)
    st = open_store(Config(store=location, neo4j_user=user, neo4j_password=password))
    st.ensure_schema(embedding_dim=DIM)
    return st


@pytest.fixture
def kz(store_location, namespace):
    """A store whose view leaves full text to the database (Kùzu's fts, Neo4j's Lucene), so
    every list can be compared with Cypher's."""
    st = _open(store_location)
    st.view_text = False
    rng = np.random.default_rng(11)
    for d in range(3):
        st.write_batch(make_batch(namespace, f"doc{d}", _turns(rng, 40, f"d{d}")))
    yield st
    st.close()


def _hits(store, text: str, namespace: str, vector: list[float]):
    compiled = compile_query(text, store.dialect, namespace=namespace, embedding_dim=DIM)
    return [(h.kind, h.id, round(h.score, 9), {k: round(v, 9) for k, v in h.signals.items()}, h.text,
             h.provenance.utterance_id) for h in run_recall(store, compiled, vector)]


CUES = ['RECALL "jazz with Alice"', 'RECALL "Bob boat" LIMIT 5', 'RECALL "Carol piano river" LIMIT 20',
        'RECALL "garden" RANK BY vector = 2, text = 0.5']


def test_view_answers_like_cypher(kz, namespace):
    rng = np.random.default_rng(5)
    compiled = compile_query(CUES[0], kz.dialect, namespace=namespace, embedding_dim=DIM)
    view, fast = _view(kz, compiled, [0.0] * DIM)
    assert view is not None and {"fact_entity", "hydrate_facts", "fact_vector"} <= fast
    for text in CUES:
        for _ in range(3):
            v = rng.standard_normal(DIM)
            v = (v / np.linalg.norm(v)).tolist()
            fast_hits = _hits(kz, text, namespace, v)
            assert fast_hits, text
            assert fast_hits == _hits(_CypherOnly(kz), text, namespace, v), text


def test_filtered_recall_runs_as_cypher(kz, namespace):
    compiled = compile_query('RECALL "jazz" ABOUT Alice', kz.dialect, namespace=namespace, embedding_dim=DIM)
    view, fast = _view(kz, compiled, [0.0] * DIM)
    assert "fact_vector" not in fast  # its text carries the ABOUT filter: the view cannot answer it


def test_view_is_never_stale(kz, namespace):
    rng = np.random.default_rng(9)
    v = rng.standard_normal(DIM)
    v = (v / np.linalg.norm(v)).tolist()
    before = _hits(kz, CUES[0], namespace, v)
    version = kz.recall_view(namespace).version
    # a write: the new fact, nearest to the cue, must be recalled at once
    kz.write_batch(make_batch(namespace, "late", [("Alice", "I like the jazz with Alice now", "like_jazz", "Alice", v)]))
    assert kz.recall_view(namespace).version != version
    after = _hits(kz, CUES[0], namespace, v)
    new = {h[1] for h in after} - {h[1] for h in before}
    assert new and all(h[0] == "fact" for h in after if h[1] in new)
    assert after == _hits(_CypherOnly(kz), CUES[0], namespace, v)
    # a forget through the query language: its facts leave recall at once
    run_rows(kz, compile_query("FORGET FACTS ABOUT Alice", kz.dialect, namespace=namespace, embedding_dim=DIM))
    forgotten = _hits(kz, CUES[0], namespace, v)
    assert forgotten == _hits(_CypherOnly(kz), CUES[0], namespace, v)
    assert forgotten != after and not any(h[0] == "fact" and "Alice" in h[4] for h in forgotten)


def test_another_connection_sees_writes(store_location, namespace):
    """The counters and notes live in the database: a view held by another process, as of an
    older counter, catches up from the notes of the writes since (or is built again when a
    note is gone), and answers as a view built now does."""
    import copy

    from graphmem.store.rview import LOG_KEY

    rng = np.random.default_rng(2)
    a = _open(store_location, "shared")
    a.write_batch(make_batch(namespace, "one", _turns(rng, 10, "o")))
    v = _turns(rng, 1, "q")[0][4]
    _hits(a, CUES[0], namespace, v)
    elsewhere = copy.deepcopy(a.recall_view(namespace))  # another process's view, as of now
    a.write_batch(make_batch(namespace, "two", [("Bob", "I like the boat with Alice", "like_boat", "Alice", v)]))
    a.write_batch(make_batch(namespace, "three", _turns(rng, 4, "t")))
    _, current = _as_of_rebuild(a, namespace, [CUES[0]], [v])
    for drop_note in (False, True):
        a._views[namespace] = copy.deepcopy(elsewhere)
        if drop_note:  # pruned: that process builds its view again
            a.run(Statement("MATCH (m:Meta {key: $key}) DELETE m",
                            {"key": f"{LOG_KEY}{namespace}/{elsewhere.version[1] + 1}"}))
        stats = dict(a.view_stats)
        assert [_hits(a, CUES[0], namespace, v)] == current
        assert a.view_stats["updates" if not drop_note else "builds"] == stats["updates" if not drop_note else "builds"] + 1
    a.close()


def _unit(rng: np.random.Generator) -> list[float]:
    v = rng.standard_normal(DIM)
    return (v / np.linalg.norm(v)).tolist()


def _state(view) -> dict:
    """Everything a view holds, comparable between a view updated in place and one built whole."""
    index = view.vectors()
    kept, at = index.rows_of(sorted(view.facts))
    rows = dict(zip(kept, index.vectors(at).round(6).tolist()))
    texts = {name: (sorted(idx.ids), idx.search("jazz boat Alice zeppelin", None, 50))
             for name, idx in (("fact", view.fact_text), ("utt", view.utterance_text), ("ent", view.entity_text))}
    return {"fact_ok": view.fact_ok, "utterance_ok": view.utterance_ok, "facts": view.facts,
            "utterances": view.utterances, "entity_facts": {e: sorted(f) for e, f in view.entity_facts.items() if f},
            "entity_df": view.entity_df, "anchors": view.anchors, "n": view.n_utterances, "vectors": rows,
            "entities": view.entity_ids, "texts": texts}


def _as_of_rebuild(store, namespace: str, cues: list[str], vectors: list[list[float]]):
    """The hits of each cue from the current view, then from one built whole from the database
    (and the two views' contents must be the same)."""
    now = [_hits(store, c, namespace, v) for c in cues for v in vectors]
    state = _state(store.recall_view(namespace))
    builds = store.view_stats["builds"]
    store._views.clear()
    again = [_hits(store, c, namespace, v) for c in cues for v in vectors]
    assert store.view_stats["builds"] == builds + 1
    rebuilt = _state(store.recall_view(namespace))
    for key in state:
        assert state[key] == rebuilt[key], key
    return now, again


def test_a_popular_entity_s_best_come_from_the_index_as_from_scoring_them_all(monkeypatch):
    """Above the HNSW threshold an entity with many facts has its best ``fetch`` found by faiss
    over the 8-bit codes (VectorIndex.top): the same candidates as scoring every fact."""
    import graphmem.store.rview as rview
    import graphmem.store.vindex as vindex
    from graphmem.store.rview import RecallView
    from graphmem.store.vindex import VectorIndex

    monkeypatch.setattr(vindex, "BRUTE_FORCE_BELOW", 500)
    rng = np.random.default_rng(9)
    facts = [f"f{i:05d}" for i in range(3000)]
    index = VectorIndex("Fact", "ns", DIM, 0)
    index.add(facts, rng.standard_normal((len(facts), DIM)).astype(np.float32))
    assert index.kind == "hnsw"
    view = RecallView("ns", (0, 0))
    view.vectors = lambda: index
    view.fact_ok = set(facts[::2])
    view.utterance_ids = {f"u{i}" for i in range(100)}
    view.entity_facts = {"big": facts[:2500], "other": facts[2000:2900:3]}
    view.entity_df = {"big": 60, "other": 5}
    for trial in range(6):
        q = rng.standard_normal(DIM).tolist()
        cues = [["big"], ["other", "big"]][trial % 2]
        monkeypatch.setattr(rview, "TOP_BY_INDEX", 10**9)  # every fact scored
        every = view.entity_candidates(cues, q, 100, 40)
        monkeypatch.setattr(rview, "TOP_BY_INDEX", 1000)  # "big" (2,500 facts) asks the index
        assert view.entity_candidates(cues, q, 100, 40) == every and len(every) == 40
    rows = index.rows_of(facts[:2500])[1]
    at, best = index.top(rows, np.asarray(q), 50)
    products = index.dot(rows, np.asarray(q))
    assert at.tolist() == np.argsort(-products, kind="stable")[:50].tolist()
    assert np.allclose(best, products[at], atol=1e-5)


def test_kuzu_reopens_its_database_after_a_large_build(tmp_path, namespace, monkeypatch):
    """After a whole read of REOPEN_AFTER_ROWS rows or more (a view's build, a side index's) the
    embedded store opens its database again (its page cache back to the system); recalls, writes
    and updates go on the same."""
    import graphmem.store.kuzu as kuzu_store

    st = open_store(Config(store=str(tmp_path / "reopen")))
    st.ensure_schema(embedding_dim=DIM)
    st.view_text = False  # full text from Kùzu's fts, so the view can be compared with Cypher
    rng = np.random.default_rng(12)
    st.write_batch(make_batch(namespace, "d0", _turns(rng, 30, "d0")))
    v = _unit(rng)
    monkeypatch.setattr(kuzu_store, "REOPEN_AFTER_ROWS", 10)
    first = [_hits(st, c, namespace, v) for c in CUES]
    reopened = st.reopened
    assert reopened >= 3 and st.view_stats["builds"] == 1  # after the view's reads, and the side indexes'
    assert [_hits(st, c, namespace, v) for c in CUES] == first  # the same view, on the new connection
    st.write_batch(make_batch(namespace, "d1", [("Alice", "I like the jazz with Dora now", "like_jazz", "Dora", v)]))
    after = _hits(st, CUES[0], namespace, v)
    assert st.view_stats == {"builds": 1, "updates": 1} and st.reopened == reopened  # an update reopens nothing
    assert any(h[4] == "Alice like jazz Dora" for h in after)
    assert after == _hits(_CypherOnly(st), CUES[0], namespace, v)
    st.close()


def test_kuzu_builds_a_large_namespace_s_view_by_id_ranges(tmp_path, namespace, monkeypatch):
    """A view read of more than RANGE_ROWS nodes runs once per range of their ids, the database
    opened again between ranges; the view answers as Cypher does, and as a view read whole."""
    import graphmem.store.kuzu as kuzu_store

    st = open_store(Config(store=str(tmp_path / "ranges")))
    st.ensure_schema(embedding_dim=DIM)
    st.view_text = False  # full text from Kùzu's fts, so the view can be compared with Cypher
    rng = np.random.default_rng(13)
    for d in range(2):
        st.write_batch(make_batch(namespace, f"doc{d}", _turns(rng, 30, f"d{d}")))
    v = _unit(rng)
    whole = [_hits(st, c, namespace, v) for c in CUES]
    reads = []
    real = st._parts
    monkeypatch.setattr(st, "_parts", lambda text, params: reads.append(params) or real(text, params))
    monkeypatch.setattr(kuzu_store, "RANGE_ROWS", 7)
    before = st.reopened
    st.vectors_changed(namespace)  # the next recall builds the view again
    ranged = [_hits(st, c, namespace, v) for c in CUES]
    assert sum("lo" in p for p in reads) >= 2 * (60 // 7)  # facts and turns, in ranges of 7 ids
    assert st.reopened >= before + 60 // 7  # between ranges
    assert ranged == whole
    assert ranged == [_hits(_CypherOnly(st), c, namespace, v) for c in CUES]
    st.close()


def test_writes_elsewhere_leave_the_view_alone(kz, namespace):
    # The view's own full text: the database's ranks a namespace by every namespace's statistics
    # (Lucene's on Neo4j), so writes elsewhere would move this namespace's entity step.
    kz.view_text = True
    kz._views.clear()
    rng = np.random.default_rng(3)
    v = _unit(rng)
    before = _hits(kz, CUES[0], namespace, v)
    view, stats = kz.recall_view(namespace), dict(kz.view_stats)
    other = namespace + "_b"
    kz.write_batch(make_batch(other, "b1", _turns(rng, 5, "b")))
    run_rows(kz, compile_query("FORGET FACTS ABOUT Alice", kz.dialect, namespace=other, embedding_dim=DIM))
    assert kz.recall_view(namespace) is view and kz.view_stats == stats  # neither built nor updated
    assert _hits(kz, CUES[0], namespace, v) == before
    assert _hits(kz, CUES[0], other, v) != []  # the other namespace's own view follows its writes


def test_write_then_recall_updates_in_place(kz, namespace):
    """A document's write is read back into the view (no whole build), and the view then answers
    as Cypher does and as a view built whole does: new facts, restated facts (evidence, anchor),
    superseded facts, new entities, another utterance count."""
    rng = np.random.default_rng(4)
    v = _unit(rng)
    _hits(kz, CUES[0], namespace, v)
    stats = dict(kz.view_stats)
    # a new document: a fact nearest to the cue, about a new entity
    kz.write_batch(make_batch(namespace, "late", [("Alice", "I like the jazz with Dora now", "like_jazz", "Dora", v)]))
    after = _hits(kz, CUES[0], namespace, v)
    assert kz.view_stats == {"builds": stats["builds"], "updates": stats["updates"] + 1}
    assert any(h[4] == "Alice like jazz Dora" for h in after)
    assert after == _hits(_CypherOnly(kz), CUES[0], namespace, v)
    # a restatement (a stored fact said again in a new turn) and a negation that supersedes another
    view = kz.recall_view(namespace)
    old = next(f for f, r in view.facts.items() if r["subject"] == "Alice" and f in view.fact_ok)
    row = view.facts[old]
    again = make_batch(namespace, "again", [("Alice", f"I {row['relation']} {row['object']}", row["predicate"],
                                              row["object"], v)])
    fact = dataclasses.replace(again.facts[0], id=old)
    again.facts[0], again.anchors[0] = fact, dataclasses.replace(again.anchors[0], fact_id=old)
    kz.write_batch(again)
    victim = next(f for f, r in view.facts.items() if r["subject"] == "Bob" and f in view.fact_ok and f != old)
    vrow = view.facts[victim]
    neg = make_batch(namespace, "neg", [("Bob", f"I {vrow['relation']} {vrow['object']}", vrow["predicate"],
                                         vrow["object"], _unit(rng))])
    neg.facts[0] = dataclasses.replace(neg.facts[0], polarity=False)
    kz.write_batch(neg)
    cues = [CUES[0], 'RECALL "Bob boat" LIMIT 5', f'RECALL "{vrow["object"]}" LIMIT 20']
    index = kz.recall_view(namespace).vectors()
    vectors = [v, _unit(rng), index.vectors(index.rows_of([victim])[1])[0].tolist()]
    # the two writes since the last recall: one update reading both notes
    assert kz.view_stats["builds"] == stats["builds"] and kz.view_stats["updates"] == stats["updates"] + 2
    assert kz.recall_view(namespace).facts[old]["evidence"] == row["evidence"] + 1
    assert victim not in kz.recall_view(namespace).fact_ok
    now = [_hits(kz, c, namespace, x) for c in cues for x in vectors]
    assert now == [_hits(_CypherOnly(kz), c, namespace, x) for c in cues for x in vectors]
    incremental, whole = _as_of_rebuild(kz, namespace, cues, vectors)
    assert incremental == whole


def test_a_change_without_a_note_builds_again(kz, namespace):
    rng = np.random.default_rng(6)
    v = _unit(rng)
    _hits(kz, CUES[0], namespace, v)
    builds = kz.view_stats["builds"]
    run_rows(kz, compile_query("FORGET FACTS ABOUT Alice", kz.dialect, namespace=namespace, embedding_dim=DIM))
    hits = _hits(kz, CUES[0], namespace, v)
    assert kz.view_stats["builds"] == builds + 1
    assert hits == _hits(_CypherOnly(kz), CUES[0], namespace, v)


def test_bm25_view_follows_writes(store_location, namespace):
    """With the view's own BM25 (the default), text lists follow writes in place and equal a
    view built whole; a word only the new turn has puts it first in the text lists."""
    st = _open(store_location, "bm")
    assert st.view_text
    rng = np.random.default_rng(8)
    st.write_batch(make_batch(namespace, "d0", _turns(rng, 30, "d0")))
    v = _unit(rng)
    compiled = compile_query('RECALL "zeppelin jazz"', st.dialect, namespace=namespace, embedding_dim=DIM)
    assert {"fact_text", "utterance_text"} <= _view(st, compiled, v)[1]
    _hits(st, 'RECALL "zeppelin jazz"', namespace, v)
    st.write_batch(make_batch(namespace, "d1", [("Bob", "I like the zeppelin with Carol", "like_zeppelin", "Carol",
                                                 _unit(rng))]))
    view = st.recall_view(namespace)
    assert st.view_stats["updates"] == 1 and st.view_stats["builds"] == 1
    new = next(f for f, r in view.facts.items() if "zeppelin" in r["text"])
    assert view.fact_text.search("zeppelin jazz", view.fact_ok, 3)[0] == new
    assert view.utterance_text.search("zeppelin", view.utterance_ok, 3) == [view.facts[new]["utterance_id"]]
    cues = ['RECALL "zeppelin jazz"', 'RECALL "Carol piano river" LIMIT 20']
    incremental, whole = _as_of_rebuild(st, namespace, cues, [v, _unit(rng)])
    assert incremental == whole
    st.close()


def _bm25(docs: list[list[str]], query: list[str]) -> list[float]:
    """Lucene BM25 (k1 1.2, b 0.75) written out, the reference for TextIndex."""
    n, avgdl = len(docs), sum(map(len, docs)) / len(docs)
    out = []
    for d in docs:
        s = 0.0
        for w in dict.fromkeys(query):
            df = sum(w in x for x in docs)
            tf = d.count(w)
            if tf:
                s += np.log1p((n - df + 0.5) / (df + 0.5)) * tf / (tf + 1.2 * (1 - 0.75 + 0.75 * len(d) / avgdl))
        out.append(s)
    return out


def test_text_index_is_bm25_and_keeps_new_documents_current():
    from graphmem.store.rview import _tokenize

    rng = np.random.default_rng(1)
    words = ["jazz", "boat", "garden", "river", "piano", "tennis", "bread", "mountain", "violin", "harbor"]
    texts = [" ".join(rng.choice(words, size=int(rng.integers(2, 9)))) for _ in range(DELTA_MIN + 50)]
    index = TextIndex()
    index.add([f"d{i}" for i in range(len(texts))], texts)
    assert index.builds == 1 and index.built == len(texts)  # built by bm25s
    docs = _tokenize(texts)
    for query in ["jazz river", "piano piano bread", "harbor"]:
        ref = _bm25(docs, _tokenize([query])[0])
        assert np.allclose(index.scores(query), ref, rtol=1e-5)
        order = sorted((-s, f"d{i}") for i, s in enumerate(ref) if s > 0)
        ok = {f"d{i}" for i in range(0, len(texts), 2)}
        assert index.search(query, None, 25) == [i for _, i in order[:25]]
        assert index.search(query, ok, 25) == [i for _, i in order if i in ok][:25]
    # documents added after the build: scored with its statistics, found at once, then built in
    index.add(["new0", "new1"], ["zeppelin jazz", "violin harbor harbor"])
    assert index.builds == 1
    assert index.search("zeppelin", None, 5) == ["new0"]
    n, avgdl = len(docs), sum(map(len, docs)) / len(docs)  # the statistics as built
    df = sum("harbor" in d for d in docs)
    frozen = np.log1p((n - df + 0.5) / (df + 0.5)) * 2 / (2 + 1.2 * (1 - 0.75 + 0.75 * 3 / avgdl))
    assert np.isclose(index.scores("harbor")[-1], frozen, rtol=1e-5)
    more = max(DELTA_MIN, index.built // 4)
    index.add([f"m{i}" for i in range(more)], ["bread"] * more)
    assert index.builds == 2 and index.built == len(index)
    assert index.search("zeppelin", None, 5) == ["new0"]


def test_entity_candidates_match_a_sort_of_every_pair():
    """``fact_entity`` from the view: the first ``fetch`` (entity idf × cosine) pairs by score,
    ties in entity order, kept if recallable, then by score and id — checked against sorting
    every pair, with a popular entity (more facts than ``fetch``) and tied scores."""
    from graphmem.store.rview import RecallView
    from graphmem.store.vindex import VectorIndex

    rng = np.random.default_rng(5)
    view = RecallView("ns", (0, 0))
    facts = [f"f{i:04d}" for i in range(600)]
    base = rng.standard_normal((4, DIM)).astype(np.float32)
    index = VectorIndex("Fact", "ns", DIM, 0)
    index.add(facts, base[rng.integers(0, 4, len(facts))])  # four distinct vectors: many ties
    view.vectors = lambda: index
    view.fact_ok = set(facts[::3]) | set(facts[1::7])
    view.utterance_ids = {f"u{i}" for i in range(50)}
    view.entity_facts = {"big": facts[:500], "small": facts[480:] + ["no_vector"], "other": facts[::5]}
    view.entity_df = {"big": 40, "small": 3, "other": 10}

    def reference(entities, vector, fetch, k):
        q = np.asarray(vector, dtype=np.float64)
        pairs = []
        for e in dict.fromkeys(entities):
            fs, rows = index.rows_of(view.entity_facts.get(e, []))
            idf = np.log((view.n_utterances + 1.0) / (view.entity_df.get(e, 0) + 0.5))
            cos = (index.vectors(rows).astype(np.float64) @ q) / np.linalg.norm(q)
            pairs += [(float(idf * c), f) for f, c in zip(fs, cos)]
        pairs.sort(key=lambda p: -p[0])
        kept = dict.fromkeys((s, f) for s, f in pairs[:fetch] if f in view.fact_ok)
        return [f for _, f in sorted(kept, key=lambda p: (-p[0], p[1]))[:k]]

    for trial in range(20):
        vector = base[trial % 4].astype(np.float64) + 0.1 * rng.standard_normal(DIM)
        entities = [["big"], ["small", "big", "small"], ["other", "big"], ["missing", "small"]][trial % 4]
        for fetch, k in ((100, 30), (10, 10), (130, 60), (260, 120), (1000, 50)):
            got = view.entity_candidates(entities, vector.tolist(), fetch, k)
            assert got == reference(entities, vector, fetch, k)
            assert got and set(got) <= view.fact_ok
    view.entity_facts["big"].append(facts[599])  # a new fact of the entity is seen
    assert view.entity_candidates(["big"], base[facts.index(facts[599]) % 4].tolist(), 1000, 600) == \
        reference(["big"], base[facts.index(facts[599]) % 4], 1000, 600)
    # the index gains the vector of a fact it lacked, and the entities gain a fact it has
    view.fact_ok.add("no_vector")
    index.add(["no_vector", "late"], base[[1, 2]])
    view.entity_facts["small"].append("late")
    view.entity_facts["big"].append("late")
    for entities in (["small"], ["big", "small"]):
        assert view.entity_candidates(entities, base[1].tolist(), 1000, 600) == reference(entities, base[1], 1000, 600)
    assert "no_vector" in view.entity_candidates(["small"], base[1].tolist(), 1000, 600)


def test_rows_keep_their_values_and_read_back_as_dicts():
    """A row is kept as one string of its values (the key apart): every kind of value a
    hydration row holds comes back as it went in, as a dict in column order."""
    from graphmem.store.rview import Rows

    rows = Rows(["id", "speaker", "text", "position", "confidence", "polarity", "act"], "id")
    rows["a"] = {"text": "one é", "id": "a", "speaker": "Alice", "position": 2**40, "confidence": 0.85,
                 "polarity": False, "act": None}
    rows["b"] = {"id": "b", "speaker": "Bob", "text": "", "position": -3, "confidence": 1.0, "polarity": True,
                 "act": "question"}
    assert list(rows["a"].items()) == [("id", "a"), ("speaker", "Alice"), ("text", "one é"), ("position", 2**40),
                                       ("confidence", 0.85), ("polarity", False), ("act", None)]
    assert rows["b"]["polarity"] is True and rows["b"]["confidence"] == 1.0 and list(rows) == ["a", "b"]
    assert rows.values_of("b") == ("Bob", "", -3, 1.0, True, "question") and rows.values_of("c") is None
    assert rows == {"a": rows["a"], "b": rows["b"]} and "b" in rows and "c" not in rows
    del rows["a"]
    assert len(rows) == 1 and rows.get("a") is None
    with pytest.raises(RuntimeError, match="columns"):
        rows["c"] = {"id": "c", "speaker": "Bob"}


# -- Neo4j: the view lives in each client; the counters and notes in the database -------------------


def _client(neo4j_server, **kw):
    from graphmem.store.neo4j import Neo4jStore

    uri, user, password = neo4j_server
    st = Neo4jStore(uri, user=user, password=password, **kw)
    st.ensure_schema(embedding_dim=DIM)
    return st


@pytest.mark.neo4j
def test_neo4j_clients_follow_each_others_writes(neo4j_server, namespace):
    """Two clients of one server (two processes, in effect): each one's view follows the other's
    committed writes from their notes, and its vector side index from the stored embeddings."""
    rng = np.random.default_rng(12)
    a, b = _client(neo4j_server), _client(neo4j_server)
    try:
        a.write_batch(make_batch(namespace, "one", _turns(rng, 12, "o")))
        v = _unit(rng)
        assert _hits(b, CUES[0], namespace, v)
        stats = dict(b.view_stats)
        a.write_batch(make_batch(namespace, "two", [("Bob", "I like the zeppelin with Alice", "like_zeppelin",
                                                     "Alice", v)]))
        hits = _hits(b, 'RECALL "zeppelin"', namespace, v)
        assert hits[0][4] == "Bob like zeppelin Alice"  # nearest by vector and the only one with the word
        assert b.view_stats == {"builds": stats["builds"], "updates": stats["updates"] + 1}
        assert hits == _hits(a, 'RECALL "zeppelin"', namespace, v)
    finally:
        a.close()
        b.close()


@pytest.mark.neo4j
def test_neo4j_counter_is_raised_once_per_write_under_concurrency(neo4j_server, namespace):
    """Writers in parallel on one namespace: every write raises the counter by exactly one and
    leaves its note, so no view misses a write."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    from graphmem.store.rview import LOG_KEY, NS_KEY

    clients = [_client(neo4j_server) for _ in range(3)]
    rng = np.random.default_rng(13)
    docs = [make_batch(namespace, f"c{i}", _turns(rng, 2, f"c{i}")) for i in range(9)]
    try:
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(lambda n: clients[n % 3].write_batch(docs[n]), range(9)))
        meta = clients[0]._meta([NS_KEY + namespace] + [f"{LOG_KEY}{namespace}/{v}" for v in range(1, 10)])
        assert meta[NS_KEY + namespace] == "9"
        noted = sorted(u for v in range(1, 10) for u in json.loads(meta[f"{LOG_KEY}{namespace}/{v}"])["u"])
        assert noted == sorted(u.id for d in docs for u in d.utterances)
    finally:
        for c in clients:
            c.close()


@pytest.mark.neo4j
def test_neo4j_without_the_view_recalls_as_cypher(neo4j_server, namespace, monkeypatch):
    """``GRAPHMEM_NEO4J_RECALL_VIEW=0``: no view, no side index; RECALL runs on Neo4j's own indexes."""
    monkeypatch.setenv("GRAPHMEM_NEO4J_RECALL_VIEW", "0")
    uri, user, password = neo4j_server
    st = open_store(Config.from_env(store=uri, neo4j_user=user, neo4j_password=password))
    st.ensure_schema(embedding_dim=DIM)
    try:
        rng = np.random.default_rng(14)
        st.write_batch(make_batch(namespace, "one", _turns(rng, 12, "o")))
        assert st.recall_view(namespace) is None and st.speaker_names(namespace) is None
        compiled = compile_query(CUES[0], st.dialect, namespace=namespace, embedding_dim=DIM)
        assert _view(st, compiled, _unit(rng)) == (None, set())
        assert _hits(st, CUES[0], namespace, _unit(rng))
    finally:
        st.close()
    monkeypatch.setenv("GRAPHMEM_NEO4J_RECALL_VIEW", "perhaps")
    with pytest.raises(Exception, match="GRAPHMEM_NEO4J_RECALL_VIEW"):
        Config.from_env()


@pytest.mark.neo4j
def test_neo4j_side_index_is_kept_between_clients(neo4j_server, namespace, tmp_path, monkeypatch):
    """A client's HNSW side index is saved under the cache folder of this database's id, and the
    next client of the database loads it instead of reading every embedding again."""
    import graphmem.store.neo4j as neo4j_store
    import graphmem.store.vindex as vindex

    monkeypatch.setattr(vindex, "BRUTE_FORCE_BELOW", 10)  # HNSW (what is saved) from 10 vectors
    monkeypatch.setattr(neo4j_store, "BRUTE_FORCE_BELOW", 10)
    rng = np.random.default_rng(15)
    a = _client(neo4j_server, cache_dir=tmp_path)
    a.write_batch(make_batch(namespace, "one", _turns(rng, 30, "o")))
    v = _unit(rng)
    first = _hits(a, CUES[0], namespace, v)
    a.write_batch(make_batch(namespace, "two", _turns(rng, 3, "t")))  # the loaded index takes these in place
    first = _hits(a, CUES[0], namespace, v)
    a.close()  # saves what changed since
    saved = list(tmp_path.glob("neo4j/*/vindex/*.faiss"))
    assert len(saved) == 2  # facts and utterances of the namespace
    b = _client(neo4j_server, cache_dir=tmp_path)
    loaded = []
    monkeypatch.setattr(b, "_embeddings", lambda label, ns: loaded.append(label) or neo4j_store.Neo4jStore._embeddings(b, label, ns))
    try:
        assert _hits(b, CUES[0], namespace, v) == first
        assert loaded == []  # both read back from the files (the view reads no embeddings: it uses the index's)
    finally:
        b.close()


def test_a_store_keeps_the_views_of_its_latest_namespaces(tmp_path, monkeypatch):
    """Past MAX_VIEWS namespaces the least recently recalled view (and its side indexes) is
    dropped, and built again, the same, when that namespace is recalled again."""
    import graphmem.store.rview as rview
    import graphmem.store.vindex as vindex

    monkeypatch.setattr(rview, "MAX_VIEWS", 2)
    monkeypatch.setattr(vindex, "MAX_INDEXES", 4)
    st = open_store(Config(store=str(tmp_path / "lru")))
    st.ensure_schema(embedding_dim=DIM)
    rng = np.random.default_rng(16)
    names = ["ns_a", "ns_b", "ns_c"]
    for ns in names:
        st.write_batch(make_batch(ns, f"doc_{ns}", _turns(rng, 8, ns)))
    v = _unit(rng)
    first = _hits(st, CUES[0], "ns_a", v)
    _hits(st, CUES[0], "ns_b", v)
    _hits(st, CUES[0], "ns_a", v)  # a is now the most recent: c pushes b out
    _hits(st, CUES[0], "ns_c", v)
    assert list(st._views) == ["ns_a", "ns_c"] and len(st._vectors._indexes) == 4
    builds = st.view_stats["builds"]
    assert _hits(st, CUES[0], "ns_a", v) == first and st.view_stats["builds"] == builds
    _hits(st, CUES[0], "ns_b", v)
    assert st.view_stats["builds"] == builds + 1 and list(st._views) == ["ns_a", "ns_b"]
    st.close()


@pytest.mark.neo4j
def test_neo4j_builds_a_large_namespaces_view_behind(neo4j_server, namespace, monkeypatch):
    """A namespace past BUILD_INLINE_BELOW: the first RECALL runs as Cypher while a thread builds
    the view and both side indexes; once it is there RECALL uses it, as a view built inline does."""
    rng = np.random.default_rng(17)
    behind, inline = _client(neo4j_server), _client(neo4j_server)
    monkeypatch.setattr(behind, "BUILD_INLINE_BELOW", 10)
    try:
        behind.write_batch(make_batch(namespace, "one", _turns(rng, 20, "o")))
        v = _unit(rng)
        compiled = compile_query(CUES[0], behind.dialect, namespace=namespace, embedding_dim=DIM)
        assert _view(behind, compiled, v) == (None, set())  # not yet: Cypher answers
        assert _hits(behind, CUES[0], namespace, v)
        behind.wait_for_views()
        assert behind.view_stats["builds"] == 1 and not behind._building
        assert {("Fact", namespace), ("Utterance", namespace)} <= set(behind._vectors._indexes)
        view, fast = _view(behind, compiled, v)
        assert view is not None and "fact_vector" in fast
        assert _hits(behind, CUES[0], namespace, v) == _hits(inline, CUES[0], namespace, v)
        # a write after it: updated in place from its note, not built behind again
        behind.write_batch(make_batch(namespace, "two", _turns(rng, 2, "t")))
        assert _hits(behind, CUES[0], namespace, v) == _hits(inline, CUES[0], namespace, v)
        assert behind.view_stats == {"builds": 1, "updates": 1}
    finally:
        behind.close()
        inline.close()
