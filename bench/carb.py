"""``python -m bench carb``: graphmem's rule-based extraction scored on the CaRB Open IE benchmark.

Each line of ``<split>.txt`` (PTB tokens) is detokenised, parsed alone with graphmem's
spaCy parser (no coreference: sentences are isolated), and run through
:func:`graphmem.nlp.triples.extract`. Every fact becomes one CaRB extraction:

* relation — the fact's surface relation (auxiliaries, negation, copula, particle kept),
  with the preposition of the object moved to the end ("did not sign in");
* args — subject, object, then the clause's other obliques (time, place) as extra args,
  each the phrase's full extent less any token the relation took (the moved preposition,
  a passive's "by"); a passive fact keeps its surface order (patient first);
* confidence — ``fact.confidence``; exact duplicates keep the highest one.

Every surface string is cut from the CaRB sentence's own PTB tokens (``-LRB-``, `` `` ``),
through a map from detokenised characters back to those tokens, so token matching is exact.

The score is :mod:`bench.carb_score` (default "binary lenient (s,m)" CaRB). Parse time
(``parse_many``, UD conversion included) and extraction time (``extract`` alone) are
measured separately; the target is extraction ≤ 15% of parse time.

Constructions are tagged with cheap heuristics (see :func:`gold_constructions`) on the gold
relation, its arguments and the parse of the sentence; a gold tuple can carry several.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from ._common import machine, stderr
from .carb_score import (
    BE_FORMS,
    REPORTING_MARKERS,
    Extraction,
    normalise_sentence,
    pair_matrix,
    read_gold,
    score,
    write_tabbed,
)

__all__ = ["DEFAULT_DATA", "CONSTRUCTIONS", "detokenise", "to_extractions", "gold_constructions", "run", "tables"]

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "carb"  # ../shared beside the repo
TARGET_EXTRACT_SHARE = 0.15
CONSTRUCTIONS = ("copula", "passive", "relative clause", "coordination", "reporting verb", "implicit relation",
                 "other")
_EXAMPLES = 3

# --- PTB tokens ⇄ plain text ----------------------------------------------------------------

_UNESCAPE = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}",
             "``": '"', "''": '"', "`": "'"}
_NO_SPACE_AFTER = {"``", "`", "-LRB-", "-LSB-", "-LCB-"}
_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", "%", "''", "'", "-RRB-", "-RSB-", "-RCB-", "n't", "N'T",
                    "'s", "'S", "'re", "'RE", "'ve", "'VE", "'ll", "'LL", "'d", "'D", "'m", "'M"}


@dataclass(frozen=True, slots=True)
class Detok:
    """A CaRB sentence as plain text, and where each of its PTB tokens lies in that text."""

    ptb: tuple[str, ...]
    text: str
    spans: tuple[tuple[int, int], ...]
    starts: tuple[int, ...]

    def tokens_in(self, start: int, end: int) -> list[int]:
        """Indices of the PTB tokens that overlap the characters ``[start, end)``."""
        k = max(bisect.bisect_right(self.starts, start) - 1, 0)
        out = []
        while k < len(self.spans) and self.spans[k][0] < end:
            if self.spans[k][1] > start:
                out.append(k)
            k += 1
        return out

    def surface(self, start: int, end: int) -> str:
        return " ".join(self.ptb[k] for k in self.tokens_in(start, end))


def detokenise(sentence: str) -> Detok:
    """PTB tokens → text a parser reads well, keeping each token's character span.

    >>> d = detokenise("Bush -LRB- R -RRB- said `` no '' .")
    >>> d.text, d.surface(5, 8)
    ('Bush (R) said "no".', '-LRB- R -RRB-')
    """
    ptb = tuple(sentence.split())
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for k, tok in enumerate(ptb):
        if k and tok not in _NO_SPACE_BEFORE and ptb[k - 1] not in _NO_SPACE_AFTER:
            parts.append(" ")
            pos += 1
        surface = _UNESCAPE.get(tok, tok)
        spans.append((pos, pos + len(surface)))
        parts.append(surface)
        pos += len(surface)
    return Detok(ptb, "".join(parts), tuple(spans), tuple(s for s, _ in spans))


# --- facts → CaRB extractions -----------------------------------------------------------------


def _span(phrase: Any) -> tuple[int, int]:
    extent = getattr(phrase, "extent", None)  # the full noun phrase, where the extractor gives it
    return tuple(extent) if extent and extent[1] > extent[0] else (phrase.start, phrase.end)


def _relation(doc: Any, d: Detok, fact: Any) -> tuple[str, set[int]]:
    """The fact's relation in the sentence's own tokens, the object's preposition last.

    Returns the relation and the PTB tokens it uses (arguments leave those out).
    """
    passive = getattr(fact, "passive", False)
    span = fact.relation_span
    cands = [t for t in doc.tokens if span and t.idx >= span[0] and t.end <= span[1]]
    if passive:  # "was hired by": "by" hangs from the agent, outside the span
        cands += [c for c in doc.children(fact.subject.head) if c.dep == "case"]
    prep = None
    if fact.object is not None and not passive:
        prep = next((c for c in doc.children(fact.object.head) if c.dep == "case"), None)
    head, tail, used, k = [], [], set(), 0
    for word in fact.relation.split():
        while k < len(cands) and cands[k].text != word:
            k += 1
        if k == len(cands):  # a word the sentence does not spell ("is" of an apposition): as is
            head.append(word)
            k = 0
            continue
        tok = cands[k]
        k += 1
        ptb = [j for j in d.tokens_in(tok.idx, tok.end) if j not in used]
        used.update(ptb)
        (tail if prep is not None and tok.i == prep.i else head).extend(d.ptb[j] for j in ptb)
    return " ".join(head + tail), used


def to_extractions(doc: Any, d: Detok, facts: list[Any]) -> list[tuple[Extraction, str]]:
    """CaRB extractions of one sentence's facts, each with the extractor's construction tag."""

    def arg(phrase: Any, used: set[int]) -> str:
        return " ".join(d.ptb[k] for k in d.tokens_in(*_span(phrase)) if k not in used)

    best: dict[tuple[str, tuple[str, ...]], tuple[Extraction, str]] = {}
    for fact in facts:
        relation, used = _relation(doc, d, fact)
        subj = arg(fact.subject, used)
        obj = arg(fact.object, used) if fact.object is not None else ""
        args = [obj, subj] if getattr(fact, "passive", False) and obj else [subj, obj]
        args += [arg(x, used) for x in getattr(fact, "extras", ()) or ()]
        ex = Extraction(relation, tuple(a for a in args if a), float(fact.confidence))
        key = (ex.relation, ex.args)
        if key not in best or best[key][0].confidence < ex.confidence:
            best[key] = (ex, getattr(fact, "construction", "svo"))
    return list(best.values())


# --- constructions of gold tuples -----------------------------------------------------------------

_REPORTING_WORDS = {"say", "says", "said", "tell", "tells", "told", "add", "adds", "added", "report", "reports",
                    "reported", "announce", "announces", "announced", "state", "states", "stated", "claim",
                    "claims", "claimed"}
_BE_LIKE = BE_FORMS | {"'s", "'re", "'m", "get", "gets", "got", "gotten", "become", "became"}
_FUNCTION = {"aux", "aux:pass", "cop"}
_ADVERBS = {"not", "n't", "never", "also", "being", "been", "then", "still", "later", "first", "often", "only"}


class _Sentence:
    """A parsed sentence with lookups from PTB tokens and words to parse tokens."""

    def __init__(self, doc: Any, d: Detok) -> None:
        self.doc, self.d = doc, d
        self.ptb_to_tok: list[list[Any]] = [[t for t in doc.tokens if t.idx < e and t.end > s] for s, e in d.spans]
        self.by_word: dict[str, list[Any]] = {}
        for k, word in enumerate(d.ptb):
            self.by_word.setdefault(word, []).extend(self.ptb_to_tok[k])
        self.vbn = {t.text for t in doc.tokens if t.tag == "VBN"}

    def word(self, word: str) -> Any | None:
        """The parse token spelling ``word``: a verb first, else the first occurrence."""
        toks = self.by_word.get(word, [])
        return next((t for t in toks if t.upos == "VERB"), toks[0] if toks else None)

    def locate(self, text: str) -> list[Any]:
        """Parse tokens of the first contiguous occurrence of ``text`` (PTB tokens) in the sentence."""
        words, ptb = text.split(), self.d.ptb
        for k in range(len(ptb) - len(words) + 1):
            if words and list(ptb[k : k + len(words)]) == words:
                return [t for j in range(k, k + len(words)) for t in self.ptb_to_tok[j]]
        return []


def gold_constructions(gold: Extraction, s: _Sentence) -> tuple[str, ...]:
    """Construction tags of a gold tuple, from its relation, its args and the sentence's parse.

    * reporting verb — the relation contains say/tell/add/report/announce/state/claim forms
      (the scorer's own markers included);
    * passive — a be/get form in the relation whose next word (adverbs skipped) is tagged VBN
      somewhere in the sentence;
    * copula — a be form in the relation, not passive, and no other relation word is a verb;
    * implicit relation — a relation word that the sentence does not contain ("is" of
      "President Bush", "was an increase to");
    * relative clause — a relation word (or the predicate of its auxiliary/copula) heads an
      ``acl:relcl``/``acl`` in the parse;
    * coordination — that word is a ``conj``, or arg1/arg2 found in the sentence is one
      conjunct of a coordination whose other conjuncts lie outside the arg;
    * other — none of these.
    """
    rel = gold.relation.split()
    tags: list[str] = []
    if any(m in gold.relation for m in REPORTING_MARKERS) or _REPORTING_WORDS.intersection(rel):
        tags.append("reporting verb")
    be_at = [i for i, w in enumerate(rel) if w.lower() in _BE_LIKE]
    after = [w for w in rel[be_at[0] + 1 :] if w.lower() not in _ADVERBS] if be_at else []
    passive = bool(after) and after[0] in s.vbn
    toks = [t for t in (s.word(w) for w in rel) if t is not None]
    heads = [s.doc.tokens[t.head] if t.dep in _FUNCTION else t for t in toks]
    if passive:
        tags.append("passive")
    elif be_at and not any(t.upos == "VERB" and t.text.lower() not in _BE_LIKE for t in toks):
        tags.append("copula")
    lower = {w.lower() for w in s.d.ptb}
    if any(w.lower() not in lower for w in rel):
        tags.append("implicit relation")
    if any(h.dep in ("acl:relcl", "acl") for h in heads):
        tags.append("relative clause")
    coordinated = any(h.dep == "conj" for h in heads)
    for arg in gold.args[:2]:
        span = s.locate(arg)
        inside = {t.i for t in span}
        if any((t.dep == "conj" and t.head not in inside) or
               any(c.dep == "conj" and c.i not in inside for c in s.doc.children(t.i)) for t in span):
            coordinated = True
    if coordinated:
        tags.append("coordination")
    return tuple(tags) or ("other",)


# --- the bench --------------------------------------------------------------------------------------


def _load(data: Path, split: str, limit: int | None) -> tuple[list[str], dict[str, list[Extraction]]]:
    text_path, gold_path = data / f"{split}.txt", data / f"{split}_gold.tsv"
    missing = [p.name for p in (text_path, gold_path) if not p.is_file()]
    if missing:
        hint = " (the test split is held out; pass --data to a folder that has it)" if split == "test" else ""
        raise FileNotFoundError(f"CaRB {split} split not found in {data}: missing {', '.join(missing)}{hint}")
    sentences = [line.strip() for line in text_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    sentences = sentences[:limit] if limit else sentences
    keys = {normalise_sentence(s) for s in sentences}
    gold = {s: g for s, g in read_gold(gold_path).items() if normalise_sentence(s) in keys}
    return sentences, gold


def run(*, data: Path | None, split: str = "dev", limit: int | None = None, out: Path | None = None) -> dict[str, Any]:
    """Parse, extract, score; return the JSON report."""
    from graphmem.config import DEFAULT_SPACY_MODEL
    from graphmem.nlp import SpacyParser
    from graphmem.nlp.triples import extract

    if data is None:
        if not DEFAULT_DATA.is_dir():
            raise FileNotFoundError(f"no CaRB data at {DEFAULT_DATA}; pass --data DIR")
        data = DEFAULT_DATA
    sentences, gold = _load(Path(data), split, limit)
    detoks = [detokenise(s) for s in sentences]
    stderr.print(f"bench carb: {len(sentences)} {split} sentences, {sum(map(len, gold.values()))} gold tuples; "
                 f"loading {DEFAULT_SPACY_MODEL} …")
    parser = SpacyParser(DEFAULT_SPACY_MODEL)
    list(parser.parse_many([d.text for d in detoks[:16]]))  # load and warm the model off the clock

    t0 = time.perf_counter()
    docs = list(parser.parse_many([d.text for d in detoks]))
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    facts = [extract(doc) for doc in docs]
    extract_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    system: dict[str, list[Extraction]] = {}
    pred_tags: dict[str, list[str]] = {}
    for sentence, doc, d, fs in zip(sentences, docs, detoks, facts):
        converted = to_extractions(doc, d, fs)
        system.setdefault(sentence, []).extend(ex for ex, _ in converted)
        pred_tags.setdefault(sentence, []).extend(tag for _, tag in converted)
    convert_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = score(gold, system)
    score_s = time.perf_counter() - t0
    if out is not None:
        write_tabbed(system, out)

    report = _analyse(sentences, docs, detoks, gold, system, pred_tags, result)
    n_ex = sum(map(len, system.values()))
    best = result.best
    report.update({
        "bench": "carb",
        "meta": machine(),
        "params": {"data": str(data), "split": split, "limit": limit, "spacy_model": DEFAULT_SPACY_MODEL,
                   "scorer": "CaRB binary lenient (s,m), bench/carb_score.py", "out": str(out) if out else None},
        "counts": {"sentences": len(sentences), "gold_sentences": len({normalise_sentence(k) for k in gold}),
                   "gold_tuples": result.gold_tuples,
                   "facts": sum(map(len, facts)), "extractions": n_ex},
        "scores": {"precision": round(100 * best.precision, 2), "recall": round(100 * best.recall, 2),
                   "f1": round(100 * best.f1, 2), "auc": round(100 * result.auc, 2),
                   "threshold": best.threshold if result.points else None},
        "curve": [{"threshold": p.threshold, "precision": round(p.precision, 4), "recall": round(p.recall, 4)}
                  for p in result.points],
        "times": {"parse_s": round(parse_s, 3), "extract_s": round(extract_s, 3), "convert_s": round(convert_s, 3),
                  "score_s": round(score_s, 3), "extract_share_of_parse": round(extract_s / parse_s, 4),
                  "target_share": TARGET_EXTRACT_SHARE,
                  "parse_ms_per_sentence": round(1000 * parse_s / max(len(sentences), 1), 2),
                  "extract_ms_per_sentence": round(1000 * extract_s / max(len(sentences), 1), 3)},
    })
    return report


def _analyse(sentences: list[str], docs: list[Any], detoks: list[Detok], gold: dict[str, list[Extraction]],
             system: dict[str, list[Extraction]], pred_tags: dict[str, list[str]], result: Any) -> dict[str, Any]:
    """Recall by gold construction (at the best-F1 threshold), misses, and predictions by extractor rule."""
    parsed = {normalise_sentence(s): (s, _Sentence(doc, d)) for s, doc, d in zip(sentences, docs, detoks)}
    by_key_sys: dict[str, list[Extraction]] = {}
    by_key_tags: dict[str, list[str]] = {}
    for s, exs in system.items():
        by_key_sys.setdefault(normalise_sentence(s), []).extend(exs)
        by_key_tags.setdefault(normalise_sentence(s), []).extend(pred_tags[s])
    rows = {c: {"gold": 0, "recall_sum": 0.0, "missed": 0, "examples": []} for c in CONSTRUCTIONS}
    preds: dict[str, dict[str, float]] = {}
    missed_total = 0
    for s_gold, golds in gold.items():
        key = normalise_sentence(s_gold)
        sentence, sent = parsed[key]
        exs = by_key_sys.get(key, [])
        matrix = pair_matrix(golds, exs)
        at_best = result.gold_recall.get(key, [0.0] * len(golds))
        for g, row, r in zip(golds, matrix, at_best):
            missed = max((x.recall for x in row), default=0.0) == 0.0  # no extraction at all overlaps it
            missed_total += missed
            for tag in gold_constructions(g, sent):
                cell = rows[tag]
                cell["gold"] += 1
                cell["recall_sum"] += r
                if missed:
                    cell["missed"] += 1
                    if len(cell["examples"]) < _EXAMPLES:
                        cell["examples"].append({"sentence": sentence, "relation": g.relation, "args": list(g.args)})
        for j, tag in enumerate(by_key_tags.get(key, [])):
            cell = preds.setdefault(tag, {"extractions": 0, "best_precision_sum": 0.0})
            cell["extractions"] += 1
            cell["best_precision_sum"] += max((row[j].precision for row in matrix), default=0.0)
    constructions = {
        c: {"gold": v["gold"], "recall": round(100 * v["recall_sum"] / v["gold"], 2) if v["gold"] else None,
            "missed": v["missed"], "examples": v["examples"]}
        for c, v in rows.items()
    }
    by_rule = {
        tag: {"extractions": v["extractions"],
              "mean_best_precision": round(100 * v["best_precision_sum"] / v["extractions"], 2)}
        for tag, v in sorted(preds.items(), key=lambda kv: -kv[1]["extractions"])
    }
    return {"constructions": constructions, "extractor_rules": by_rule, "missed": missed_total}


def tables(report: dict[str, Any]) -> list[Table]:
    c, s, t = report["counts"], report["scores"], report["times"]
    main = Table(title=f"CaRB {report['params']['split']} — {c['sentences']} sentences ({c['gold_sentences']} with "
                 f"gold), {c['gold_tuples']} gold tuples, {c['extractions']} extractions ({c['facts']} facts)",
                 caption="binary lenient (s,m) CaRB; P, R at the best-F1 threshold "
                 f"{s['threshold']}; ×100", expand=False)
    for col in ("P", "R", "F1", "AUC", "parse s", "extract s", "extract / parse"):
        main.add_column(col, justify="right")
    share = t["extract_share_of_parse"]
    flag = "" if share <= t["target_share"] else f" (> {100 * t['target_share']:.0f}% target)"
    main.add_row(f"{s['precision']:.1f}", f"{s['recall']:.1f}", f"{s['f1']:.1f}", f"{s['auc']:.1f}",
                 f"{t['parse_s']:.2f}", f"{t['extract_s']:.3f}", f"{100 * share:.1f}%{flag}")
    by = Table(title="Recall by gold construction (a tuple may have several tags)",
               caption="missed: no extraction overlaps the tuple at all (pair recall 0 at every threshold)",
               expand=False)
    for col, justify in (("construction", "left"), ("gold", "right"), ("recall", "right"), ("missed", "right"),
                         ("a missed example (relation | args)", "left")):
        by.add_column(col, justify=justify, overflow="fold")
    for name, row in report["constructions"].items():
        ex = row["examples"][0] if row["examples"] else None
        example = f"{ex['relation']} | {' | '.join(ex['args'])}" if ex else ""
        example = example if len(example) <= 70 else example[:69] + "…"
        by.add_row(name, str(row["gold"]), "–" if row["recall"] is None else f"{row['recall']:.1f}",
                   str(row["missed"]), example)
    rules = Table(title="Extractions by extractor rule", caption="best precision: against any gold tuple of the "
                  "sentence, averaged", expand=False)
    for col in ("rule", "extractions", "mean best precision"):
        rules.add_column(col, justify="left" if col == "rule" else "right")
    for name, row in report["extractor_rules"].items():
        rules.add_row(name, str(row["extractions"]), f"{row['mean_best_precision']:.1f}")
    return [main, by, rules]
