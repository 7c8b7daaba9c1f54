"""The graph model as plain typed data. No database code, no NLP code.

A :class:`MemoryBatch` carries one document's worth (a file, a dialogue session, or
one added turn) from the pipeline to a store, which writes it atomically.

Identifiers are content-derived (:func:`make_id`), so the same text in the same
namespace always yields the same ids — the basis of idempotent ingest.
Times are naive ISO-8601 strings in UTC (see :func:`iso_time`), so both stores
compare and sort them the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

__all__ = [
    "Source",
    "Utterance",
    "Entity",
    "Mention",
    "Fact",
    "FactAnchor",
    "DiscourseLink",
    "TurnLink",
    "MemoryBatch",
    "make_id",
    "content_hash",
    "iso_time",
]


def make_id(kind: str, *parts: object) -> str:
    """A stable id: ``kind`` prefix plus a 20-hex-digit BLAKE2b digest of ``parts``.

    >>> make_id("ent", "default", "alice") == make_id("ent", "default", "alice")
    True
    >>> make_id("ent", "default", "alice")[:4]
    'ent_'
    """
    h = hashlib.blake2b(digest_size=10)
    for part in parts:
        h.update(str(part).encode("utf-8"))
        h.update(b"\x1f")
    return f"{kind}_{h.hexdigest()}"


def content_hash(*chunks: str) -> str:
    """SHA-256 of the given text chunks (the identity of a document's content)."""
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def iso_time(value: datetime | str | None) -> str | None:
    """Normalize a time to a naive UTC ISO string (seconds precision).

    >>> iso_time(datetime(2023, 5, 8, 13, 56, tzinfo=timezone.utc))
    '2023-05-08T13:56:00'
    >>> iso_time("2023-05-08")
    '2023-05-08T00:00:00'
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat()


@dataclass(slots=True)
class Source:
    """A document or a dialogue session."""

    id: str
    namespace: str
    uri: str
    kind: str  # "document" | "dialogue"
    content_hash: str
    title: str | None = None
    time: str | None = None


@dataclass(slots=True)
class Utterance:
    """A turn of dialogue or a passage of a document."""

    id: str
    namespace: str
    source_id: str
    text: str
    position: int
    speaker: str | None = None
    session: str | None = None
    time: str | None = None
    external_id: str | None = None  # e.g. LoCoMo's dia_id
    act: str | None = None  # dialogue act: question | answer | statement (set by the pipeline)
    embedding: list[float] | None = None


@dataclass(slots=True)
class Entity:
    """A canonical thing the memory knows about (per namespace)."""

    id: str
    namespace: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()


@dataclass(slots=True)
class Mention:
    """An entity mentioned at ``[start, end)`` of an utterance's text."""

    entity_id: str
    utterance_id: str
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Fact:
    """A subject–predicate–object statement extracted from one utterance.

    ``predicate`` is normalized (lemma + particle + preposition: ``work_at``),
    ``relation`` is the surface text. Spans are character offsets into the
    anchoring utterance's text; ``object_id`` is ``None`` for literal objects, and
    ``object`` is empty for facts without one ("Bob was fired").
    """

    id: str
    namespace: str
    subject_id: str
    subject: str
    predicate: str
    relation: str
    object: str
    text: str
    object_id: str | None = None
    polarity: bool = True
    modality: str | None = None
    tense: str | None = None
    mood: str = "asserted"  # asserted | question | conditional: only asserted facts are claims
    attribution: str | None = None  # who is reported to have said it ("Bob said that …")
    confidence: float = 1.0
    subject_span: tuple[int, int] | None = None
    relation_span: tuple[int, int] | None = None
    object_span: tuple[int, int] | None = None
    valid_from: str | None = None
    embedding: list[float] | None = None
    # Event time (when it happened or holds), apart from record time (when it was said):
    # ISO days, first and last included, and the words that gave them ("last Friday").
    event_start: str | None = None
    event_end: str | None = None
    event_text: str | None = None
    # Supersession, decided before writing (never stored as such): the functional predicates
    # this fact shares one value with ("live_in", "move_to" …), and a change cue of its
    # utterance ("now", "used_to", "quit").
    slot: tuple[str, ...] = ()
    change: str | None = None


@dataclass(slots=True)
class FactAnchor:
    """The exact span ``[start, end)`` of an utterance that states a fact."""

    fact_id: str
    utterance_id: str
    start: int
    end: int


@dataclass(slots=True)
class DiscourseLink:
    """A discourse relation between two facts (e.g. cause, contrast)."""

    source_fact_id: str
    target_fact_id: str
    relation: str
    connective: str | None = None
    confidence: float = 1.0


@dataclass(slots=True)
class TurnLink:
    """A discourse relation between two utterances, earlier → later.

    Written when a relation's arguments lie in different utterances ("I moved." —
    "Because I got a job.") and for a question and its answer (``relation="answer"``),
    whether or not either turn yielded facts.
    """

    source_utterance_id: str
    target_utterance_id: str
    relation: str
    connective: str | None = None
    confidence: float = 1.0


@dataclass(slots=True)
class MemoryBatch:
    """One document's worth of memory, written all-or-nothing.

    ``previous_utterance_id`` links the first utterance after the last one already
    stored for the same source (when turns are added one at a time).
    """

    namespace: str
    source: Source
    utterances: list[Utterance] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    anchors: list[FactAnchor] = field(default_factory=list)
    links: list[DiscourseLink] = field(default_factory=list)
    turn_links: list[TurnLink] = field(default_factory=list)
    # Facts of this batch already stored (restated: they gain an anchor, not a node). Set by
    # the store inside its write transaction.
    restated: list[Fact] = field(default_factory=list)
    previous_utterance_id: str | None = None

    @property
    def key(self) -> str:
        """What makes this batch 'the same content' for idempotent writes."""
        return make_id("batch", self.namespace, self.source.id, self.source.content_hash)
