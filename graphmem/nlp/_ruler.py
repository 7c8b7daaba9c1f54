"""spaCy's ``attribute_ruler``, its matches found by table lookups instead of its ``Matcher``.

The English pipelines' attribute ruler maps each fine tag to a coarse POS and morphology, plus a
few exceptions (``LOWER`` and ``TAG``, ``DEP`` …); the lemmatizer needs its output. It took 17% of
a parse (0.38 s of 2.24 s for 600 LoCoMo turns), nearly all of it in the general ``Matcher``
checking each token against every pattern. When every token of every pattern asks for exact
values, ``IN``, ``NOT_IN`` or ``REGEX`` on the attributes below (no other operators, no
quantifiers, no extensions), each pattern is keyed by one column's value (or its ``IN`` values)
and checked on the rest where a token has that value: one dictionary lookup per token and
column. :func:`use_tables` binds that to the component, leaving everything else of it as spaCy
made it; any other pattern leaves the component as it is. The matches, their order and the
attributes set are the stock component's (``tests/test_ruler.py`` compares every token of a
corpus; 2,765 LoCoMo turns gave the same annotations at a sixth of the time).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["use_tables"]

# Token attributes a pattern may ask for here (each compared as the Matcher does: the hash of the
# lowercase form, fine tag and dependency label, the is-space flag), in the order a token's own
# values are looked up: the most selective first.
_ATTRS = ("LOWER", "DEP", "TAG", "IS_SPACE")
_SPACE = 3  # IS_SPACE's column: a flag (a row holds it as a bool), not a string's hash


class _Spec:
    """One token of a pattern: a column whose value (or one of whose values, for ``IN``) keys
    it in a table, and the checks on the other columns (equal, ``IN``, ``NOT_IN``, ``REGEX``)."""

    __slots__ = ("key", "keys", "checks")

    def __init__(self, token: dict[str, Any], strings: Any) -> None:
        checks: list[tuple[int, str, Any]] = []
        for name, want in token.items():
            col = _ATTRS.index(name)
            if not isinstance(want, dict):
                checks.append((col, "==", bool(want) if col == _SPACE else strings.add(want)))
                continue
            ((op, value),) = want.items()
            if op == "REGEX":
                checks.append((col, op, re.compile(value)))
            else:
                checks.append((col, op, frozenset(strings.add(v) for v in value)))
        keyed = [c for c in checks if c[1] in ("==", "IN")]
        first = min(keyed, key=lambda c: c[0]) if keyed else None
        self.key = first[0] if first else None
        self.keys = ([first[2]] if first[1] == "==" else sorted(first[2])) if first else []
        self.checks = [c for c in checks if c is not first]

    def fits(self, row: tuple[Any, ...], strings: Any) -> bool:
        """Whether a token (``row``) has this one's key and passes its checks."""
        return (self.key is None or row[self.key] in self.keys) and self.holds(row, strings)

    def holds(self, row: tuple[Any, ...], strings: Any) -> bool:
        """Whether a token (``row``) passes the checks besides the key."""
        for col, op, want in self.checks:
            have = row[col]
            if op == "==":
                if have != want:
                    return False
            elif op == "IN":
                if have not in want:
                    return False
            elif op == "NOT_IN":
                if have in want:
                    return False
            elif not want.search(strings[have]):  # REGEX, on the attribute's text
                return False
        return True


def _supported(token: Any) -> bool:
    if not isinstance(token, dict) or not token:
        return False
    for name, want in token.items():
        if name not in _ATTRS:
            return False
        if isinstance(want, dict):
            if len(want) != 1 or name == "IS_SPACE":
                return False
            ((op, value),) = want.items()
            if op == "REGEX":
                if not isinstance(value, str):
                    return False
            elif op not in ("IN", "NOT_IN") or not isinstance(value, list) or \
                    not all(isinstance(v, str) for v in value):
                return False
        elif not isinstance(want, bool if name == "IS_SPACE" else str):
            return False
    return True


class _Tables:
    """The ruler's patterns as lookups: for each column, the values that start a pattern there,
    each with the patterns to check; patterns no value keys are checked at every token."""

    def __init__(self, ruler: Any, patterns: list[tuple[int, list[dict[str, Any]]]]) -> None:
        from spacy.attrs import IDS

        strings = ruler.vocab.strings
        self.ruler = ruler
        self.stock_set = ruler.set_annotations
        self.attr_ids = [IDS[a] for a in _ATTRS]
        self.match_ids = [strings.add(str(i)) for i in range(len(ruler.attrs))]
        self.tables: list[dict[Any, list[tuple[int, list[_Spec]]]]] = [{} for _ in _ATTRS]
        self.unkeyed: list[tuple[int, list[_Spec]]] = []
        for rule, tokens in patterns:
            specs = [_Spec(tok, strings) for tok in tokens]
            if specs[0].key is None:
                self.unkeyed.append((rule, specs))
            for value in specs[0].keys:
                self.tables[specs[0].key].setdefault(value, []).append((rule, specs))
        self.tables_used = [(col, table) for col, table in enumerate(self.tables) if table]
        self.merged: dict[tuple[int, ...], dict[str, Any]] = {}

    def match(self, doc: Any) -> list[tuple[int, int, int, int]]:
        """What ``AttributeRuler.match`` returns: ``(rule, match id, start, end)``, sorted."""
        rows = [(lower, dep, tag, bool(space)) for lower, dep, tag, space in doc.to_array(self.attr_ids).tolist()]
        n = len(rows)
        strings, ids = doc.vocab.strings, self.match_ids  # REGEX reads texts as the Matcher does
        found: list[tuple[int, int, int, int]] = []
        for i, row in enumerate(rows):
            for col, table in self.tables_used:
                for rule, specs in table.get(row[col], ()):  # the first token's key is this value
                    if specs[0].holds(row, strings) and (len(specs) == 1 or self._rest(rows, i, n, specs, strings)):
                        found.append((rule, ids[rule], i, i + len(specs)))
            for rule, specs in self.unkeyed:
                if specs[0].fits(row, strings) and (len(specs) == 1 or self._rest(rows, i, n, specs, strings)):
                    found.append((rule, ids[rule], i, i + len(specs)))
        found.sort()
        return found

    @staticmethod
    def _rest(rows: list[tuple[Any, ...]], i: int, n: int, specs: list[_Spec], strings: Any) -> bool:
        """Whether the tokens after ``i`` fit the pattern's other tokens."""
        return i + len(specs) <= n and all(spec.fits(rows[i + j], strings) for j, spec in enumerate(specs[1:], 1))

    def set_annotations(self, doc: Any, matches: list[tuple[int, int, int, int]]) -> None:
        """What ``AttributeRuler.set_annotations`` does: each match's attributes on the token its
        rule's index picks, later rules over earlier ones; each token's rules merged once."""
        from spacy.tokens._retokenize import set_token_attrs

        indices = self.ruler.indices
        per_token: dict[int, list[int]] = {}
        for rule, _id, start, end in matches:
            index = indices[rule]
            at = (start if index >= 0 else end) + index
            if not start <= at < end:
                self.stock_set(doc, matches)  # an index outside its pattern: spaCy's own error
                return
            per_token.setdefault(at, []).append(rule)
        attrs = self.ruler.attrs
        for at, rules in per_token.items():
            key = tuple(rules)
            merged = self.merged.get(key)
            if merged is None:
                merged = {}
                for r in rules:
                    merged.update(attrs[r])
                self.merged[key] = merged
            set_token_attrs(doc[at], merged)


def use_tables(nlp: Any) -> bool:
    """Let ``nlp``'s attribute ruler find its matches by lookups, when all its patterns allow it;
    whether it does."""
    from spacy.pipeline import AttributeRuler

    if "attribute_ruler" not in nlp.pipe_names:
        return False
    ruler = nlp.get_pipe("attribute_ruler")
    if type(ruler) is not AttributeRuler:
        return False
    patterns = []
    for rule in range(len(ruler.attrs)):
        _on_match, group = ruler.matcher.get(str(rule))
        for tokens in group:
            if not tokens or not all(_supported(tok) for tok in tokens):
                return False
            patterns.append((rule, list(tokens)))
    tables = _Tables(ruler, patterns)
    ruler.match = tables.match
    ruler.set_annotations = tables.set_annotations
    return True

