"""Fast RECALL: the embedded store's vector side index, and the two-hop entity signal.

The side index is derived data: these tests check it against exact cosine (numpy and
Kùzu's own ``array_cosine_similarity``), that a committed write reaches it, that a
rolled-back one does not, and that a stale or missing index is rebuilt from the store.
No NLP model is needed.
"""

from __future__ import annotations

import numpy as np
import pytest

from graphmem.config import Config
from graphmem.model import make_id
from graphmem.query.compile import compile_query
from graphmem.query.execute import run_recall
from graphmem.recall import recall
from graphmem.store import open_store
from graphmem.store.base import Statement
from graphmem.store.vindex import VectorIndex

from test_store_conformance import DIM, TURNS, make_batch, store, unit  # noqa: F401  (store: a fixture)


def _random_turns(rng: np.random.Generator, n: int, doc: str) -> list[tuple[str, str, str, str, list[float]]]:
    out = []
    for i in range(n):
        v = rng.standard_normal(DIM).astype(np.float32)
        out.append(("Alice", f"I saw item{doc}x{i} today", f"see_{i}", f"item{doc}x{i}", (v / np.linalg.norm(v)).tolist()))
    return out


@pytest.fixture
def kuzu_store(tmp_path):
    st = open_store(Config(store=str(tmp_path / "kz")))
    st.ensure_schema(embedding_dim=DIM)
    yield st
    st.close()


def _exact_top(store, namespace: str, vector: list[float], k: int) -> list[str]:
    rows = store.run(Statement("MATCH (f:Fact) WHERE f.namespace = $ns RETURN f.id, f.embedding", {"ns": namespace}))
    ids = [r[0] for r in rows.rows]
    m = np.asarray([r[1] for r in rows.rows], dtype=np.float32)
    scores = m @ np.asarray(vector, dtype=np.float32) / np.linalg.norm(m, axis=1)
    return [ids[i] for i in np.argsort(-scores, kind="stable")[:k]]


def test_side_index_matches_exact_cosine(kuzu_store, namespace):
    rng = np.random.default_rng(3)
    kuzu_store.write_batch(make_batch(namespace, "d1", _random_turns(rng, 60, "a")))
    for _ in range(5):
        q = rng.standard_normal(DIM)
        q = (q / np.linalg.norm(q)).tolist()
        fast = [h.id for h in kuzu_store.vector_search("Fact", namespace, q, 10)]
        exact = [h.id for h in kuzu_store.vector_search("Fact", namespace, q, 10, exact=True)]
        assert fast == exact == _exact_top(kuzu_store, namespace, q, 10)


def test_kuzu_reads_a_large_namespace_s_embeddings_in_parts(kuzu_store, namespace, monkeypatch):
    """Past EMBEDDINGS_PART vectors the side index's build reads the embeddings by ranges of ids:
    every vector once, the same index as one read gives; the database is opened again after it."""
    import graphmem.store.kuzu as kuzu_mod

    rng = np.random.default_rng(13)
    kuzu_store.write_batch(make_batch(namespace, "d1", _random_turns(rng, 60, "a")))
    whole = list(kuzu_store._embeddings("Fact", namespace))
    monkeypatch.setattr(kuzu_mod, "EMBEDDINGS_PART", 7)
    monkeypatch.setattr(kuzu_mod, "REOPEN_AFTER_ROWS", 10)
    parts = list(kuzu_store._embeddings("Fact", namespace))
    assert len(whole) == 1 and len(parts) == -(-len(whole[0][0]) // 7) and all(len(p[0]) <= 7 for p in parts)
    got = {i: v for ids, m in parts for i, v in zip(ids, m.tolist())}
    assert sum(len(p[0]) for p in parts) == len(got) == len(whole[0][0])
    assert got == dict(zip(whole[0][0], whole[0][1].tolist()))
    kuzu_store.vectors_changed(namespace)  # the next search builds the index again, in parts
    reopened = kuzu_store.reopened  # (the reads above were large enough too: reopened before that write)
    q = _random_turns(rng, 1, "q")[0][4]
    assert [h.id for h in kuzu_store.vector_search("Fact", namespace, q, 10)] == _exact_top(kuzu_store, namespace, q, 10)
    assert kuzu_store.reopened == reopened + 1


def test_committed_writes_reach_the_index_and_rolled_back_ones_do_not(kuzu_store, namespace, monkeypatch):
    kuzu_store.write_batch(make_batch(namespace, "d1", TURNS))
    assert [h.id for h in kuzu_store.vector_search("Fact", namespace, unit(0, 1, 0), 1)]  # index built now
    index = kuzu_store._vectors._indexes[("Fact", namespace)]
    # A write that fails after its rows went in: rolled back, so the index must not see it.
    import graphmem.store.kuzu as kuzu_mod

    real = kuzu_mod.batch_rows
    monkeypatch.setattr(kuzu_mod, "batch_rows", lambda b, **kw: real(b, **kw) + [("write_source", [{"bad": object()}])])
    doomed = make_batch(namespace, "d2", [("Carol", "I fly kites", "fly", "kites", unit(0, 0, 1))])
    with pytest.raises(Exception):
        kuzu_store.write_batch(doomed)
    monkeypatch.setattr(kuzu_mod, "batch_rows", real)
    assert len(index) == 3
    assert doomed.facts[0].id not in {h.id for h in kuzu_store.vector_search("Fact", namespace, unit(0, 0, 1), 5)}
    # The same document committed: added to the loaded index in place, not rebuilt.
    kuzu_store.write_batch(doomed)
    hits = kuzu_store.vector_search("Fact", namespace, unit(0, 0, 1), 1)
    assert kuzu_store._vectors._indexes[("Fact", namespace)] is index and len(index) == 4
    assert hits[0].id == doomed.facts[0].id and hits[0].score == pytest.approx(1.0, abs=1e-5)


def test_out_of_band_writes_make_the_index_stale(kuzu_store, namespace):
    kuzu_store.write_batch(make_batch(namespace, "d1", TURNS))
    kuzu_store.vector_search("Fact", namespace, unit(1), 1)
    fid = make_id("fact", namespace, "manual")
    kuzu_store.run(Statement("CREATE (f:Fact {id: $id, namespace: $ns, text: 'x', mood: 'asserted', "
                             "embedding: CAST($v AS FLOAT[384])})", {"id": fid, "ns": namespace, "v": unit(0, 0, 0, 1)}))
    assert kuzu_store.vector_search("Fact", namespace, unit(0, 0, 0, 1), 1)[0].id != fid  # nobody said so
    kuzu_store.vectors_changed(namespace)
    assert kuzu_store.vector_search("Fact", namespace, unit(0, 0, 0, 1), 1)[0].id == fid


def test_index_files_are_reused_and_torn_files_rebuilt(tmp_path, namespace):
    where = str(tmp_path / "kz")
    st = open_store(Config(store=where))
    st.ensure_schema(embedding_dim=DIM)
    st.write_batch(make_batch(namespace, "d1", TURNS))
    st.vector_search("Utterance", namespace, unit(1), 2)
    st.close()
    files = sorted(p.name for p in (tmp_path / "kz" / "vindex").iterdir())
    assert any(f.startswith("utterance-") and f.endswith(".json") for f in files)
    st = open_store(Config(store=where))
    st.ensure_schema(embedding_dim=DIM)
    loaded = []
    real_load = VectorIndex.load
    try:
        VectorIndex.load = classmethod(lambda cls, stem, dim: loaded.append(stem) or real_load.__func__(cls, stem, dim))
        assert st.vector_search("Utterance", namespace, unit(1), 1)[0].score == pytest.approx(1.0, abs=1e-5)
    finally:
        VectorIndex.load = real_load
    assert loaded and len(st._vectors._indexes[("Utterance", namespace)]) == 3
    st.close()
    for p in (tmp_path / "kz" / "vindex").glob("*.npy"):
        p.write_bytes(b"torn")
    st = open_store(Config(store=where))
    st.ensure_schema(embedding_dim=DIM)
    assert st.vector_search("Utterance", namespace, unit(1), 1)[0].score == pytest.approx(1.0, abs=1e-5)
    st.close()


def test_hnsw_above_the_threshold_keeps_recall(monkeypatch):
    import graphmem.store.vindex as vindex

    monkeypatch.setattr(vindex, "BRUTE_FORCE_BELOW", 500)
    monkeypatch.setattr(vindex, "ADD_PART", 128)  # a graph's vectors go in part by part
    rng = np.random.default_rng(5)
    m = rng.standard_normal((2000, 32)).astype(np.float32)
    ids = [f"n{i}" for i in range(len(m))]
    index = VectorIndex("Fact", "ns", 32, 0)
    index.add(ids[:1000], m[:1000])
    index.add(ids[1000:], m[1000:])  # grows past the threshold, then past the graph's capacity
    assert index.kind == "hnsw" and len(index) == 2000
    unit_m = m / np.linalg.norm(m, axis=1, keepdims=True)
    # 8-bit codes: each dimension's range is the first 1,000 vectors' (the graph's training set)
    # widened by SQ_MARGIN a side; a component is decoded within half a step of its value
    # clipped to that range.
    low, high = unit_m[:1000].min(axis=0), unit_m[:1000].max(axis=0)
    margin = (high - low) * vindex.SQ_MARGIN
    step = (high - low + 2 * margin) / 255

    def clipped(rows):
        return np.clip(unit_m[rows], low - margin, high + margin)

    found = 0
    for q in rng.standard_normal((20, 32)).astype(np.float32):
        exact = {ids[i] for i in np.argsort(-(unit_m @ q))[:10]}
        hits = index.search(q, 10)
        found += len(exact & {i for i, _ in hits})
        unit_q = q / np.linalg.norm(q)
        for i, score in hits:
            assert abs(score - float(clipped([int(i[1:])])[0] @ unit_q)) <= float(np.abs(unit_q) @ step) / 2 + 1e-5
    assert found / 200 >= 0.95
    # the rows the recall view's entity step reads, decoded, after the graph grew
    kept, rows = index.rows_of(["n1999", "missing", "n3", "n1500"])
    assert kept == ["n1999", "n3", "n1500"]
    assert np.all(np.abs(index.vectors(rows) - clipped([1999, 3, 1500])) <= step / 2 + 1e-6)


def test_an_index_read_while_another_thread_adds(monkeypatch):
    """The entity step reads 8-bit codes in place while a write adds vectors (which may move
    them): reads and adds take turns, and a row's vector never changes as the graph grows."""
    import threading

    import graphmem.store.vindex as vindex

    monkeypatch.setattr(vindex, "BRUTE_FORCE_BELOW", 100)
    rng = np.random.default_rng(8)
    m = rng.standard_normal((3000, 32)).astype(np.float32)
    index = VectorIndex("Fact", "ns", 32, 0)
    index.add([f"n{i}" for i in range(200)], m[:200])
    rows, q = np.arange(200), rng.standard_normal(32)
    first = index.dot(rows, q)
    seen: list[bool] = []

    def grow() -> None:
        for lo in range(200, 3000, 50):
            index.add([f"n{i}" for i in range(lo, lo + 50)], m[lo : lo + 50])

    writer = threading.Thread(target=grow)
    writer.start()
    while writer.is_alive():
        seen.append(bool(np.array_equal(index.dot(rows, q), first)) and len(index.search(q, 5)) == 5)
    writer.join()
    assert seen and all(seen) and len(index) == 3000
    assert np.array_equal(index.dot(rows, q), first)


def test_id_table_finds_rows_before_and_after_it_sorts():
    from graphmem.store.vindex import IdTable

    ids = [f"fact_{i:05d}" for i in range(5000)] + ["é-ünïcode", "x"]
    table = IdTable(ids)  # sorted at once
    table.extend(["a-much-longer-id-than-any-before-it", "fact_99999"])  # kept beside the sorted part
    ids += ["a-much-longer-id-than-any-before-it", "fact_99999"]
    assert len(table) == len(ids) and table.tolist() == ids and table[5000] == "é-ünïcode"
    probe = ["fact_99999", "missing", "x", "fact_00000", "a-much-longer-id-than-any-before-it", "é-ünïcode",
             "an-id-longer-than-every-id-the-sorted-part-holds", "fact_0000"]
    assert table.rows(probe).tolist() == [5003, -1, 5001, 0, 5002, 5000, -1, -1]
    assert table.unique()  # sorts everything
    assert table.rows(probe).tolist() == [5003, -1, 5001, 0, 5002, 5000, -1, -1]
    table.extend(["x"])
    assert not table.unique()


def test_hnsw_files_round_trip_and_older_kinds_are_built_again(tmp_path, monkeypatch):
    import json

    import graphmem.store.vindex as vindex

    monkeypatch.setattr(vindex, "BRUTE_FORCE_BELOW", 100)
    rng = np.random.default_rng(6)
    m = rng.standard_normal((300, 32)).astype(np.float32)
    ids = [f"n{i}" for i in range(len(m))]
    index = VectorIndex("Fact", "ns", 32, 4)
    index.add(ids, m)
    index.save(tmp_path / "fact-x")
    again = VectorIndex.load(tmp_path / "fact-x", 32)
    assert again is not None and again.kind == "hnsw" and again.version == 4 and again.ids.tolist() == ids
    q = rng.standard_normal(32).astype(np.float32)
    assert again.search(q, 5) == index.search(q, 5)
    assert np.array_equal(again.vectors(again.rows_of(ids[::7])[1]), index.vectors(index.rows_of(ids[::7])[1]))
    again.add(["new"], q.reshape(1, -1))  # a loaded graph takes more vectors
    assert again.search(q, 1)[0][0] == "new"
    assert VectorIndex.load(tmp_path / "fact-x", 16) is None  # another dimension
    meta = json.loads((tmp_path / "fact-x.json").read_text())
    assert meta["kind"] == "hnsw-sq8"
    (tmp_path / "fact-x.json").write_text(json.dumps({**meta, "kind": "hnsw-fp16"}))  # float16 codes, before 8-bit
    assert VectorIndex.load(tmp_path / "fact-x", 32) is None
    (tmp_path / "fact-x.json").write_text(json.dumps({**meta, "kind": "hnsw"}))  # hnswlib's files, before faiss
    (tmp_path / "fact-x.hnsw").write_bytes(b"an hnswlib graph")
    assert VectorIndex.load(tmp_path / "fact-x", 32) is None
    index.save(tmp_path / "fact-x")  # built again: the older kind's graph goes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fact-x.faiss", "fact-x.json"]


# -- two hops (both stores) -------------------------------------------------------------------------------


def test_recall_reaches_facts_two_hops_away(store, namespace):
    turns = TURNS + [("Airbus", "Airbus builds planes in Seville", "build_in", "Seville", unit(0, 0, 0, 1))]
    store.write_batch(make_batch(namespace, "d1", turns))
    airbus_fact = make_id("fact", namespace, make_id("utt", namespace, "d1", 3), "build_in")
    assert all("fact_related" not in h.signals for h in recall(store, namespace, "Alice", unit(1, 0, 0), k=10))
    hits = recall(store, namespace, "Alice", unit(1, 0, 0), k=10, weights={"related": 0.5})
    by_id = {h.id: h for h in hits}
    assert airbus_fact in by_id  # Alice -RELATED- Airbus, and this fact is about Airbus
    assert set(by_id[airbus_fact].signals) >= {"fact_related"}
    assert not {"fact_entity", "fact_text"} & set(by_id[airbus_fact].signals)  # only the hop found it
    full = {h.id: h for h in recall(store, namespace, "Alice", unit(1, 0, 0), k=10, weights={"related": 1.0})}
    assert by_id[airbus_fact].signals["fact_related"] == pytest.approx(full[airbus_fact].signals["fact_related"] / 2)
    query = compile_query('RECALL "Alice" RANK BY related=0.5', store.dialect, namespace=namespace, embedding_dim=DIM)
    assert airbus_fact in {h.id for h in run_recall(store, query, unit(1, 0, 0))}


# -- the query-embedding cache --------------------------------------------------------------------------


def test_repeated_cues_are_embedded_once(tmp_path, monkeypatch):
    from graphmem import Memory

    class Counting:
        calls: list[str] = []

        def encode(self, texts):
            self.calls.extend(texts)
            return [unit(1 + len(t)) for t in texts]

    with Memory(tmp_path / "kz", namespace="cache") as mem:
        mem._embedder = fake = Counting()
        monkeypatch.setattr(type(mem), "CUE_CACHE", 2)
        mem.recall("where does Alice work?")
        mem.query('RECALL "where does Alice work?"')
        assert fake.calls == ["where does Alice work?"]
        mem.recall("b")
        mem.recall("c")  # evicts the oldest cue
        mem.recall("where does Alice work?")
        assert fake.calls == ["where does Alice work?", "b", "c", "where does Alice work?"]
