"""``python -m bench coref``: graphmem's rule-based coreference scored on GAP (snippet-context).

Each GAP example's ``Text`` is parsed with graphmem's spaCy parser and resolved by a fresh
:class:`graphmem.nlp.coref.Resolver`, as a stand-alone document. The gold spans are used
only to read predictions off, as the GAP README asks: the cluster holding the pronoun (a
mention overlapping ``[Pronoun-offset, +len)``) predicts A-coref / B-coref TRUE when it also
holds a mention overlapping A's / B's span. No cluster means both FALSE ("unresolved").

Scores follow the GAP definitions (README of the data folder): every example is two binary
decisions; F1 over true positives, false positives and false negatives; overall, masculine
(he/his/him) and feminine (she/her/hers); bias = F1(F) / F1(M). Three systems are scored in
the same run:

* ``graphmem`` — the clusters as they are;
* ``graphmem, one choice`` — if both A and B are in the cluster, keep the mention nearest the pronoun;
* ``baseline`` — the nearest person name (NER PERSON) before the pronoun, matched to A or B.

Time: parse (``parse_many``, UD conversion included), extraction (``extract``) and coreference
are measured separately; coreference's cost is reported against parse + extraction, the rest
of the pipeline's linguistic work (target: at most 20%).
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from ._common import machine, stderr

__all__ = ["DEFAULT_DATA", "ERRORS", "Example", "error_kind", "load", "score", "run", "tables"]

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gap"  # ../shared beside the repo
TARGET_F1, TARGET_BIAS, TARGET_SHARE = 72.0, 0.95, 0.20
_MASCULINE = {"he", "his", "him"}


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    text: str
    pronoun: str
    pronoun_at: int
    a: str
    a_at: int
    a_coref: bool
    b: str
    b_at: int
    b_coref: bool

    @property
    def masculine(self) -> bool:
        return self.pronoun.lower() in _MASCULINE


def load(data: Path, split: str, limit: int | None = None) -> list[Example]:
    """The examples of ``gap-<split>.tsv``, read with quoting off so offsets line up with the text."""
    path = Path(data) / f"gap-{split}.tsv"
    if not path.is_file():
        raise FileNotFoundError(f"no GAP file at {path}")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    out = [Example(r["ID"], r["Text"], r["Pronoun"], int(r["Pronoun-offset"]), r["A"], int(r["A-offset"]),
                   r["A-coref"].upper() == "TRUE", r["B"], int(r["B-offset"]), r["B-coref"].upper() == "TRUE")
           for r in rows]
    return out[:limit] if limit else out


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def score(examples: list[Example], predictions: list[tuple[bool, bool]]) -> dict[str, Any]:
    """GAP F1 (×100) overall, masculine, feminine, and bias F/M, from (A, B) predictions."""
    counts = {g: [0, 0, 0] for g in ("M", "F")}  # tp, fp, fn
    for ex, pred in zip(examples, predictions):
        c = counts["M" if ex.masculine else "F"]
        for p, gold in zip(pred, (ex.a_coref, ex.b_coref)):
            if p and gold:
                c[0] += 1
            elif p:
                c[1] += 1
            elif gold:
                c[2] += 1

    def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return 100 * p, 100 * r, (200 * p * r / (p + r) if p + r else 0.0)

    m, f = f1(*counts["M"]), f1(*counts["F"])
    o = f1(*[counts["M"][i] + counts["F"][i] for i in range(3)])
    return {"precision": round(o[0], 2), "recall": round(o[1], 2), "f1": round(o[2], 2),
            "masculine": round(m[2], 2), "feminine": round(f[2], 2),
            "bias": round(f[2] / m[2], 3) if m[2] else None}


def _predict(ex: Example, coref: Any, doc: Any) -> tuple[tuple[bool, bool], tuple[bool, bool], bool]:
    """(clusters as they are, one choice, resolved?) for one example."""
    p0, p1 = ex.pronoun_at, ex.pronoun_at + len(ex.pronoun)
    cluster = next((c for c in coref.clusters for m in c.mentions
                    if m.kind == "pronoun" and _overlaps(m.start_char, m.end_char, p0, p1)), None)
    if cluster is None:
        return (False, False), (False, False), False
    hits = []
    for name, at in ((ex.a, ex.a_at), (ex.b, ex.b_at)):
        near = [abs(m.start_char - p0) for m in cluster.mentions if _overlaps(m.start_char, m.end_char, at, at + len(name))]
        hits.append(min(near) if near else None)
    raw = (hits[0] is not None, hits[1] is not None)
    if all(raw):  # one choice: the mention nearer the pronoun
        return raw, ((hits[0] <= hits[1]), (hits[1] < hits[0])), True
    return raw, raw, True


ERRORS = ("third entity", "other candidate", "both candidates", "link where none", "unresolved")


def error_kind(ex: Example, pred: tuple[bool, bool], resolved: bool) -> str | None:
    """Where an example went wrong (``None`` when both decisions are right); one of :data:`ERRORS`.

    *third entity*: the pronoun joined someone who is neither A nor B; *other candidate*: the
    wrong one of A and B; *both candidates*: A and B in one cluster; *link where none*: gold
    says neither, the cluster holds one; *unresolved*: the pronoun is in no cluster.
    """
    gold = (ex.a_coref, ex.b_coref)
    if pred == gold:
        return None
    if not resolved:
        return "unresolved"
    if all(pred):
        return "both candidates"
    if not any(gold):
        return "link where none"
    return "other candidate" if any(pred) else "third entity"


def _baseline(ex: Example, doc: Any) -> tuple[bool, bool]:
    """The nearest PERSON name before the pronoun (any gender), read off against A and B."""
    before = [e for e in doc.ents if e.label == "PERSON" and e.end_char <= ex.pronoun_at]
    if not before:
        return False, False
    e = before[-1]
    return (_overlaps(e.start_char, e.end_char, ex.a_at, ex.a_at + len(ex.a)),
            _overlaps(e.start_char, e.end_char, ex.b_at, ex.b_at + len(ex.b)))


def run(*, data: Path | None, split: str = "development", limit: int | None = None) -> dict[str, Any]:
    """Parse, resolve, score; return the JSON report."""
    from graphmem.config import DEFAULT_SPACY_MODEL
    from graphmem.nlp import SpacyParser
    from graphmem.nlp.coref import Resolver
    from graphmem.nlp.triples import extract

    if data is None:
        if not DEFAULT_DATA.is_dir():
            raise FileNotFoundError(f"no GAP data at {DEFAULT_DATA}; pass --data DIR")
        data = DEFAULT_DATA
    examples = load(Path(data), split, limit)
    stderr.print(f"bench coref: {len(examples)} GAP {split} examples; loading {DEFAULT_SPACY_MODEL} …")
    parser = SpacyParser(DEFAULT_SPACY_MODEL)
    list(parser.parse_many([ex.text for ex in examples[:16]]))  # load and warm the model off the clock

    t0 = time.perf_counter()
    docs = list(parser.parse_many([ex.text for ex in examples]))
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for doc in docs:
        extract(doc)
    extract_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    corefs = [Resolver().resolve(doc) for doc in docs]
    coref_s = time.perf_counter() - t0

    raw, single, base, unresolved = [], [], [], 0
    errors = {g: dict.fromkeys(ERRORS, 0) for g in ("M", "F")}
    for ex, doc, co in zip(examples, docs, corefs):
        r, s, ok = _predict(ex, co, doc)
        raw.append(r)
        single.append(s)
        base.append(_baseline(ex, doc))
        unresolved += not ok
        kind = error_kind(ex, r, ok)
        if kind is not None:
            errors["M" if ex.masculine else "F"][kind] += 1
    share = coref_s / (parse_s + extract_s) if parse_s + extract_s else 0.0
    return {
        "bench": "coref",
        "meta": machine(),
        "params": {"data": str(data), "split": split, "limit": limit, "spacy_model": DEFAULT_SPACY_MODEL,
                   "setting": "snippet-context"},
        "counts": {"examples": len(examples), "pairs": 2 * len(examples),
                   "masculine": sum(ex.masculine for ex in examples),
                   "unresolved": unresolved},
        "scores": {"graphmem": score(examples, raw), "graphmem, one choice": score(examples, single),
                   "baseline: nearest person before": score(examples, base)},
        "errors": errors,  # examples per gender by where they went wrong (graphmem, clusters as they are)
        "times": {"parse_s": round(parse_s, 3), "extract_s": round(extract_s, 3), "coref_s": round(coref_s, 3),
                  "coref_share_of_parse_and_extract": round(share, 4), "target_share": TARGET_SHARE},
        "targets": {"f1": TARGET_F1, "bias": TARGET_BIAS},
    }


def tables(report: dict[str, Any]) -> list[Table]:
    c, t = report["counts"], report["times"]
    main = Table(title=f"GAP {report['params']['split']} — {c['examples']} examples ({c['pairs']} pairs), "
                 f"snippet-context; pronoun unresolved in {c['unresolved']}",
                 caption=f"F1 ×100 per the GAP definitions; targets: F1 ≥ {TARGET_F1:.0f}, bias ≥ {TARGET_BIAS}",
                 expand=False)
    for col in ("system", "P", "R", "F1", "M", "F", "bias F/M"):
        main.add_column(col, justify="left" if col == "system" else "right")
    for name, s in report["scores"].items():
        main.add_row(name, f"{s['precision']:.1f}", f"{s['recall']:.1f}", f"{s['f1']:.1f}", f"{s['masculine']:.1f}",
                     f"{s['feminine']:.1f}", "–" if s["bias"] is None else f"{s['bias']:.3f}")
    errs = report["errors"]
    where = Table(title="Where graphmem goes wrong (examples)", caption="third entity: the pronoun joined neither A "
                  "nor B; other candidate: the wrong one of the two", expand=False)
    where.add_column("pronoun", justify="left")
    for kind in ERRORS:
        where.add_column(kind, justify="right")
    for g, label in (("M", "he/his/him"), ("F", "she/her/hers")):
        where.add_row(label, *(str(errs[g][k]) for k in ERRORS))
    times = Table(title="Time", caption="coreference against parse + extraction, the rest of the linguistic "
                  f"pipeline (target ≤ {100 * TARGET_SHARE:.0f}%)", expand=False)
    for col in ("parse s", "extract s", "coref s", "coref / (parse + extract)"):
        times.add_column(col, justify="right")
    share = t["coref_share_of_parse_and_extract"]
    flag = "" if share <= t["target_share"] else " (over target)"
    times.add_row(f"{t['parse_s']:.2f}", f"{t['extract_s']:.3f}", f"{t['coref_s']:.3f}", f"{100 * share:.1f}%{flag}")
    return [main, where, times]
