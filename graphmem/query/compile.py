"""AST → plan → Cypher. Pure: no I/O, no model, no clock unless ``now`` is left out.

Passes, in order (each small and named):

1. ``bind``      — every ``$param`` replaced by its value (unknown ones are errors);
2. ``check``     — fields, signals, limits and the read-only rule (semantic errors);
3. ``normalize`` — predicates to their stored form (``works at`` → ``works_at``),
                   relative times to ISO dates against ``now``;
4. ``generate``  — one Cypher generator per dialect (:mod:`graphmem.query.dialects`),
                   in which every value is a parameter and every label, relationship
                   type and property comes from the generator's fixed vocabulary.

The result, :class:`Compiled`, holds named statements and — for RECALL — a
:class:`FusionSpec` saying how the executor fuses their candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from ..errors import QuerySemanticError, ReadOnlyError
from ..store.base import Statement
from . import ast as A

__all__ = ["Compiled", "FusionSpec", "compile_query", "DEFAULT_LIMIT", "DEFAULT_WEIGHTS", "DIALECTS", "RRF_K"]

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
#: Signal weights for RRF; RANK BY overrides them (vector/text/entity/recency). The time signals
#: (when the event was, when the fact was last said, how often) break near ties by default;
#: ``dated`` counts only for a cue that asks when, and then ranks the facts that have a date.
#: ``entity`` weighs half: facts about the cue's entities mostly repeat the fact lists (LoCoMo dev).
#: ``speaker``: the turns said by someone the cue names, closest in meaning first (a list of its
#: own). ``neighbour``: a turn next to a well-scored turn of the same dialogue takes this share of
#: that turn's score (a question and its answer, evidence spread over consecutive turns);
#: ``answer``: the turn after a question takes this share of the question's score instead
#: (LoCoMo dev R@5 / R@10 at 0.3 — a plain neighbour — 67.4 / 77.4, 0.5 68.8 / 78.8,
#: 0.7 69.9 / 79.2, 1.0 69.0 / 79.0).
DEFAULT_WEIGHTS = {"vector": 1.0, "text": 1.0, "entity": 0.5, "recency": 0.1,
                   "event_recency": 0.05, "mention_recency": 0.05, "evidence": 0.05, "dated": 0.5,
                   "speaker": 1.0, "neighbour": 0.3, "answer": 0.7}
#: Reciprocal-rank fusion's k: a list's rank r counts w / (k + r). Cormack et al. (SIGIR 2009)
#: chose 60 for many TREC runs; RECALL fuses a few lists whose first places matter most, and on
#: LoCoMo dev R@5 / R@10 went 61.0 / 71.0 at k = 100, 63.3 / 73.8 at 60, 64.8 / 75.6 at 30,
#: 66.0 / 77.0 at 10, 66.2 / 77.5 at 5 (neighbour 0.2); with k = 10, neighbour 0.3 gave 66.8 / 77.8.
RRF_K = 10
DIALECTS = ("neo4j", "kuzu")


@dataclass(frozen=True)
class FusionSpec:
    """How RECALL's candidate lists become one ranking (reciprocal-rank fusion)."""

    weights: dict[str, float]
    limit: int
    pool: int
    target: str
    with_sources: bool
    cue: str | None = None  # embedded by the executor (models are I/O; compile stays pure)
    rrf_k: int = RRF_K
    as_of: str | None = None  # AS OF: a fact's provenance is its last anchor said by then
    embedded_as: str | None = None  # EXPLAIN through a Memory: the cue in its speakers' first person


@dataclass(frozen=True)
class Compiled:
    """What a statement compiles to: statements by name, and how to use them."""

    kind: str  # recall | match | why | timeline | source | remember | forget
    dialect: str
    statements: dict[str, Statement] = field(default_factory=dict)
    fusion: FusionSpec | None = None
    columns: tuple[str, ...] = ()
    write: bool = False
    action: dict[str, Any] | None = None  # REMEMBER: the arguments of Memory.add
    explain: bool = False

    def describe(self) -> str:
        """Human-readable: each statement and its parameters (vectors abbreviated)."""
        lines = [f"-- {self.kind} ({self.dialect})"]
        if self.fusion is not None:
            f = self.fusion
            lines.append(f"-- fusion: RRF k={f.rrf_k}, pool {f.pool}, limit {f.limit}, weights {f.weights}")
            if f.embedded_as is not None and f.embedded_as != f.cue:
                lines.append(f"-- cue embedded as: {f.embedded_as!r}")
        if self.action is not None:
            lines.append(f"-- action: Memory.add({self.action})")
        for name, st in self.statements.items():
            params = {k: (f"<{len(v)} floats>" if isinstance(v, list) and v and isinstance(v[0], float) else v)
                      for k, v in st.params.items()}
            lines += [f"-- {name}  params: {params}", st.text.strip(), ""]
        return "\n".join(lines).rstrip()


def compile_query(
    query: str | A.Statement,
    dialect: str,
    *,
    namespace: str = "default",
    params: Mapping[str, Any] | None = None,
    now: datetime | None = None,
    read_only: bool = False,
    embedding_dim: int = 384,
) -> Compiled:
    """Compile a query (text or AST) for ``dialect`` (``"neo4j"`` or ``"kuzu"``).

    Raises:
        QuerySyntaxError: the text does not parse.
        QuerySemanticError: it parses but means nothing (unknown field, missing parameter …).
        ReadOnlyError: a write (REMEMBER, FORGET) when ``read_only``.
    """
    from .dialects import generator_for
    from .parser import parse

    node = parse(query) if isinstance(query, str) else query
    explain = isinstance(node, A.Explain)
    if explain:
        node = node.query
    node = _Binder(params or {}).bind(node)
    _check(node, read_only=read_only)
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    gen = generator_for(dialect, namespace=namespace, now=now, embedding_dim=embedding_dim)
    compiled = gen.generate(node)
    return replace(compiled, explain=explain)


# -- pass 1: bind parameters ------------------------------------------------------------------


class _Binder:
    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params

    def value(self, v: Any) -> Any:
        if isinstance(v, A.Param):
            if v.name not in self.params:
                raise QuerySemanticError(f"no value given for parameter ${v.name}", span=v.span)
            x = self.params[v.name]
            if isinstance(x, datetime):
                x = x.isoformat()
            if not isinstance(x, (str, int, float, bool)):
                raise QuerySemanticError(f"parameter ${v.name} must be a string, number or bool, not "
                                         f"{type(x).__name__}", span=v.span)
            return A.Literal(x, v.span)
        return v

    def bind(self, node: Any) -> Any:
        if isinstance(node, A.Param):
            return self.value(node)
        if isinstance(node, A.When) and isinstance(node.value, A.Param):
            lit = self.value(node.value)
            return A.When("date", str(lit.value), span=node.span)
        if isinstance(node, tuple):
            return tuple(self.bind(x) for x in node)
        if hasattr(node, "__dataclass_fields__"):
            changes = {}
            for name in node.__dataclass_fields__:
                if name == "span":
                    continue
                old = getattr(node, name)
                new = self.bind(old)
                if new is not old:
                    changes[name] = new
            return replace(node, **changes) if changes else node
        return node


# -- pass 2: check ------------------------------------------------------------------------------


def _check(node: A.Statement, *, read_only: bool) -> None:
    if read_only and isinstance(node, (A.Remember, A.ForgetAbout, A.ForgetFact)):
        kind = "REMEMBER" if isinstance(node, A.Remember) else "FORGET"
        raise ReadOnlyError(f"{kind} writes, and this memory is read-only")
    limit = getattr(node, "limit", None)
    if limit is not None:
        v = limit.value
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= MAX_LIMIT:
            raise QuerySemanticError(f"LIMIT must be a whole number from 1 to {MAX_LIMIT}, got {v!r}", span=limit.span)
    for cond in getattr(node, "where", ()):
        if cond.field not in A.FIELDS:
            raise QuerySemanticError(f"unknown field {cond.field!r}; fields: {', '.join(A.FIELDS)}", span=cond.span)
        if isinstance(node, A.Recall) and node.target == "utterances" and cond.field not in A.UTTERANCE_FIELDS:
            raise QuerySemanticError(
                f"{cond.field!r} is a property of facts; RECALL UTTERANCES can filter on "
                f"{' and '.join(A.UTTERANCE_FIELDS)}", span=cond.span)
        if cond.field == "polarity" and not all(isinstance(v.value, bool) for v in cond.values):
            raise QuerySemanticError("polarity is true or false", span=cond.span)
        if cond.field == "confidence" and not all(isinstance(v.value, (int, float)) and not isinstance(v.value, bool)
                                                  for v in cond.values):
            raise QuerySemanticError("confidence is a number between 0 and 1", span=cond.span)
        if cond.field == "evidence" and not all(isinstance(v.value, int) and not isinstance(v.value, bool)
                                                for v in cond.values):
            raise QuerySemanticError("evidence is a whole number: how many utterances state the fact",
                                     span=cond.span)
        if cond.op in ("<", "<=", ">", ">=") and cond.field not in ("confidence", "evidence"):
            raise QuerySemanticError(f"{cond.field} can only be compared with = or !=", span=cond.span)
    if isinstance(node, A.Recall):
        for signal, w in node.weights:
            if signal not in A.SIGNALS:
                raise QuerySemanticError(f"unknown signal {signal!r}; signals: {', '.join(A.SIGNALS)}")
            if w < 0:
                raise QuerySemanticError(f"weight of {signal} must be ≥ 0")
        if node.cue is not None and not str(node.cue.value).strip():
            raise QuerySemanticError("RECALL needs a non-empty cue", span=node.cue.span)
        if node.cue is None and not node.about and not node.where:
            raise QuerySemanticError("RECALL needs a cue, ABOUT or WHERE", span=node.span)
    if isinstance(node, A.Match):
        bound = {t.name for p in node.patterns for t in (p.subject, p.predicate, p.object) if isinstance(t, A.Var)}
        for v in node.returns:
            if v.name not in bound:
                raise QuerySemanticError(f"RETURN ?{v.name}: no pattern binds it", span=v.span)


# -- pass 3: normalize ----------------------------------------------------------------------------

_SPACES = re.compile(r"[\s-]+")


def predicate_key(text: str) -> str:
    """The stored form of a predicate: lower case, words joined by ``_`` ("works at" → "works_at")."""
    return _SPACES.sub("_", text.strip().lower())


def resolve_when(w: A.When, now: datetime) -> str:
    """An ISO date-time string for ``w`` (relative ones counted back from ``now``)."""
    if w.kind == "date":
        value = str(w.value)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise QuerySemanticError(f"not a date: {value!r} (write YYYY-MM-DD)", span=w.span) from None
        return parsed.replace(tzinfo=None).isoformat()
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if w.kind == "today":
        return day.isoformat()
    if w.kind == "yesterday":
        return (day - timedelta(days=1)).isoformat()
    if w.kind == "ago":
        n = int(w.value)  # type: ignore[arg-type]
        delta = {"day": timedelta(days=n), "week": timedelta(weeks=n), "month": timedelta(days=30 * n),
                 "year": timedelta(days=365 * n)}[str(w.unit)]
        return (day - delta).isoformat()
    raise QuerySemanticError(f"unresolved time {w.kind}", span=w.span)
