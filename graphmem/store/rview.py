"""The embedded store's recall view: derived, read-only columns of one namespace for RECALL.

Kùzu 0.11 plans a join after ``WITH`` or an ``IN`` list as a scan of whole tables, so the
entity candidates and the hydration of a RECALL cost 0.5–1.5 s at 100k facts
(``bench/README.md``). This view holds, per namespace, what those statements read —
each fact's and utterance's hydration row, which facts and utterances may be recalled,
entity → facts, fact → anchor utterances, the fact embeddings — so the common RECALL
answers them with dictionary look-ups and one matrix product (:mod:`graphmem.query.execute`).

It is never the truth: it is built from the nodes and edges, and it is only used while it
reflects the store's ``recall_version`` counter in ``Meta`` (:data:`RECALL_KEY`), which
every write that can change what recall returns raises inside its transaction
(:meth:`KuzuStore._bump_recall`). A stale view is rebuilt from the database on the next
recall, in this process or any other; nothing is written to disk.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["RECALL_KEY", "RecallView", "build_view"]

#: ``Meta`` key of the counter that every recall-visible write raises (all namespaces).
RECALL_KEY = "recall_version"

# Fixed statements: the namespace is the only value and it is a parameter.
_FACTS = """
MATCH (f:Fact) WHERE f.namespace = $ns
RETURN f.id AS id, f.mood AS mood, f.retracted AS retracted, f.superseded AS superseded
"""
_UTTERANCES = """
MATCH (u:Utterance) WHERE u.namespace = $ns RETURN u.id AS id, u.retracted AS retracted
"""
_ENTITY_FACTS = """
MATCH (f:Fact)-[:SUBJECT|OBJECT]->(e:Entity) WHERE e.namespace = $ns RETURN DISTINCT e.id AS e, f.id AS f
"""
_ANCHORS = """
MATCH (g:Fact)-[:ANCHORED_IN]->(m:Utterance) WHERE g.namespace = $ns RETURN g.id AS f, m.id AS m
"""
#: The cue's five best entities by full-text score (the first step of ``fact_entity``).
ENTITY_SEARCH = """
CALL QUERY_FTS_INDEX('Entity', 'entity_name', $p1) WITH node AS e, score
WITH e, score AS es WHERE e.namespace = $ns
RETURN e.id AS id ORDER BY es DESC LIMIT 5
"""


def _whole_namespace(template: str, id_filter: str) -> str:
    """The hydration template ``template`` (what RECALL's Cypher path runs) for every node of
    the namespace: its id filter and its ORDER BY taken out, ``$namespace`` spelled ``$ns``.
    One source for the columns, so the view and the Cypher path cannot drift apart."""
    from ..resources import cypher_text

    text = cypher_text("kuzu", template)
    if id_filter not in text:
        raise RuntimeError(f"{template}.cypher no longer filters with {id_filter!r}: update rview.py")
    return text.replace(id_filter, "").split("\nORDER BY")[0].replace("$namespace", "$ns")


def _time_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """fact_details.cypher's ORDER BY time, position, utterance_id (nulls last)."""
    time, position = row.get("time"), row.get("position")
    return (time is None, time or "", position is None, position or 0, row["utterance_id"])


class RecallView:
    """What a RECALL reads of one namespace, as of one ``recall_version``."""

    def __init__(self, namespace: str, version: int) -> None:
        self.namespace, self.version = namespace, version
        self.fact_ok: set[str] = set()  # not a question, not retracted, not superseded
        self.utterance_ok: set[str] = set()  # not retracted
        self.facts: dict[str, dict[str, Any]] = {}  # hydration rows (the anchor with the latest time)
        self.utterances: dict[str, dict[str, Any]] = {}
        self.entity_facts: dict[str, list[str]] = {}
        self.entity_df: dict[str, int] = {}  # distinct utterances anchoring the entity's facts
        self.n_utterances = 0
        self.fact_row: dict[str, int] = {}  # fact id → row of ``fact_matrix``
        self.fact_matrix = np.zeros((0, 0), dtype=np.float32)  # unit rows

    def entity_candidates(self, entities: Sequence[str], vector: Sequence[float], fetch: int,
                          k: int) -> list[str]:
        """``fact_entity``: the facts of the cue's entities by idf × cosine to the cue."""
        q = np.asarray(vector, dtype=np.float64)
        norm = float(np.linalg.norm(q))
        pairs: list[tuple[float, str]] = []
        for e in dict.fromkeys(entities):
            facts = self.entity_facts.get(e)
            if not facts:
                continue
            idf = math.log((self.n_utterances + 1.0) / (self.entity_df.get(e, 0) + 0.5))
            rows = [self.fact_row[f] for f in facts if f in self.fact_row]
            cos = (self.fact_matrix[rows].astype(np.float64) @ q) / (norm or 1.0)
            pairs += [(idf * float(c), f) for f, c in zip((f for f in facts if f in self.fact_row), cos)]
        pairs.sort(key=lambda p: -p[0])
        kept = dict.fromkeys((s, f) for s, f in pairs[:fetch] if f in self.fact_ok)
        return [f for s, f in sorted(kept, key=lambda p: (-p[0], p[1]))[:k]]

    def filtered(self, ids: Sequence[str], scores: Sequence[float], ok: set[str], k: int) -> list[str]:
        """A vector list: the side index's ids that may be recalled, by score then id."""
        kept = dict.fromkeys((float(s), i) for i, s in zip(ids, scores) if i in ok)
        return [i for s, i in sorted(kept, key=lambda p: (-p[0], p[1]))[:k]]


def build_view(conn: Any, namespace: str, version: int, embeddings: tuple[list[str], np.ndarray]) -> RecallView:
    """Read one namespace's recall view from a Kùzu connection (one scan per table)."""

    def rows(text: str) -> list[dict[str, Any]]:
        return conn.execute(text, {"ns": namespace}).get_as_arrow().to_pylist()

    view = RecallView(namespace, version)
    for r in rows(_FACTS):
        if r["mood"] is not None and r["mood"] != "question" and r["retracted"] is None and r["superseded"] is None:
            view.fact_ok.add(r["id"])
    # Ordered as fact_details.cypher orders them: the last row of a fact wins, on both paths.
    for r in sorted(rows(_whole_namespace("fact_details", "f.id IN $ids AND ")), key=_time_key):
        view.facts[r["id"]] = r
    utts = rows(_UTTERANCES)
    view.n_utterances = len(utts)
    view.utterance_ok = {r["id"] for r in utts if r["retracted"] is None}
    view.utterances = {r["utterance_id"]: r for r in rows(_whole_namespace("utterance_details", "u.id IN $ids AND "))}
    anchors: dict[str, list[str]] = {}
    for r in rows(_ANCHORS):
        anchors.setdefault(r["f"], []).append(r["m"])
    for r in rows(_ENTITY_FACTS):
        view.entity_facts.setdefault(r["e"], []).append(r["f"])
    for e, facts in view.entity_facts.items():
        view.entity_df[e] = len({m for f in facts for m in anchors.get(f, ())})
    ids, matrix = embeddings
    view.fact_row = {i: n for n, i in enumerate(ids)}
    view.fact_matrix = np.asarray(matrix, dtype=np.float32)
    if view.fact_matrix.size:
        norms = np.linalg.norm(view.fact_matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        view.fact_matrix = view.fact_matrix / norms
    return view
