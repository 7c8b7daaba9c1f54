"""One claim, one fact: restatements become evidence; change cues and functional slots for supersession.

A fact's id is its claim — namespace, subject entity, predicate, object, polarity, mood,
modality and attribution — not the utterance that said it, so a claim stated again is the same
:class:`~graphmem.model.Fact` with another anchor (its evidence). :func:`merge_restated` folds a
batch's restatements together; the stores then find claims already stored and add anchors to them.

Change cues ("no longer", "used to", "now", "quit") and functional predicates (one value at a
time: where one lives, works, whom one is married to) tell the stores which older facts a new
one supersedes (:func:`graphmem.store._rows.evidence_rows`). No database code here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..model import Fact, MemoryBatch, make_id

__all__ = ["fact_id", "merge_restated", "apply_cues", "mark_slots", "DEFAULT_FUNCTIONAL"]

#: Functional predicates, in groups sharing one value: a subject lives in one place at a time,
#: so "I moved to Berlin" supersedes "I live in Paris". ``Config.functional_predicates`` overrides.
DEFAULT_FUNCTIONAL: tuple[tuple[str, ...], ...] = (
    ("live_in", "move_to", "relocate_to", "reside_in", "move_back_to", "be_based_in"),
    ("work_at", "work_for", "be_employed_by", "start_work_at", "get_job_at"),
    ("be_married_to", "marry", "be_engaged_to"),
    ("be_age", "turn"),
)
#: Predicates that end a functional value ("I quit my job", "I left Airbus").
_ENDING = {"quit", "leave", "resign_from", "stop_work_at", "stop_work_for"}
_NO_LONGER = re.compile(r"\b(no longer|not any ?more|n't any ?more|nevermore)\b", re.I)
_USED_TO = re.compile(r"\bused to\b", re.I)
_NOW = re.compile(r"\b(now|nowadays|these days|anymore|any more|currently)\b", re.I)


def fact_id(namespace: str, subject_id: str, predicate: str, object_key: str, *, polarity: bool, mood: str,
            modality: str | None = None, attribution: str | None = None) -> str:
    """The id of a claim: the same words about the same things, wherever they were said.

    >>> fact_id("n", "ent_1", "live_in", "paris", polarity=True, mood="asserted") == \\
    ...     fact_id("n", "ent_1", "live_in", "paris", polarity=True, mood="asserted")
    True
    """
    return make_id("fact", namespace, subject_id, predicate, object_key, polarity, mood, modality or "",
                   (attribution or "").lower())


def _key(f: Fact) -> str:
    from .pipeline import entity_key

    obj = f.object_id or entity_key(f.object)
    return fact_id(f.namespace, f.subject_id, f.predicate, obj, polarity=f.polarity, mood=f.mood,
                   modality=f.modality, attribution=f.attribution)


def merge_restated(batch: MemoryBatch) -> MemoryBatch:
    """Give every fact its claim id and fold restatements into one fact with several anchors.

    Facts are changed in place (other holders of them see the new ids); the first statement
    stays, later ones add their anchors. Discourse links follow the merged facts.
    """
    renamed: dict[str, str] = {}
    first: dict[str, Fact] = {}
    facts: list[Fact] = []
    for f in batch.facts:
        new = _key(f)
        renamed[f.id] = new
        f.id = new
        if new in first:
            kept = first[new]
            if kept.event_start is None and f.event_start is not None:
                kept.event_start, kept.event_end, kept.event_text = f.event_start, f.event_end, f.event_text
            kept.change = kept.change or f.change
            continue
        first[new] = f
        facts.append(f)
    batch.facts = facts
    seen: set[tuple[str, str]] = set()
    anchors = []
    for a in batch.anchors:
        a.fact_id = renamed.get(a.fact_id, a.fact_id)
        if (a.fact_id, a.utterance_id) not in seen:  # one anchor per fact and utterance
            seen.add((a.fact_id, a.utterance_id))
            anchors.append(a)
    batch.anchors = anchors
    links, linked = [], set()
    for d in batch.links:
        d.source_fact_id = renamed.get(d.source_fact_id, d.source_fact_id)
        d.target_fact_id = renamed.get(d.target_fact_id, d.target_fact_id)
        key = (d.source_fact_id, d.target_fact_id, d.relation)
        if d.source_fact_id != d.target_fact_id and key not in linked:
            linked.add(key)
            links.append(d)
    batch.links = links
    return batch


def apply_cues(facts: Iterable[Fact], sentence: str) -> None:
    """Read the change cues of a sentence into the facts it states.

    "I no longer work at Airbus" is the negation of working there; "I used to live in Paris"
    held and no longer does; "Now I work at Google" replaces what came before.
    """
    for f in facts:
        if f.polarity and _NO_LONGER.search(sentence):
            f.text = f.text.replace(f.relation, f"no longer {f.relation}", 1) if f.relation else f.text
            f.relation = f"no longer {f.relation}"
            f.polarity = False
            f.change = "no_longer"
        elif _USED_TO.search(f.relation) or _USED_TO.search(sentence):
            f.change = "used_to"
        elif f.predicate in _ENDING:
            f.change = "quit"
        elif _NOW.search(sentence):
            f.change = "now"


def mark_slots(batch: MemoryBatch, functional: Sequence[Sequence[str]] = DEFAULT_FUNCTIONAL) -> None:
    """Give each fact with a functional predicate its group (``Fact.slot``) — for "quit", the employer's."""
    group = {p: tuple(g) for g in functional for p in g}
    employer = next((tuple(g) for g in functional if "work_at" in g), ())
    for f in batch.facts:
        if f.change == "quit":
            f.slot = employer
        else:
            f.slot = group.get(f.predicate, ())
