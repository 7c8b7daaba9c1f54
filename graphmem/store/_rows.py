"""Flatten a :class:`MemoryBatch` into parameter rows, the same for every store.

Each entry of :func:`batch_rows` pairs a template name (``cypher/<dialect>/<name>.cypher``)
with the rows to feed it, in write order: nodes first, then the edges between them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..model import MemoryBatch

__all__ = ["batch_rows", "now_iso"]


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0).isoformat()


def _span(span: tuple[int, int] | None) -> tuple[int | None, int | None]:
    return (None, None) if span is None else span


def batch_rows(batch: MemoryBatch, *, seen: str | None = None) -> list[tuple[str, list[dict[str, Any]]]]:
    """Template name → rows, nodes before edges. ``seen`` stamps entities and the source."""
    seen = seen or now_iso()
    ns = batch.namespace
    src = batch.source
    sources = [
        {
            "id": src.id,
            "namespace": ns,
            "uri": src.uri,
            "kind": src.kind,
            "title": src.title,
            "time": src.time,
            "content_hash": src.content_hash,
            "ingested_at": seen,
        }
    ]
    utterances = [
        {
            "id": u.id,
            "namespace": ns,
            "source_id": u.source_id,
            "text": u.text,
            "speaker": u.speaker,
            "session": u.session,
            "time": u.time,
            "position": u.position,
            "external_id": u.external_id,
            "act": u.act,
            "embedding": u.embedding,
        }
        for u in batch.utterances
    ]
    entities = [
        {"id": e.id, "namespace": ns, "name": e.name, "type": e.type, "aliases": list(e.aliases), "seen": seen}
        for e in batch.entities
    ]
    facts = []
    for f in batch.facts:
        (ss, se), (rs, re_), (os_, oe) = _span(f.subject_span), _span(f.relation_span), _span(f.object_span)
        anchor_utt = next((a.utterance_id for a in batch.anchors if a.fact_id == f.id), None)
        facts.append(
            {
                "id": f.id,
                "namespace": ns,
                "subject": f.subject,
                "predicate": f.predicate,
                "relation": f.relation,
                "object": f.object,
                "text": f.text,
                "polarity": f.polarity,
                "modality": f.modality,
                "tense": f.tense,
                "mood": f.mood,
                "attribution": f.attribution,
                "confidence": float(f.confidence),
                "valid_from": f.valid_from,
                "utterance_id": anchor_utt,
                "subject_start": ss,
                "subject_end": se,
                "relation_start": rs,
                "relation_end": re_,
                "object_start": os_,
                "object_end": oe,
                "embedding": f.embedding,
            }
        )

    part_of = [{"a": u.id, "b": u.source_id} for u in batch.utterances]
    ordered = sorted(batch.utterances, key=lambda u: u.position)
    chain = [u.id for u in ordered]
    if batch.previous_utterance_id and chain:
        chain.insert(0, batch.previous_utterance_id)
    nexts = [{"a": a, "b": b} for a, b in zip(chain, chain[1:])]
    subjects = [{"a": f.id, "b": f.subject_id} for f in batch.facts]
    objects = [{"a": f.id, "b": f.object_id} for f in batch.facts if f.object_id]
    related = [
        {"a": f.subject_id, "b": f.object_id, "predicate": f.predicate, "fact_id": f.id, "namespace": ns}
        for f in batch.facts
        if f.object_id
    ]
    anchored = [{"a": a.fact_id, "b": a.utterance_id, "char_start": a.start, "char_end": a.end} for a in batch.anchors]
    mentioned = [
        {"a": m.entity_id, "b": m.utterance_id, "char_start": m.start, "char_end": m.end, "text": m.text}
        for m in batch.mentions
    ]
    discourse = [
        {"a": d.source_fact_id, "b": d.target_fact_id, "relation": d.relation, "connective": d.connective,
         "confidence": float(d.confidence)}
        for d in batch.links
    ]
    turn_discourse = [
        {"a": t.source_utterance_id, "b": t.target_utterance_id, "relation": t.relation, "connective": t.connective,
         "confidence": float(t.confidence)}
        for t in batch.turn_links
    ]
    return [
        ("write_source", sources),
        ("write_utterance", utterances),
        ("write_entity", entities),
        ("write_fact", facts),
        ("edge_part_of", part_of),
        ("edge_next", nexts),
        ("edge_subject", subjects),
        ("edge_object", objects),
        ("edge_related", related),
        ("edge_anchored", anchored),
        ("edge_mentioned", mentioned),
        ("edge_discourse", discourse),
        ("edge_turn_discourse", turn_discourse),
    ]


def prune_existing(batch: MemoryBatch, existing: set[str]) -> MemoryBatch:
    """The part of ``batch`` whose utterances are not stored yet (facts follow their anchors).

    Entities stay: they are merged, never duplicated.
    """
    if not existing:
        return batch
    keep_utts = [u for u in batch.utterances if u.id not in existing]
    dropped_facts = {a.fact_id for a in batch.anchors if a.utterance_id in existing}
    facts = [f for f in batch.facts if f.id not in dropped_facts]
    kept = {f.id for f in facts}
    return MemoryBatch(
        namespace=batch.namespace,
        source=batch.source,
        utterances=keep_utts,
        entities=batch.entities,
        mentions=[m for m in batch.mentions if m.utterance_id not in existing],
        facts=facts,
        anchors=[a for a in batch.anchors if a.fact_id in kept],
        # A link may start at a fact stored earlier (the turn before); it belongs to its newer end.
        links=[d for d in batch.links
               if d.source_fact_id not in dropped_facts and d.target_fact_id not in dropped_facts
               and (d.source_fact_id in kept or d.target_fact_id in kept)],
        turn_links=[t for t in batch.turn_links if t.target_utterance_id not in existing],
        previous_utterance_id=batch.previous_utterance_id,
    )
