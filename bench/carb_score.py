"""The CaRB Open IE scorer, default "binary lenient (s,m)" setting, written from its spec.

The spec is in words in ``../shared/data/carb/README.md`` ("Scoring"); this module
follows it step by step and nothing here comes from the reference implementation:

1. Sentences are keyed by :func:`normalise_sentence` (no spaces, PTB bracket escapes
   undone, ASCII punctuation deleted); only gold sentences are scored.
2. Gold arguments containing ``"C: "`` (context) are dropped; then gold and predicted
   tuples are made binary: ``(arg1, relation, args 2..n joined by spaces)``.
3. :func:`pair_score` gives one (precision, recall) per (gold, prediction) pair: the
   relation must share a token (or satisfy the literal "be" rule), both args must be
   present; for reporting verbs the predicted args may also be swapped.
4. :func:`score` sweeps every distinct confidence as a threshold: recall credits each gold
   tuple with its best kept prediction (many-to-one), precision uses a greedy one-to-one
   matching; both are micro-averaged. It reports the best-F1 point and the area under the
   (recall, precision) curve, starting from the point (0, 1).

Everything is a pure function over small frozen dataclasses; the two readers are the only
I/O. Example:

>>> gold = {"Bob hired Ann .": [Extraction("hired", ("Bob", "Ann"))]}
>>> system = {"Bob hired Ann .": [Extraction("hired", ("Bob", "Ann"), 0.9)]}
>>> result = score(gold, system)
>>> (result.best.precision, result.best.recall, result.auc)
(1.0, 1.0, 1.0)
"""

from __future__ import annotations

import bisect
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Extraction",
    "PairScore",
    "CurvePoint",
    "CarbResult",
    "normalise_sentence",
    "drop_context",
    "binarise",
    "pair_score",
    "pair_matrix",
    "score",
    "read_gold",
    "read_tabbed",
    "write_tabbed",
    "BE_FORMS",
    "REPORTING_MARKERS",
]

#: Gold relations containing one of these make a predicted literal "be" count as a match.
BE_FORMS = frozenset({"be", "is", "am", "are", "was", "were", "been", "being"})
#: Substrings of a gold relation that allow the predicted arguments to be swapped.
REPORTING_MARKERS = ("said", "told", "added", "adds", "says")
CONTEXT_MARKER = "C: "

_PTB_ESCAPES = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
_DELETE_PUNCT = str.maketrans("", "", string.punctuation)


@dataclass(frozen=True, slots=True)
class Extraction:
    """One tuple: a relation, its arguments in order (arg1 first), and a confidence."""

    relation: str
    args: tuple[str, ...]
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class PairScore:
    precision: float
    recall: float


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """Micro-averaged precision and recall with every prediction of confidence ≥ ``threshold`` kept."""

    threshold: float
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class CarbResult:
    """The curve (thresholds descending), its best-F1 point and its AUC (all in [0, 1])."""

    points: tuple[CurvePoint, ...]
    best: CurvePoint
    auc: float
    gold_tuples: int
    predictions: int  # predictions on gold sentences, before any threshold
    #: normalised sentence → best pair recall of each gold tuple at the best-F1 threshold
    gold_recall: dict[str, list[float]] = field(default_factory=dict)

    @property
    def f1(self) -> float:
        return self.best.f1


def normalise_sentence(sentence: str) -> str:
    """The key sentences are matched on.

    >>> normalise_sentence("Bush -LRB- R -RRB- said , `` no . ''")
    'BushRsaidno'
    """
    text = "".join(sentence.split())
    for escape, bracket in _PTB_ESCAPES.items():
        text = text.replace(escape, bracket)
    return text.translate(_DELETE_PUNCT)


def drop_context(ex: Extraction) -> Extraction:
    """``ex`` without the arguments that contain ``"C: "`` (gold context, e.g. "C: a spokesman said")."""
    return Extraction(ex.relation, tuple(a for a in ex.args if CONTEXT_MARKER not in a), ex.confidence)


def binarise(ex: Extraction) -> Extraction:
    """``(arg1, relation, arg2 … argn)`` → ``(arg1, relation, "arg2 … argn")``; fewer than 2 args unchanged."""
    if len(ex.args) < 2:
        return ex
    return Extraction(ex.relation, (ex.args[0], " ".join(ex.args[1:])), ex.confidence)


def _matches(gold: list[str], pred: list[str]) -> tuple[int, list[str]]:
    """Multiset overlap: each gold token consumes at most one equal predicted token."""
    left = list(pred)
    m = 0
    for tok in gold:
        if tok in left:
            left.remove(tok)
            m += 1
    return m, left


def _pair_once(gold: Extraction, rel: str, args: Sequence[str]) -> PairScore:
    gold_rel = gold.relation.split()
    m, left = _matches(gold_rel, rel.split())
    if "be" in left and BE_FORMS.intersection(gold_rel):
        m += 1  # "be" in the prediction stands for is/was/... in the gold, once
    if m == 0:
        return PairScore(0.0, 0.0)
    p_num = r_num = m
    p_den, r_den = len(rel.split()), len(gold_rel)
    for i, gold_arg in enumerate(gold.args):
        gold_toks = gold_arg.split()
        r_den += len(gold_toks)
        if i >= len(args):
            return PairScore(0.0, 0.0)  # binary setting: every gold argument needs a predicted one
        pred_toks = args[i].split()
        p_den += len(pred_toks)
        hit, _ = _matches(gold_toks, pred_toks)
        p_num += hit
        r_num += hit
    return PairScore(p_num / p_den if p_den else 0.0, r_num / r_den if r_den else 0.0)


def pair_score(gold: Extraction, pred: Extraction) -> PairScore:
    """Token-level (precision, recall) of ``pred`` against ``gold``, both already binarised.

    Tokens are whitespace-split and case-sensitive. For a reporting-verb gold relation the
    prediction is also scored with its two arguments swapped, and the better
    ``[precision, recall]`` (lexicographically) is kept.

    >>> pair_score(Extraction("was born in", ("Ann", "Paris")), Extraction("born in", ("Ann", "Paris")))
    PairScore(precision=1.0, recall=0.8)
    """
    best = _pair_once(gold, pred.relation, pred.args)
    if len(pred.args) >= 2 and any(marker in gold.relation for marker in REPORTING_MARKERS):
        swapped = _pair_once(gold, pred.relation, (pred.args[1], pred.args[0], *pred.args[2:]))
        if (swapped.precision, swapped.recall) > (best.precision, best.recall):
            best = swapped
    return best


def pair_matrix(gold: Sequence[Extraction], preds: Sequence[Extraction]) -> list[list[PairScore]]:
    """Pair scores of one sentence, ``[gold][prediction]``, after the same preparation as :func:`score`.

    For diagnostics: the best recall in a gold row, or the best precision in a column.
    """
    golds = [binarise(drop_context(g)) for g in gold]
    return [[pair_score(g, binarise(p)) for p in preds] for g in golds]


@dataclass(slots=True)
class _Sentence:
    """One gold sentence's pair matrix and its contribution at each of its own thresholds."""

    gold: list[Extraction]
    preds: list[Extraction]  # sorted by confidence, descending
    confs: list[float] = field(default_factory=list)  # distinct confidences, ascending
    at: list[tuple[float, float, int, list[float]]] = field(default_factory=list)  # (p_num, r_num, kept, recalls)


def _greedy_precision(prec: list[list[float]], kept: int) -> float:
    """Sum of pair precisions of a greedy one-to-one matching over the first ``kept`` predictions.

    Ties go to the first gold tuple, then the first prediction (confidence order, then input order).
    """
    rows, cols = set(range(len(prec))), set(range(kept))
    total = 0.0
    for _ in range(min(len(rows), len(cols))):
        g, p = max(((g, p) for g in sorted(rows) for p in sorted(cols)), key=lambda gp: prec[gp[0]][gp[1]])
        total += prec[g][p]
        rows.discard(g)
        cols.discard(p)
    return total


def _prepare(gold: list[Extraction], preds: list[Extraction]) -> _Sentence:
    preds = sorted(preds, key=lambda e: -e.confidence)  # stable: ties keep input order
    s = _Sentence(gold, preds)
    pairs = [[pair_score(g, p) for p in preds] for g in gold]
    prec = [[x.precision for x in row] for row in pairs]
    s.confs = sorted({p.confidence for p in preds})
    for t in s.confs:
        kept = sum(1 for p in preds if p.confidence >= t)
        recalls = [max((x.recall for x in row[:kept]), default=0.0) for row in pairs]
        s.at.append((_greedy_precision(prec, kept), sum(recalls), kept, recalls))
    return s


def _group(data: Mapping[str, Iterable[Extraction]]) -> dict[str, list[Extraction]]:
    out: dict[str, list[Extraction]] = {}
    for sentence, exs in data.items():
        out.setdefault(normalise_sentence(sentence), []).extend(exs)
    return out


def _auc(points: Sequence[CurvePoint]) -> float:
    """Trapezoids over (0, 1) and then the points by threshold, descending.

    Recall never falls as the threshold drops, so this order is sorted by recall; among
    points of equal recall it keeps the sweep's order (zero-width steps add no area).
    """
    curve = [(0.0, 1.0), *((pt.recall, pt.precision) for pt in points)]
    return sum((r1 - r0) * (p0 + p1) / 2 for (r0, p0), (r1, p1) in zip(curve, curve[1:]))


def score(gold: Mapping[str, Iterable[Extraction]], system: Mapping[str, Iterable[Extraction]]) -> CarbResult:
    """Score ``system`` against ``gold``; both map a sentence (any spacing) to its tuples.

    Gold context args are dropped and both sides binarised here, so raw tuples may be passed.
    System output for sentences that are not in ``gold`` is ignored.
    """
    gold_by = {k: [binarise(drop_context(g)) for g in v] for k, v in _group(gold).items()}
    sys_by = _group(system)
    sentences = {k: _prepare(g, [binarise(p) for p in sys_by.get(k, [])]) for k, g in gold_by.items()}
    r_den = sum(len(g) for g in gold_by.values())
    # Every distinct confidence in the system output is a threshold (ones from ignored
    # sentences only repeat a neighbouring point, so they change neither F1 nor AUC).
    thresholds = sorted({p.confidence for exs in sys_by.values() for p in exs}, reverse=True)
    points, per_threshold = [], []
    for t in thresholds:
        p_num = r_num = 0.0
        p_den = 0
        recalls: dict[str, list[float]] = {}
        for key, s in sentences.items():
            j = bisect.bisect_left(s.confs, t)  # the sentence's kept set is that of its smallest conf ≥ t
            if j == len(s.confs):
                recalls[key] = [0.0] * len(s.gold)
                continue
            pn, rn, kept, rec = s.at[j]
            p_num, r_num, p_den = p_num + pn, r_num + rn, p_den + kept
            recalls[key] = rec
        points.append(CurvePoint(t, p_num / p_den if p_den else 1.0, r_num / r_den if r_den else 0.0))
        per_threshold.append(recalls)
    n_preds = sum(len(s.preds) for s in sentences.values())
    if not points:
        empty = CurvePoint(float("inf"), 1.0, 0.0)
        return CarbResult((), empty, 0.0, r_den, n_preds, {k: [0.0] * len(g) for k, g in gold_by.items()})
    i = max(range(len(points)), key=lambda k: points[k].f1)  # first (highest threshold) on ties
    return CarbResult(tuple(points), points[i], _auc(points), r_den, n_preds, per_threshold[i])


def _fields(line: str) -> list[str]:
    return [f.strip() for f in line.rstrip("\r\n").split("\t")]


def read_gold(path: str | Path) -> dict[str, list[Extraction]]:
    """``sentence \\t relation \\t arg1 \\t arg2 …`` per line → sentence → tuples (file order).

    Fields are stripped; empty arguments are kept (an empty arg2 still needs a predicted one).
    """
    out: dict[str, list[Extraction]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        f = _fields(line)
        if len(f) < 3:
            raise ValueError(f"{path}: a gold line needs sentence, relation and arg1: {line[:80]!r}")
        out.setdefault(f[0], []).append(Extraction(f[1], tuple(f[2:])))
    return out


def read_tabbed(path: str | Path) -> dict[str, list[Extraction]]:
    """The "tabbed" system format: ``sentence \\t confidence \\t relation \\t arg1 \\t arg2 …``."""
    out: dict[str, list[Extraction]] = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        f = _fields(line)
        try:
            conf = float(f[1])
        except (IndexError, ValueError):
            raise ValueError(f"{path}:{n}: expected 'sentence<TAB>confidence<TAB>relation<TAB>arg1…'") from None
        out.setdefault(f[0], []).append(Extraction(f[2] if len(f) > 2 else "", tuple(f[3:]), conf))
    return out


def write_tabbed(system: Mapping[str, Iterable[Extraction]], path: str | Path) -> int:
    """Write ``system`` in the tabbed format; returns the number of lines written."""
    lines = [
        "\t".join([sentence, f"{ex.confidence:g}", ex.relation, *ex.args])
        for sentence, exs in system.items()
        for ex in exs
    ]
    Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)
