"""Retrieval metrics over ranked lists of turn ids. Pure functions, no I/O.

A system's answer to one question is a ranked list of turn ids (LoCoMo ``dia_id``s),
each id once. Against the question's evidence ids:

* **evidence recall@k** — the fraction of the evidence turns found in the first ``k``
  ids (LoCoMo's "recall accuracy"); averaged over questions, not pooled over turns.
* **reciprocal rank** — ``1 / rank`` of the first evidence turn in the list, 0 if none.
* **answer containment** — the gold answer, lower-cased and with runs of whitespace made
  one space, is a substring of the concatenated (lower-cased) text of the first ``k`` turns.
* **tokens** — whitespace tokens of the first ``k`` turns (the context a reader would get).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "first_occurrences",
    "evidence_recall",
    "reciprocal_rank",
    "contains_answer",
    "token_count",
    "mean",
]

_SPACES = re.compile(r"\s+")


def first_occurrences(ids: Iterable[str | None]) -> list[str]:
    """``ids`` in order, each kept at its first occurrence; ``None`` dropped.

    >>> first_occurrences(["D1:3", None, "D2:1", "D1:3", "D1:4"])
    ['D1:3', 'D2:1', 'D1:4']
    """
    seen: set[str] = set()
    out = []
    for i in ids:
        if i is not None and i not in seen:
            seen.add(i)
            out.append(i)
    return out


def evidence_recall(ranked: Sequence[str], evidence: Iterable[str], k: int) -> float:
    """|evidence ∩ ranked[:k]| / |evidence|.

    >>> evidence_recall(["D1:1", "D1:2", "D1:3"], ["D1:3", "D9:9"], 3)
    0.5
    >>> evidence_recall(["D1:1", "D1:2", "D1:3"], ["D1:3"], 2)
    0.0
    """
    ev = set(evidence)
    if not ev:
        raise ValueError("a question without evidence has no recall (drop it before scoring)")
    return len(ev.intersection(ranked[:k])) / len(ev)


def reciprocal_rank(ranked: Sequence[str], evidence: Iterable[str]) -> float:
    """1 / (1-based rank of the first evidence id in ``ranked``), 0.0 when none is there.

    >>> reciprocal_rank(["D1:1", "D1:2", "D1:3"], ["D1:3", "D1:2"])
    0.5
    """
    ev = set(evidence)
    for rank, turn in enumerate(ranked, start=1):
        if turn in ev:
            return 1.0 / rank
    return 0.0


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text.lower()).strip()


def contains_answer(answer: str, texts: Sequence[str]) -> bool:
    """Whether the lower-cased, space-normalised ``answer`` occurs in the joined ``texts``.

    >>> contains_answer("7 May  2023", ["We met on 7 May 2023.", "ok"])
    True
    >>> contains_answer("Paris", ["I live in Lyon"])
    False
    """
    gold = _norm(answer)
    return bool(gold) and gold in _norm(" \n ".join(texts))


def token_count(texts: Iterable[str]) -> int:
    """Whitespace tokens in ``texts``.

    >>> token_count(["a b  c", "d"])
    4
    """
    return sum(len(t.split()) for t in texts)


def mean(values: Sequence[float] | Mapping[object, float]) -> float | None:
    """The arithmetic mean, or ``None`` for no values."""
    vals = list(values.values()) if isinstance(values, Mapping) else list(values)
    return sum(vals) / len(vals) if vals else None
