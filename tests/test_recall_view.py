"""The embedded store's recall view (graphmem/store/rview.py) answers RECALL exactly as the
Cypher statements do, and is never stale: every write path raises its counter. No NLP model."""

from __future__ import annotations

import numpy as np
import pytest

from graphmem.config import Config
from graphmem.query.compile import compile_query
from graphmem.query.execute import _view, run_recall, run_rows
from graphmem.store import open_store

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


@pytest.fixture
def kz(tmp_path, namespace):
    st = open_store(Config(store=str(tmp_path / "kz")))
    st.ensure_schema(embedding_dim=DIM)
    rng = np.random.default_rng(11)
    for d in range(3):
        st.write_batch(make_batch(namespace, f"doc{d}", _turns(rng, 40, f"d{d}")))
    yield st
    st.close()


def _hits(store, text: str, namespace: str, vector: list[float]):
    compiled = compile_query(text, "kuzu", namespace=namespace, embedding_dim=DIM)
    return [(h.kind, h.id, round(h.score, 9), {k: round(v, 9) for k, v in h.signals.items()}, h.text,
             h.provenance.utterance_id) for h in run_recall(store, compiled, vector)]


CUES = ['RECALL "jazz with Alice"', 'RECALL "Bob boat" LIMIT 5', 'RECALL "Carol piano river" LIMIT 20',
        'RECALL "garden" RANK BY vector = 2, text = 0.5']


def test_view_answers_like_cypher(kz, namespace):
    rng = np.random.default_rng(5)
    compiled = compile_query(CUES[0], "kuzu", namespace=namespace, embedding_dim=DIM)
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
    compiled = compile_query('RECALL "jazz" ABOUT Alice', "kuzu", namespace=namespace, embedding_dim=DIM)
    view, fast = _view(kz, compiled, [0.0] * DIM)
    assert "fact_vector" not in fast  # its text carries the ABOUT filter: the view cannot answer it


def test_view_is_never_stale(kz, namespace):
    rng = np.random.default_rng(9)
    v = rng.standard_normal(DIM)
    v = (v / np.linalg.norm(v)).tolist()
    before = _hits(kz, CUES[0], namespace, v)
    view = kz.recall_view(namespace)
    # a write: the new fact, nearest to the cue, must be recalled at once
    kz.write_batch(make_batch(namespace, "late", [("Alice", "I like the jazz with Alice now", "like_jazz", "Alice", v)]))
    assert kz.recall_view(namespace) is not view
    after = _hits(kz, CUES[0], namespace, v)
    new = {h[1] for h in after} - {h[1] for h in before}
    assert new and all(h[0] == "fact" for h in after if h[1] in new)
    assert after == _hits(_CypherOnly(kz), CUES[0], namespace, v)
    # a forget through the query language: its facts leave recall at once
    run_rows(kz, compile_query("FORGET FACTS ABOUT Alice", "kuzu", namespace=namespace, embedding_dim=DIM))
    forgotten = _hits(kz, CUES[0], namespace, v)
    assert forgotten == _hits(_CypherOnly(kz), CUES[0], namespace, v)
    assert forgotten != after and not any(h[0] == "fact" and "Alice" in h[4] for h in forgotten)


def test_another_connection_sees_writes(tmp_path, namespace):
    """The counter lives in the database: a second store object on the same files (what another
    process does) rebuilds its view after a write made through the first."""
    path = tmp_path / "shared"
    rng = np.random.default_rng(2)
    a = open_store(Config(store=str(path)))
    a.ensure_schema(embedding_dim=DIM)
    a.write_batch(make_batch(namespace, "one", _turns(rng, 10, "o")))
    v = _turns(rng, 1, "q")[0][4]
    first = _hits(a, CUES[0], namespace, v)
    version = a.recall_view(namespace).version
    a._views.clear()
    a._views[namespace] = type(a.recall_view(namespace))(namespace, version - 1)  # a view from an older counter
    assert _hits(a, CUES[0], namespace, v) == first  # rebuilt, not answered from the old one
    a.write_batch(make_batch(namespace, "two", [("Bob", "I like the boat with Alice", "like_boat", "Alice", v)]))
    assert a.recall_view(namespace).version > version
    a.close()
