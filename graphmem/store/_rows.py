"""Flatten a :class:`MemoryBatch` into parameter rows, the same for every store.

Each entry of :func:`batch_rows` pairs a template name (``cypher/<dialect>/<name>.cypher``)
with the rows to feed it, in write order: nodes first, then the edges between them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from ..model import MemoryBatch

__all__ = ["batch_rows", "now_iso", "supersessions", "supersede_queries"]


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
    # A new fact's evidence is its anchors in this batch (a fact not stored yet has no others):
    # written with the fact, so only restated facts need the store to recount (evidence_rows).
    time_of = {u.id: u.time for u in batch.utterances}
    evidence: dict[str, int] = {}
    last: dict[str, str] = {}
    for a in batch.anchors:
        evidence[a.fact_id] = evidence.get(a.fact_id, 0) + 1
        t = time_of.get(a.utterance_id)
        if t is not None and t > last.get(a.fact_id, ""):
            last[a.fact_id] = t
    facts = []
    for f in batch.facts:  # restated facts are stored already: only their anchors are new
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
                "event_start": f.event_start,
                "event_end": f.event_end,
                "event_text": f.event_text,
                "evidence": evidence.get(f.id, 0),
                "last_mentioned": last.get(f.id),
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
        *evidence_rows(batch, seen=seen),
    ]


def edge_rows(batch: MemoryBatch) -> dict[str, int]:
    """How many rows :func:`batch_rows` gives each edge template of ``batch`` (before anything
    stored is pruned), counted without making them: what a group write weighs its plan by."""
    objects = sum(1 for f in batch.facts if f.object_id)
    nexts = max(len(batch.utterances) - 1 + (1 if batch.previous_utterance_id else 0), 0)
    return {"edge_part_of": len(batch.utterances), "edge_next": nexts, "edge_subject": len(batch.facts),
            "edge_object": objects, "edge_related": objects, "edge_anchored": len(batch.anchors),
            "edge_mentioned": len(batch.mentions), "edge_discourse": len(batch.links),
            "edge_turn_discourse": len(batch.turn_links)}


def evidence_rows(batch: MemoryBatch, *, seen: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """What follows the anchors: restated facts revived, evidence recounted, older facts superseded.

    Run last, in the document's transaction, in this order. A restated fact said after it was
    superseded or retracted holds again; each fact's ``evidence`` is its live anchors, and
    ``last_mentioned`` the latest of their times. Then each fact of the batch, in the order it
    was said, supersedes what it replaces (:func:`supersessions`):
    ``negation`` — the same claim with the other polarity ("I don't like jazz anymore");
    ``slot`` — another value of a functional predicate ("I moved to Berlin");
    ``change`` — another object of the same predicate, said with "now";
    ``end`` — "I quit my job". ``used_to`` facts are superseded when said.
    """
    time_of = {u.id: u.time for u in batch.utterances}
    when: dict[str, str | None] = {}
    order: dict[str, int] = {}
    position = {u.id: u.position for u in batch.utterances}
    for a in batch.anchors:
        t = time_of.get(a.utterance_id)
        if a.fact_id not in when or (t or "") > (when[a.fact_id] or ""):
            when[a.fact_id] = t
        order[a.fact_id] = max(order.get(a.fact_id, -1), position.get(a.utterance_id, 0))
    facts = [f for f in (*batch.facts, *batch.restated) if f.id in order]
    facts.sort(key=lambda f: (when.get(f.id) or "", order[f.id], f.id))
    restated = [{"id": f.id, "time": when.get(f.id)} for f in batch.restated if f.id in order]
    counted = [{"id": f["id"]} for f in restated]  # new facts carry their evidence (batch_rows)
    supersede: list[dict[str, Any]] = []
    ended: list[dict[str, Any]] = []
    for i, f in enumerate(facts):
        if f.mood != "asserted":
            continue
        stamp = when.get(f.id) or seen
        later = [g.id for g in facts[i + 1 :]] or [""]  # never an empty list: Kùzu cannot type one
        base = {"id": f.id, "namespace": batch.namespace, "stamp": stamp, "time": when.get(f.id), "later": later,
                "predicates": list(f.slot) or [""], "object": "", "subject_id": f.subject_id,
                "fact_predicate": f.predicate, "fact_object": f.object, "polarity": f.polarity}
        modes = ["negation"]
        if f.polarity and f.slot and f.change != "quit":
            modes.append("slot")
        if f.polarity and f.change == "now" and not f.slot:
            modes.append("change")
        if f.change == "quit" and f.slot:
            modes.append("end")
        for mode in modes:
            row = {**base, "mode": mode}
            if mode == "end" and not re.search(r"\b(job|work|position|role|career)\b", f.object, re.I):
                row["object"] = f.object.lower()
            supersede.append(row)
        if f.change == "used_to" and f.polarity:
            ended.append({"id": f.id, "stamp": stamp})
    return [
        ("fact_restated", restated),
        ("fact_evidence", counted),
        ("supersede", supersede),
        ("supersede_self", ended),
    ]


Candidate = Mapping[str, Any]  # a stored fact: id, predicate, object, polarity, valid_from


def supersessions(rows: Sequence[Mapping[str, Any]], candidates: Mapping[str, Sequence[Candidate]]
                  ) -> list[dict[str, Any]]:
    """Which older facts the ``supersede`` rows of :func:`evidence_rows` replace: ``{id, old, stamp}``.

    ``candidates`` maps each subject entity to its facts that could be superseded (asserted,
    neither superseded nor retracted, in the namespace, with a predicate some row asks for),
    read inside the document's transaction after its facts were written and restated facts
    revived. Rows are applied in order, as they were said: a fact superseded by one row is
    no candidate for the next. A fact never supersedes itself or a fact said after it, nor a
    fact that became valid after it was said. One rule for every store: each reads every
    subject's candidates in one statement and writes only the pairs found.
    """
    gone: set[str] = set()
    out: list[dict[str, Any]] = []
    for r in rows:
        later = set(r["later"])
        said = r["time"] or "~"
        for o in candidates.get(r["subject_id"], ()):
            oid = o["id"]
            if oid in gone or oid == r["id"] or oid in later or (o["valid_from"] or "") > said:
                continue
            if _replaces(r, o):
                out.append({"id": r["id"], "old": oid, "stamp": r["stamp"]})
                gone.add(oid)
    return out


def _lower(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else None


def _replaces(r: Mapping[str, Any], o: Candidate) -> bool:
    """Does the row's fact replace the stored fact ``o`` under the row's mode (see evidence_rows)?"""
    mode, old_obj, new_obj = r["mode"], _lower(o["object"]), _lower(r["fact_object"])
    affirmed = o["polarity"] is True
    if mode == "negation":
        return (o["predicate"] == r["fact_predicate"] and old_obj is not None and old_obj == new_obj
                and o["polarity"] is not None and r["polarity"] is not None and o["polarity"] != r["polarity"])
    if mode in ("slot", "change"):
        same = o["predicate"] in r["predicates"] if mode == "slot" else o["predicate"] == r["fact_predicate"]
        return same and affirmed and old_obj is not None and new_obj is not None and old_obj != new_obj
    if mode == "end":
        return o["predicate"] in r["predicates"] and affirmed and (r["object"] == "" or old_obj == r["object"])
    raise ValueError(f"unknown supersession mode {mode!r}")


def supersede_queries(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Subject entity → the predicates its candidates may have, for the rows of one batch."""
    out: dict[str, set[str]] = {}
    for r in rows:
        preds = out.setdefault(r["subject_id"], set())
        preds.add(r["fact_predicate"])
        preds.update(p for p in r["predicates"] if p)
    return {k: sorted(v) for k, v in out.items()}


def prune_existing(batch: MemoryBatch, existing: set[str], known_facts: set[str] | frozenset[str] = frozenset()
                   ) -> MemoryBatch:
    """The part of ``batch`` whose utterances are not stored yet (facts follow their anchors).

    Entities stay: they are merged, never duplicated. Facts in ``known_facts`` are already
    stored: they move to ``restated`` and gain the batch's anchors as evidence.
    """
    if not existing and not known_facts:
        return batch
    if not existing:
        return replace(batch, facts=[f for f in batch.facts if f.id not in known_facts],
                       restated=[f for f in batch.facts if f.id in known_facts])
    keep_utts = [u for u in batch.utterances if u.id not in existing]
    # A fact stays while one of its anchors is new (a restatement in a new turn is evidence).
    fresh = {a.fact_id for a in batch.anchors if a.utterance_id not in existing}
    dropped_facts = {f.id for f in batch.facts if f.id not in fresh}
    facts = [f for f in batch.facts if f.id not in dropped_facts and f.id not in known_facts]
    restated = [f for f in batch.facts if f.id not in dropped_facts and f.id in known_facts]
    kept = {f.id for f in facts} | {f.id for f in restated}
    return MemoryBatch(
        namespace=batch.namespace,
        source=batch.source,
        utterances=keep_utts,
        entities=batch.entities,
        mentions=[m for m in batch.mentions if m.utterance_id not in existing],
        facts=facts,
        anchors=[a for a in batch.anchors if a.fact_id in kept and a.utterance_id not in existing],
        # A link may start at a fact stored earlier (the turn before); it belongs to its newer end.
        links=[d for d in batch.links
               if d.source_fact_id not in dropped_facts and d.target_fact_id not in dropped_facts
               and (d.source_fact_id in kept or d.target_fact_id in kept)],
        turn_links=[t for t in batch.turn_links if t.target_utterance_id not in existing],
        restated=restated,
        previous_utterance_id=batch.previous_utterance_id,
    )
