"""The typed AST of graphmem's query language.

Nodes are frozen dataclasses. ``span`` (character offsets in the query text) is kept
for error messages but ignored by ``==``, so an AST built in Python — the builders are
simply these constructors — equals the one parsed from text:

>>> from graphmem.query import parse
>>> parse('RECALL "jazz" LIMIT 3') == Recall(cue=Literal("jazz"), limit=Literal(3))
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

__all__ = [
    "Span", "Literal", "Param", "Entity", "Var", "Blank", "Condition", "When", "TimeFilter",
    "Recall", "Pattern", "Match", "Why", "Timeline", "SourceOf", "Remember", "ForgetAbout", "ForgetFact",
    "Explain", "Node", "Query", "Statement", "FIELDS", "SIGNALS", "UTTERANCE_FIELDS",
]

Span = tuple[int, int]

#: Fields a WHERE may test, and the ones that also apply to utterances.
FIELDS = ("predicate", "polarity", "modality", "speaker", "session", "subject", "object", "mood", "tense",
          "confidence", "attribution", "act", "evidence")
UTTERANCE_FIELDS = ("speaker", "session", "act")
#: Signals RANK BY may weigh.
SIGNALS = ("vector", "text", "entity", "recency", "event_recency", "mention_recency", "evidence", "dated",
           "related", "speaker", "neighbour", "answer")


def _span() -> Span | None:
    return field(default=None, compare=False, repr=False)  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Literal:
    """A value written in the query: a string, a number, a bool or a bare word."""

    value: str | int | float | bool
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Param:
    """``$name``: a value supplied at run time."""

    name: str
    span: Span | None = _span()


Value = Union[Literal, Param]


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity named in the query (bare, quoted, or a parameter)."""

    name: Value
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Var:
    """``?x`` in a triple pattern."""

    name: str
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Blank:
    """``_`` in a triple pattern: anything, not returned."""

    span: Span | None = _span()


Term = Union[Var, Blank, Entity]


@dataclass(frozen=True, slots=True)
class Condition:
    """``field op value`` or ``field [NOT] IN (values)``; op is one of = != < <= > >= in notin."""

    field: str
    op: str
    values: tuple[Value, ...]
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class When:
    """A point in time: an absolute date, ``TODAY``, ``YESTERDAY``, ``N UNIT AGO`` or a parameter."""

    kind: str  # date | today | yesterday | ago | param
    value: str | int | Param | None = None
    unit: str | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class TimeFilter:
    """SINCE / BEFORE / BETWEEN bound when a fact was stated; CURRENT (default), AS OF, HISTORY
    choose which facts count: the current ones, the ones current at a date, or all."""

    since: When | None = None
    before: When | None = None
    as_of: When | None = None
    history: bool = False


@dataclass(frozen=True, slots=True)
class Recall:
    """Hybrid recall: a cue (vector + full text + entities in it) under symbolic constraints."""

    cue: Value | None = None
    target: str = "any"  # any | facts | utterances
    about: tuple[Entity, ...] = ()
    where: tuple[Condition, ...] = ()
    time: TimeFilter = TimeFilter()
    limit: Value | None = None
    with_sources: bool = False
    weights: tuple[tuple[str, float], ...] = ()
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Pattern:
    subject: Term
    predicate: Term
    object: Term
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Match:
    """Triple patterns joined on shared variables."""

    patterns: tuple[Pattern, ...]
    where: tuple[Condition, ...] = ()
    time: TimeFilter = TimeFilter()
    limit: Value | None = None
    returns: tuple[Var, ...] = ()
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Why:
    """The facts that cause or explain the facts matching a pattern (discourse edges)."""

    pattern: Pattern
    limit: Value | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Timeline:
    entity: Entity
    time: TimeFilter = TimeFilter(history=True)
    limit: Value | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class SourceOf:
    fact: Value
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Remember:
    text: Value
    speaker: Entity | None = None
    at: When | None = None
    session: Value | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class ForgetAbout:
    entity: Entity
    time: TimeFilter = TimeFilter(history=True)
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class ForgetFact:
    fact: Value
    span: Span | None = _span()


@dataclass(frozen=True, slots=True)
class Explain:
    query: Query
    span: Span | None = _span()


Query = Union[Recall, Match, Why, Timeline, SourceOf]
Statement = Union[Query, Remember, ForgetAbout, ForgetFact, Explain]
Node = Union[Statement, Pattern, Condition, When, Entity, Literal, Param, Var, Blank]
