"""Hybrid recall: candidates from vectors, full text and entities, fused by reciprocal rank.

Every candidate list is one *signal*; a result's score is the sum over signals of
``weight / (RRF_K + rank)`` (Cormack et al., SIGIR 2009, with k = 60), and
:attr:`RecallHit.signals` keeps each term so a score can be explained.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .store.base import Hit, Store

__all__ = ["Provenance", "RecalledFact", "RecallHit", "recall", "RRF_K", "DEFAULT_WEIGHTS"]

RRF_K = 60
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "fact_vector": 1.0,
    "fact_text": 1.0,
    "entity": 1.0,
    "utterance_vector": 1.0,
    "utterance_text": 1.0,
}


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a memory came from: the utterance, who said it, when, and the exact span."""

    utterance_id: str
    utterance: str
    speaker: str | None
    session: str | None
    time: str | None
    source: str | None
    external_id: str | None = None
    start: int = 0
    end: int | None = None

    @property
    def quote(self) -> str:
        """The exact text the memory was taken from."""
        return self.utterance[self.start : self.end]


@dataclass(frozen=True, slots=True)
class RecalledFact:
    subject: str
    predicate: str
    relation: str
    object: str
    polarity: bool
    modality: str | None
    tense: str | None
    confidence: float
    mood: str = "asserted"
    attribution: str | None = None


@dataclass(frozen=True, slots=True)
class RecallHit:
    """One recalled memory: a fact (with its anchor) or an utterance."""

    kind: str  # "fact" | "utterance"
    id: str
    text: str
    score: float
    provenance: Provenance
    fact: RecalledFact | None = None
    signals: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        out = asdict(self)
        out["provenance"]["quote"] = self.provenance.quote
        return out


def _fuse(lists: Mapping[str, list[tuple[str, str]]], weights: Mapping[str, float]) -> dict[tuple[str, str], dict[str, float]]:
    fused: dict[tuple[str, str], dict[str, float]] = {}
    for signal, keys in lists.items():
        w = weights.get(signal, 1.0)
        if w <= 0:
            continue
        for rank, key in enumerate(keys, start=1):
            fused.setdefault(key, {})[signal] = w / (RRF_K + rank)
    return fused


def recall(
    store: Store,
    namespace: str,
    cue: str,
    vector: list[float],
    *,
    k: int = 10,
    weights: Mapping[str, float] | None = None,
) -> list[RecallHit]:
    """Fuse the candidates for ``cue`` (embedded as ``vector``) and return the best ``k``."""
    weights = DEFAULT_WEIGHTS if weights is None else weights
    templates = store.templates
    pool = max(3 * k, 20)

    def ids(hits: list[Hit], kind: str) -> list[tuple[str, str]]:
        return [(kind, h.id) for h in hits]

    lists: dict[str, list[tuple[str, str]]] = {
        "fact_vector": ids(store.vector_search("Fact", namespace, vector, pool), "fact"),
        "fact_text": ids(store.text_search("Fact", namespace, cue, pool), "fact"),
        "utterance_vector": ids(store.vector_search("Utterance", namespace, vector, pool), "utterance"),
        "utterance_text": ids(store.text_search("Utterance", namespace, cue, pool), "utterance"),
    }
    entities = store.text_search("Entity", namespace, cue, 5)
    if entities:
        rows = store.run(templates.stmt("entity_facts", ids=[e.id for e in entities], namespace=namespace, vector=vector, k=pool))
        lists["entity"] = [("fact", r[0]) for r in rows]
    fused = _fuse(lists, weights)
    ranked = sorted(fused.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))

    fact_ids = [key[1] for key, _ in ranked if key[0] == "fact"]
    utt_ids = [key[1] for key, _ in ranked if key[0] == "utterance"]
    facts = {
        r["id"]: r
        for r in store.run(templates.stmt("fact_details", ids=fact_ids, namespace=namespace)).dicts()
    } if fact_ids else {}
    utts = {
        r["utterance_id"]: r
        for r in store.run(templates.stmt("utterance_details", ids=utt_ids, namespace=namespace)).dicts()
    } if utt_ids else {}

    out: list[RecallHit] = []
    covered: set[str] = set()  # utterances already shown through one of their facts
    for (kind, node_id), signals in ranked:
        if len(out) >= k:
            break
        score = sum(signals.values())
        if kind == "fact" and node_id in facts:
            r = facts[node_id]
            if r["mood"] == "question":
                continue  # a question claims nothing; its utterance can still be recalled
            covered.add(r["utterance_id"])
            out.append(
                RecallHit(
                    "fact",
                    node_id,
                    r["text"],
                    score,
                    _provenance(r, r["char_start"], r["char_end"]),
                    RecalledFact(
                        r["subject"], r["predicate"], r["relation"], r["object"], bool(r["polarity"]),
                        r["modality"], r["tense"], float(r["confidence"]), r["mood"] or "asserted",
                        r["attribution"],
                    ),
                    signals,
                )
            )
        elif kind == "utterance" and node_id in utts and node_id not in covered:
            r = utts[node_id]
            covered.add(node_id)
            out.append(RecallHit("utterance", node_id, r["utterance"], score, _provenance(r, 0, None), None, signals))
    return out


def _provenance(r: Mapping[str, Any], start: int | None, end: int | None) -> Provenance:
    return Provenance(
        utterance_id=r["utterance_id"],
        utterance=r["utterance"],
        speaker=r["speaker"],
        session=r["session"],
        time=r["time"],
        source=r["source"],
        external_id=r["external_id"],
        start=start or 0,
        end=end if end is not None else len(r["utterance"]),
    )
