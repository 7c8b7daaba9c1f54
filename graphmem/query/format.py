"""AST → canonical query text: keywords upper-case, one space, names bare when they can be.

``parse(format_query(ast)) == ast`` for every AST (the identity corpus tests it).
"""

from __future__ import annotations

import json
import re

from . import ast as A

__all__ = ["format_query"]

_BARE = re.compile(r"^[^\W\d][\w.'-]*$")
_KEYWORDS = {
    "explain", "recall", "facts", "fact", "utterances", "about", "where", "and", "not", "in", "limit", "with",
    "sources", "source", "rank", "by", "since", "before", "between", "as", "of", "at", "current", "history",
    "today", "yesterday", "ago", "match", "return", "why", "timeline", "remember", "forget", "session", "true",
    "false", "day", "days", "week", "weeks", "month", "months", "year", "years", *A.FIELDS, *A.SIGNALS,
}


def _string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _value(v: A.Literal | A.Param, *, bare_ok: bool = False) -> str:
    if isinstance(v, A.Param):
        return f"${v.name}"
    x = v.value
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, (int, float)):
        return repr(x)
    if bare_ok and _BARE.match(x) and x.lower() not in _KEYWORDS:
        return x
    return _string(x)


def _entity(e: A.Entity) -> str:
    return _value(e.name, bare_ok=True)


def _term(t) -> str:
    if isinstance(t, A.Var):
        return f"?{t.name}"
    if isinstance(t, A.Blank):
        return "_"
    return _entity(t)


def _when(w: A.When) -> str:
    if w.kind == "date":
        return str(w.value)
    if w.kind == "today":
        return "TODAY"
    if w.kind == "yesterday":
        return "YESTERDAY"
    if w.kind == "ago":
        return f"{w.value} {str(w.unit).upper()}{'S' if w.value != 1 else ''} AGO"
    assert isinstance(w.value, A.Param)
    return f"${w.value.name}"


def _time(t: A.TimeFilter, *, default_history: bool) -> list[str]:
    out = []
    if t.since is not None and t.before is not None:
        out.append(f"BETWEEN {_when(t.since)} AND {_when(t.before)}")
    elif t.since is not None:
        out.append(f"SINCE {_when(t.since)}")
    elif t.before is not None:
        out.append(f"BEFORE {_when(t.before)}")
    if t.as_of is not None:
        out.append(f"AS OF {_when(t.as_of)}")
    if t.history != default_history:
        out.append("HISTORY" if t.history else "CURRENT")
    return out


def _where(conds: tuple[A.Condition, ...]) -> list[str]:
    if not conds:
        return []
    parts = []
    for c in conds:
        if c.op in ("in", "notin"):
            vals = ", ".join(_value(v, bare_ok=True) for v in c.values)
            parts.append(f"{c.field} {'NOT IN' if c.op == 'notin' else 'IN'} ({vals})")
        else:
            parts.append(f"{c.field} {c.op} {_value(c.values[0], bare_ok=True)}")
    return ["WHERE " + " AND ".join(parts)]


def _limit(v) -> list[str]:
    return [] if v is None else [f"LIMIT {_value(v)}"]


def _pattern(p: A.Pattern) -> str:
    return f"({_term(p.subject)}, {_term(p.predicate)}, {_term(p.object)})"


def format_query(node: A.Statement) -> str:
    """The canonical text of a statement."""
    if isinstance(node, A.Explain):
        return "EXPLAIN " + format_query(node.query)
    if isinstance(node, A.Recall):
        parts = ["RECALL"]
        if node.target != "any":
            parts.append(node.target.upper())
        if node.cue is not None:
            parts.append(_value(node.cue))
        if node.about:
            parts.append("ABOUT " + ", ".join(_entity(e) for e in node.about))
        parts += _where(node.where) + _time(node.time, default_history=False)
        if node.weights:
            parts.append("RANK BY " + ", ".join(f"{s}={w!r}" for s, w in node.weights))
        if node.with_sources:
            parts.append("WITH SOURCES")
        return " ".join(parts + _limit(node.limit))
    if isinstance(node, A.Match):
        parts = ["MATCH " + ", ".join(_pattern(p) for p in node.patterns)]
        parts += _where(node.where) + _time(node.time, default_history=False)
        if node.returns:
            parts.append("RETURN " + ", ".join(f"?{v.name}" for v in node.returns))
        return " ".join(parts + _limit(node.limit))
    if isinstance(node, A.Why):
        return " ".join(["WHY " + _pattern(node.pattern)] + _limit(node.limit))
    if isinstance(node, A.Timeline):
        return " ".join([f"TIMELINE {_entity(node.entity)}"] + _time(node.time, default_history=True)
                        + _limit(node.limit))
    if isinstance(node, A.SourceOf):
        return f"SOURCE OF FACT {_value(node.fact)}"
    if isinstance(node, A.Remember):
        parts = [f"REMEMBER {_value(node.text)}"]
        if node.speaker is not None:
            parts.append(f"AS {_entity(node.speaker)}")
        if node.at is not None:
            parts.append(f"AT {_when(node.at)}")
        if node.session is not None:
            parts.append(f"IN SESSION {_value(node.session, bare_ok=True)}")
        return " ".join(parts)
    if isinstance(node, A.ForgetAbout):
        return " ".join([f"FORGET FACTS ABOUT {_entity(node.entity)}"] + _time(node.time, default_history=True))
    if isinstance(node, A.ForgetFact):
        return f"FORGET FACT {_value(node.fact)}"
    raise TypeError(f"not a statement: {type(node).__name__}")
