"""What recall returns — memories with their provenance — and ``recall()``, the RECALL shortcut.

Candidates come from vectors, full text and the entities named in the cue, fused by
reciprocal rank (see :mod:`graphmem.query.execute`); :attr:`RecallHit.signals` keeps
each signal's share of the score so a ranking can be explained.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .store.base import Store

__all__ = ["Provenance", "RecalledFact", "RecallHit", "cue_speakers", "embedding_text", "recall"]


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
    event_start: str | None = None  # when it happened or holds (ISO days), if the text said
    event_end: str | None = None
    evidence: int = 1  # how many utterances state it


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


def recall(
    store: Store,
    namespace: str,
    cue: str,
    vector: list[float],
    *,
    k: int = 10,
    weights: Mapping[str, float] | None = None,
    view: Any = None,
) -> list[RecallHit]:
    """``RECALL "cue" LIMIT k`` on ``store``, with the cue already embedded as ``vector``
    (embed :func:`embedding_text` of the cue, as :class:`graphmem.Memory` does).

    ``weights`` may name signals (``vector``, ``text``, ``entity``, ``recency``) or single
    candidate lists (``fact_vector``, ``utterance_text`` …); a weight of 0 turns one off.
    ``view``: the store's recall view of ``namespace`` when the caller has read it already.
    """
    from .query.ast import Literal, Recall
    from .query.compile import DEFAULT_WEIGHTS, compile_query
    from .query.execute import run_recall

    hops = (("related", float(weights["related"])),) if weights and weights.get("related") else ()  # a statement
    compiled = compile_query(Recall(cue=Literal(cue), limit=Literal(int(k)), weights=hops), store.dialect,
                             namespace=namespace, embedding_dim=len(vector))
    if weights is not None:
        merged = {**DEFAULT_WEIGHTS, **weights}
        compiled = replace(compiled, fusion=replace(compiled.fusion, weights=merged))
    return run_recall(store, compiled, vector, view=view)


def cue_speakers(store: Store, namespace: str, cue: str, view: Any = None) -> list[str]:
    """The speakers of ``namespace`` that ``cue`` names (a run of its words equal to the name,
    case aside): from the namespace's recall view (``view``, or the store's), or looked up by
    the Neo4j index on (namespace, speaker) where the store keeps none."""
    from .query.cue import name_candidates, name_runs
    from .resources import cypher_text
    from .store.base import Statement

    known = getattr(store, "speaker_names", None)
    if view is not None or known is not None:
        names = set(name_candidates(cue))
        speakers = view.speakers if view is not None else known(namespace)
        if speakers is not None:
            return sorted(s for s in speakers if s.lower() in names)
    st = Statement(cypher_text(store.dialect, "speakers_named"), {"namespace": namespace, "names": name_runs(cue)},
                   read_only=True)
    return sorted({r[0] for r in store.run(st).rows})


def embedding_text(store: Store, namespace: str, cue: str, view: Any = None) -> str:
    """What RECALL embeds for ``cue``: the cue in its speakers' first person
    (:func:`graphmem.query.cue.first_person`); the cue itself when it names no speaker."""
    from .query.cue import first_person

    speakers = cue_speakers(store, namespace, cue, view)
    return first_person(cue, speakers) if speakers else cue
