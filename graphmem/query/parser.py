"""Text → AST: the Lark grammar in ``grammar/graphmem.lark`` (LALR), built once, lazily."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..errors import QuerySyntaxError
from . import ast as A

__all__ = ["parse", "expected_words"]

#: How the expected tokens read in an error message.
_WORDS = {
    "STRING": 'a quoted string ("…")', "PARAM": "a $parameter", "NAME": "a name", "INT": "a whole number",
    "NUMBER": "a number", "BOOL": "true or false", "VAR": "a ?variable", "DATE": "a date (YYYY-MM-DD)",
    "LPAR": '"("', "RPAR": '")"', "COMMA": '","', "SEMICOLON": '";"', "EQUAL": '"="', "COMPARE": "a comparison (= != < …)",
    "FIELD": "a field (" + ", ".join(A.FIELDS) + ")", "SIGNAL": "a signal (" + ", ".join(A.SIGNALS) + ")",
    "UNIT": "days, weeks, months or years", "__ANON_0": '"_"', "$END": "the end of the query",
}

#: Mistakes people make, mapped to a sentence that says what to write instead.
_HINTS = {
    'unquoted cue: a cue of several words is quoted (RECALL "does Alice work")':
        ["RECALL does Alice work", "RECALL FACTS does Alice work", "RECALL UTTERANCES does Alice work"],
    "MATCH needs (subject, predicate, object) in parentheses": ["MATCH Alice, work_at, ?x", "MATCH ?p work_at"],
    "a triple pattern has three parts": ["MATCH (Alice, work_at)", "MATCH (?a)"],
    "dates are written YYYY-MM-DD": ["RECALL \"x\" SINCE 05/01/2023", "TIMELINE Alice SINCE May"],
    "LIMIT takes a whole number": ["RECALL \"x\" LIMIT five"],
    # After LIMIT's number: a decimal's fraction and a second number reach the parser alike.
    "LIMIT takes one whole number (LIMIT 5)": ["RECALL \"x\" LIMIT 2.5", "RECALL \"x\" LIMIT 5 6"],
}


def expected_words(tokens: list[str]) -> list[str]:
    """Terminal names as words a person reads; keywords stay keywords."""
    return sorted({_WORDS.get(t, t) for t in tokens})


@lru_cache(maxsize=1)
def _parser():
    from lark import Lark

    from ..resources import grammar_text

    return Lark(grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=False)


def parse(text: str) -> A.Statement:
    """Parse one statement into its AST.

    Raises:
        QuerySyntaxError: line, column, the expected tokens in words, a caret under the spot,
            and a hint for common mistakes.
    """
    from lark.exceptions import UnexpectedInput, VisitError

    if not isinstance(text, str):
        raise TypeError("a query is a string")
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        expected = sorted(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or [])
        hint = _near_miss(exc, expected)
        try:
            hint = hint or exc.match_examples(_parser().parse, _HINTS, use_accepts=True)
        except Exception:  # noqa: BLE001 - a hint is a nicety; never hide the real error
            hint = None
        raise QuerySyntaxError(
            hint or "syntax error", text=text, line=exc.line, column=exc.column,
            expected=expected_words(expected), context=exc.get_context(text),
        ) from None
    try:
        return _ToAst().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, QuerySyntaxError):
            raise exc.orig_exc from None
        tok = getattr(exc, "obj", None)
        line, column = getattr(tok, "line", 1) or 1, getattr(tok, "column", 1) or 1
        raise QuerySyntaxError(f"cannot read {getattr(tok, 'type', 'this')}: {exc.orig_exc}", text=text, line=line,
                               column=column, expected=[], context="") from None


def _near_miss(exc: Any, expected: list[str]) -> str | None:
    """A sentence for a word that is almost right: a misspelt keyword ("RECAL" → RECALL) or a
    field that does not exist (``WHERE colour = red``)."""
    import difflib

    word = str(getattr(getattr(exc, "token", None), "value", "") or "")
    if not word or not word.replace("_", "").isalpha():
        return None
    if "FIELD" in expected:
        close = difflib.get_close_matches(word.lower(), A.FIELDS, n=1)
        also = f"; did you mean {close[0]}?" if close else ""
        return f"{word!r} is not a field{also} (a cue to recall by meaning is quoted: RECALL \"…\")"
    keywords = [t for t in expected if t.isupper() and t.isalpha() and t not in _WORDS]
    close = difflib.get_close_matches(word.upper(), keywords, n=1, cutoff=0.75)
    return f"did you mean {close[0]}?" if close else None


_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


def _unquote(token: str) -> str:
    """The value of a quoted string: backslash escapes as in JSON, anything else literal."""

    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if len(esc) == 5:
            return chr(int(esc[1:], 16))
        return _ESCAPES.get(esc, esc)

    return _ESCAPE.sub(one, token[1:-1])


def _span(meta: Any) -> A.Span | None:
    return (meta.start_pos, meta.end_pos) if getattr(meta, "start_pos", None) is not None else None


def _tok_span(tok: Any) -> A.Span:
    return (tok.start_pos, tok.end_pos)


def _build():
    from lark import Token, Transformer, v_args

    @v_args(meta=True)
    class ToAst(Transformer):
        # -- atoms ---------------------------------------------------------------------
        def STRING(self, tok: Token):  # noqa: N802 - terminal callbacks are named after terminals
            return A.Literal(_unquote(str(tok)), _tok_span(tok))

        def PARAM(self, tok: Token):  # noqa: N802
            return A.Param(str(tok)[1:], _tok_span(tok))

        def NAME(self, tok: Token):  # noqa: N802
            return A.Literal(str(tok), _tok_span(tok))

        def INT(self, tok: Token):  # noqa: N802
            return A.Literal(int(tok), _tok_span(tok))

        def NUMBER(self, tok: Token):  # noqa: N802
            return A.Literal(float(tok), _tok_span(tok))

        def BOOL(self, tok: Token):  # noqa: N802
            return A.Literal(str(tok).lower() == "true", _tok_span(tok))

        def entity(self, meta, children):
            return A.Entity(children[0], _span(meta))

        def var(self, meta, children):
            return A.Var(str(children[0])[1:], _span(meta))

        def blank(self, meta, children):
            return A.Blank(_span(meta))

        # -- time --------------------------------------------------------------------
        def date(self, meta, children):
            return A.When("date", str(children[0]), span=_span(meta))

        def today(self, meta, children):
            return A.When("today", span=_span(meta))

        def yesterday(self, meta, children):
            return A.When("yesterday", span=_span(meta))

        def ago(self, meta, children):
            n, unit = children[0], str(children[1]).lower()
            return A.When("ago", n.value, unit.rstrip("s"), span=_span(meta))

        def when_param(self, meta, children):
            return A.When("param", children[0], span=_span(meta))

        def since(self, meta, children):
            return ("time", "since", children[-1])

        def before(self, meta, children):
            return ("time", "before", children[-1])

        def between(self, meta, children):
            whens = [c for c in children if isinstance(c, A.When)]
            return ("time", "between", tuple(whens))

        def as_of(self, meta, children):
            return ("time", "as_of", children[-1])

        def current(self, meta, children):
            return ("time", "current", None)

        def history(self, meta, children):
            return ("time", "history", None)

        # -- clauses -----------------------------------------------------------------
        def cue(self, meta, children):
            return ("cue", children[0])

        def target_facts(self, meta, children):
            return ("target", "facts")

        def target_utterances(self, meta, children):
            return ("target", "utterances")

        def about(self, meta, children):
            return ("about", tuple(c for c in children if isinstance(c, A.Entity)))

        def where(self, meta, children):
            return ("where", tuple(c for c in children if isinstance(c, A.Condition)))

        def compare(self, meta, children):
            field, op, value = children
            return A.Condition(str(field).lower(), str(op), (value,), _span(meta))

        def member(self, meta, children):
            values = tuple(c for c in children[1:] if isinstance(c, (A.Literal, A.Param)))
            return A.Condition(str(children[0]).lower(), "in", values, _span(meta))

        def not_member(self, meta, children):
            values = tuple(c for c in children[1:] if isinstance(c, (A.Literal, A.Param)))
            return A.Condition(str(children[0]).lower(), "notin", values, _span(meta))

        def limit(self, meta, children):
            return ("limit", children[-1])

        def with_sources(self, meta, children):
            return ("with_sources", True)

        def weight(self, meta, children):
            return (str(children[0]).lower(), float(children[1].value))

        def rank_by(self, meta, children):
            return ("weights", tuple(c for c in children if isinstance(c, tuple)))

        def return_clause(self, meta, children):
            return ("returns", tuple(A.Var(str(c)[1:], _tok_span(c)) for c in children if isinstance(c, Token)
                                     and c.type == "VAR"))

        # -- statements ----------------------------------------------------------------
        def recall(self, meta, children):
            clauses = [c for c in children if isinstance(c, tuple)]
            kw: dict[str, Any] = {"time": _time(clauses)}
            for c in clauses:
                if c[0] in ("cue", "target", "limit", "with_sources", "weights"):
                    kw[c[0]] = c[1]
                elif c[0] in ("about", "where"):
                    kw[c[0]] = kw.get(c[0], ()) + c[1]
            return A.Recall(span=_span(meta), **kw)

        def pattern(self, meta, children):
            s, p, o = children
            return A.Pattern(s, p, o, _span(meta))

        def match(self, meta, children):
            patterns = tuple(c for c in children if isinstance(c, A.Pattern))
            clauses = [c for c in children if isinstance(c, tuple)]
            kw: dict[str, Any] = {"time": _time(clauses)}
            for c in clauses:
                if c[0] in ("limit", "returns"):
                    kw[c[0]] = c[1]
                elif c[0] == "where":
                    kw["where"] = kw.get("where", ()) + c[1]
            return A.Match(patterns, span=_span(meta), **kw)

        def why(self, meta, children):
            lim = next((c[1] for c in children if isinstance(c, tuple)), None)
            return A.Why(children[1], lim, _span(meta))

        def timeline(self, meta, children):
            clauses = [c for c in children if isinstance(c, tuple)]
            lim = next((c[1] for c in clauses if c[0] == "limit"), None)
            return A.Timeline(children[1], _time(clauses, history=True), lim, _span(meta))

        def source_of(self, meta, children):
            return A.SourceOf(children[-1], _span(meta))

        def as_speaker(self, meta, children):
            return ("speaker", children[-1])

        def at_time(self, meta, children):
            return ("at", children[-1])

        def in_session(self, meta, children):
            return ("session", children[-1])

        def remember(self, meta, children):
            kw = {c[0]: c[1] for c in children if isinstance(c, tuple)}
            return A.Remember(children[1], span=_span(meta), **kw)

        def forget_about(self, meta, children):
            clauses = [c for c in children if isinstance(c, tuple)]
            ent = next(c for c in children if isinstance(c, A.Entity))
            return A.ForgetAbout(ent, _time(clauses, history=True), _span(meta))

        def forget_fact(self, meta, children):
            return A.ForgetFact(children[-1], _span(meta))

        def explain(self, meta, children):
            return A.Explain(children[-1], _span(meta))

        def start(self, meta, children):
            return children[0]

    return ToAst


def _time(clauses: list[tuple], *, history: bool = False) -> A.TimeFilter:
    kw: dict[str, Any] = {"history": history}
    for c in clauses:
        if c[0] != "time":
            continue
        kind, value = c[1], c[2]
        if kind == "between":
            kw["since"], kw["before"] = value
        elif kind in ("since", "before", "as_of"):
            kw[kind] = value
        elif kind == "history":
            kw["history"] = True
        elif kind == "current":
            kw["history"] = False
    return A.TimeFilter(**kw)


class _Lazy:
    cls = None


def _ToAst():  # noqa: N802 - built on first use so `import graphmem.query` stays free of lark
    if _Lazy.cls is None:
        _Lazy.cls = _build()
    return _Lazy.cls()
