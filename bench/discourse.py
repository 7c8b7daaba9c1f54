"""``python -m bench discourse``: explicit discourse connectives scored on a DISRPT PDTB-style corpus.

The data folder is laid out like TED-MDB in the DISRPT format (``eng.pdtb.tedm_<split>.tok``,
``.conllu``, ``.rels``; see its README). Each sentence of ``.conllu`` (its ``# text``) is
parsed alone by graphmem's spaCy parser; the sentences of a talk are then joined into one
:class:`ParsedDoc`, so a connective that opens a sentence finds its Arg1 in the sentence
before. Parse tokens are mapped to the corpus tokens by character offsets.

Scores, as in the DISRPT scorer and the data README:

* connective identification — exact token-range match of spans read from ``Conn=`` BIO
  labels of ``.tok`` (a span starting with I is ignored); micro P, R, F1;
* sense accuracy over the explicit relations of ``.rels``: PDTB-3 level 1 (the first part of
  ``orig_label``) and level 2 (the first two), a relation with two gold senses counted right
  when either matches. Given the gold connective (graphmem's parse-aware sense for those
  words, or the table's most likely sense for the baseline), and end to end (the relation's
  connective must also have been found);
* arguments — for found connectives of explicit relations, whether graphmem's Arg1 and Arg2
  heads lie inside the gold units (``dir`` ``1>2`` marks a relation whose Arg2 comes first:
  "If A, B");
* coverage — gold explicit relations that became a fact → fact ``DISCOURSE`` link (sense
  level 1 right, source fact in Arg1, target in Arg2) when the talk goes through
  :class:`graphmem.nlp.Pipeline`.

The baseline, measured in the same run: every longest match of graphmem's connective table,
no parse, each with the table's most likely sense.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

from ._common import machine, stderr

__all__ = ["DEFAULT_DATA", "SMOKE_DATA", "read_corpus", "run", "tables"]

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "tedm"  # ../shared beside the repo
SMOKE_DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "tedm_tiny"
TARGETS = {"f1": 80.0, "level1": 85.0}
_EXAMPLES = 12


# --- the corpus ---------------------------------------------------------------------------


@dataclass(slots=True)
class Sentence:
    text: str
    ids: list[int]  # corpus token ids (continuous within a talk)
    chars: list[tuple[int, int]]  # each token's span in ``text``


@dataclass(slots=True)
class Talk:
    name: str
    sentences: list[Sentence] = field(default_factory=list)
    gold_spans: set[tuple[int, int]] = field(default_factory=set)  # (first id, last id)
    explicit: list[dict[str, Any]] = field(default_factory=list)


def _ids(ranges: str) -> list[int]:
    out: list[int] = []
    for part in ranges.split(","):
        if part.strip():
            a, _, b = part.partition("-")
            out.extend(range(int(a), int(b or a) + 1))
    return out


def _locate(text: str, forms: list[str]) -> list[tuple[int, int]]:
    """Character spans of the tokens ``forms`` in ``text``, searched left to right."""
    out, pos = [], 0
    for form in forms:
        k = text.find(form, pos)
        if k < 0 or k - pos > 40:
            alt = {"``": '"', "''": '"', "-LRB-": "(", "-RRB-": ")"}.get(form)
            k = text.find(alt, pos) if alt else -1
            form = alt or form
        if k < 0:
            out.append((pos, pos))
            continue
        out.append((k, k + len(form)))
        pos = k + len(form)
    return out


def read_corpus(data: Path, split: str, *, limit: int | None = None) -> list[Talk]:
    """The talks of one split: sentences, gold connective spans and explicit relations."""
    stem = data / f"eng.pdtb.tedm_{split}"
    paths = {ext: stem.parent / f"{stem.name}.{ext}" for ext in ("tok", "conllu", "rels")}
    missing = [p.name for p in paths.values() if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"TED-MDB {split} split not found in {data}: missing {', '.join(missing)}")
    talks: dict[str, Talk] = {}
    talk: Talk | None = None
    text, forms, ids, offset, n_sent = "", [], [], 0, 0
    for line in paths["conllu"].read_text(encoding="utf-8").splitlines():
        if line.startswith("# newdoc id"):
            talk = talks.setdefault(line.split("=", 1)[1].strip(), Talk(line.split("=", 1)[1].strip()))
            offset = 0
        elif line.startswith("# text"):
            text = line.split("=", 1)[1].strip()
        elif not line.strip():
            if talk is not None and forms and (limit is None or n_sent < limit):
                talk.sentences.append(Sentence(text, ids, _locate(text, forms)))
                n_sent += 1
            forms, ids = [], []
        elif not line.startswith("#"):
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            offset += 1
            forms.append(cols[1])
            ids.append(offset)
    doc = None
    span: list[int] | None = None
    for line in paths["tok"].read_text(encoding="utf-8").splitlines():
        if line.startswith("# newdoc id"):
            doc = line.split("=", 1)[1].strip()
            span = None
            continue
        cols = line.split("\t")
        if len(cols) < 10 or "-" in cols[0] or "." in cols[0] or doc not in talks:
            continue
        tid, label = int(cols[0]), cols[9]
        if "B-conn" in label:
            span = [tid, tid]
            talks[doc].gold_spans.add((tid, tid))
        elif "I-conn" in label and span is not None:
            talks[doc].gold_spans.discard(tuple(span))
            span[1] = tid
            talks[doc].gold_spans.add(tuple(span))
        else:
            span = None
    rows = paths["rels"].read_text(encoding="utf-8").splitlines()
    header = rows[0].split("\t")
    for row in rows[1:]:
        r = dict(zip(header, row.split("\t")))
        if r.get("rel_type") == "explicit" and r["doc"] in talks:
            talks[r["doc"]].explicit.append(r)
    out = [t for t in talks.values() if t.sentences]
    for t in out:
        last = max(i for s in t.sentences for i in s.ids)
        t.gold_spans = {sp for sp in t.gold_spans if sp[1] <= last}
        t.explicit = [r for r in t.explicit if max(_ids(r["unit1_toks"]) + _ids(r["unit2_toks"])) <= last]
    return out


def gold_connective(talk: Talk, rel: dict[str, Any]) -> tuple[int, int] | None:
    """The connective span of an explicit relation.

    The data README's procedure, except that a span opening unit 2 is preferred to one opening
    unit 1 (in "If A, B, and C" the relation of B and C is signalled by "and", not "if").
    """
    u1, u2 = _ids(rel["unit1_toks"]), _ids(rel["unit2_toks"])
    lo, hi = min(u1 + u2), max(u1 + u2)
    spans = sorted(sp for sp in talk.gold_spans if lo <= sp[0] <= hi)
    for start in (min(u2), min(u1)):  # unit 2's opening first: "If A, B, and C" relates B and C by "and"
        for sp in spans:
            if sp[0] == start:
                return sp
    inside = set(u1) | set(u2)
    for sp in spans:
        if sp[0] not in inside:
            return sp
    return spans[0] if spans else None


def relation_groups(talk: Talk) -> list[tuple[list[dict[str, Any]], list[tuple[int, int] | None]]]:
    """Explicit relations grouped by the end of unit 1 and the start of unit 2, each with as many connectives.

    TED-MDB gives "A, and then B" two relations, one per connective (conjunction for "and",
    precedence for "then"), whose units differ only by the connective tokens; the relations of
    a group take the connective found by :func:`gold_connective` and the spans that directly
    follow it, and are scored by their best pairing with graphmem's senses for those spans.
    """
    groups: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for rel in talk.explicit:
        groups.setdefault((max(_ids(rel["unit1_toks"])), min(_ids(rel["unit2_toks"]))), []).append(rel)
    out = []
    for rels in groups.values():
        first = gold_connective(talk, rels[0])
        spans: list[tuple[int, int] | None] = [first]
        while first is not None and len(spans) < len(rels):
            nxt = next((sp for sp in sorted(talk.gold_spans) if sp[0] in (first[1] + 1, first[1] + 2)), None)
            if nxt is None:
                break
            spans.append(nxt)
            first = nxt
        spans += [None] * (len(rels) - len(spans))
        out.append((rels, spans))
    return out


def _matched(senses: list[str | None], rels: list[dict[str, Any]], level: int) -> int:
    """Relations of one group whose gold sense a predicted sense matches, one prediction each (best pairing)."""
    from itertools import permutations

    best = 0
    for order in permutations(range(len(senses))):
        best = max(best, sum(_hit(senses[k], rel, level) for k, rel in zip(order, rels)))
    return best


# --- graphmem over the corpus -------------------------------------------------------------


def _join(docs: list[Any], sentences: list[Sentence]) -> tuple[Any, list[list[int]], dict[int, int]]:
    """One ParsedDoc for a talk; each parse token's corpus ids; each corpus id's parse tokens."""
    from graphmem.nlp.parse import ParsedDoc, Token

    tokens, sents, ents, text = [], [], [], ""
    tok_ids: list[list[int]] = []
    id_tok: dict[int, list[int]] = {}
    for n, (doc, s) in enumerate(zip(docs, sentences)):
        base_i, base_c = len(tokens), len(text) + (1 if text else 0)
        text = f"{text} {doc.text}" if text else doc.text
        for t in doc.tokens:
            tokens.append(Token(t.i + base_i, t.text, t.idx + base_c, t.lemma, t.upos, t.tag, t.dep, t.head + base_i,
                                t.ent_type, n))
            ids = [i for i, (a, b) in zip(s.ids, s.chars) if a < t.idx + len(t.text) and b > t.idx]
            tok_ids.append(ids)
            for i in ids:
                id_tok.setdefault(i, []).append(t.i + base_i)
        sents.append((base_i, base_i + len(doc.tokens)))
        for e in doc.ents:
            ents.append(type(e)(e.start + base_i, e.end + base_i, e.label, e.text, e.start_char + base_c,
                                e.end_char + base_c))
    return ParsedDoc(text, tokens, sents, ents), tok_ids, id_tok


def _span_ids(tok_ids: list[list[int]], toks: tuple[int, ...]) -> tuple[int, int] | None:
    ids = [i for t in toks for i in tok_ids[t]]
    return (min(ids), max(ids)) if ids else None


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(100 * p, 2), "recall": round(100 * r, 2), "f1": round(100 * f, 2),
            "tp": tp, "fp": fp, "fn": fn}


def _gold_senses(rel: dict[str, Any], level: int) -> set[str]:
    return {".".join(s.strip().split(".")[:level]).lower() for s in rel["orig_label"].split(";") if s.strip()}


def _hit(sense: str | None, rel: dict[str, Any], level: int) -> bool:
    return sense is not None and ".".join(sense.split(".")[:level]).lower() in _gold_senses(rel, level)


class _Given:
    """A parser stand-in that hands the pipeline documents already parsed."""

    def __init__(self, docs: list[Any]) -> None:
        self.docs = docs

    def parse_many(self, texts: Any, **_: Any) -> Any:
        return iter(self.docs)


def _coverage(talk: Talk, doc: Any, tok_ids: list[list[int]]) -> list[bool]:
    """For each explicit relation: whether the pipeline linked a fact of unit 1 to a fact of unit 2."""
    from graphmem.model import Source, Utterance
    from graphmem.nlp.pipeline import Pipeline

    utt = Utterance("u0", "bench", "s0", doc.text, 0)
    batch = Pipeline(_Given([doc])).build("bench", Source("s0", "bench", talk.name, "document", "-"), [utt])
    facts = {f.id: f for f in batch.facts}

    def ids_of(fact: Any) -> set[int]:
        span = fact.relation_span or fact.subject_span
        return {i for t in doc.tokens if t.idx < span[1] and t.end > span[0] for i in tok_ids[t.i]} if span else set()

    links = [(ids_of(facts[lk.source_fact_id]), ids_of(facts[lk.target_fact_id]), lk.relation) for lk in batch.links]
    out = []
    for rel in talk.explicit:
        u1, u2 = set(_ids(rel["unit1_toks"])), set(_ids(rel["unit2_toks"]))
        if rel.get("dir") == "1>2":
            u1, u2 = u2, u1
        out.append(any(a & u1 and b & u2 and _hit(sense, rel, 1) for a, b, sense in links))
    return out


def run(*, data: Path | None, split: str = "dev", smoke: bool = False) -> dict[str, Any]:
    from graphmem.config import DEFAULT_SPACY_MODEL
    from graphmem.nlp.discourse import classify, find_relations, lexicon_matches, load_lexicon
    from graphmem.nlp.parse import SpacyParser

    if data is None:
        data = SMOKE_DATA if smoke else DEFAULT_DATA
    if not data.is_dir():
        raise FileNotFoundError(f"no TED-MDB data at {data}; pass --data DIR")
    talks = read_corpus(data, split, limit=40 if smoke else None)
    lexicon = load_lexicon()
    parser = SpacyParser(DEFAULT_SPACY_MODEL)
    stderr.print(f"bench discourse: {sum(len(t.sentences) for t in talks)} sentences in {len(talks)} talks from {data}")
    parser.parse("warm up")
    counts = Counter()
    fp_ex: list[dict[str, Any]] = []
    fn_ex: list[dict[str, Any]] = []
    sense_ex: list[dict[str, Any]] = []
    arg_ex: list[dict[str, Any]] = []
    sense_rows: dict[str, Counter] = {k: Counter() for k in ("graphmem", "graphmem_e2e", "lexicon")}
    args = Counter()
    by_conn: dict[str, Counter] = {}
    covered: list[bool] = []
    parse_s = find_s = 0.0
    for talk in talks:
        t0 = time.perf_counter()
        docs = list(parser.parse_many([s.text for s in talk.sentences]))
        parse_s += time.perf_counter() - t0
        doc, tok_ids, id_tok = _join(docs, talk.sentences)
        t0 = time.perf_counter()
        rels = find_relations(doc, lexicon=lexicon)
        find_s += time.perf_counter() - t0
        pred = {}
        for r in rels:
            sp = _span_ids(tok_ids, r.tokens)
            if sp is not None:
                pred[sp] = r
        base = {}
        for toks, sense in lexicon_matches(doc, lexicon=lexicon):
            sp = _span_ids(tok_ids, toks)
            if sp is not None:
                base[sp] = sense
        gold = talk.gold_spans
        for name, spans in (("graphmem", set(pred)), ("lexicon", set(base))):
            counts[f"{name}_tp"] += len(spans & gold)
            counts[f"{name}_fp"] += len(spans - gold)
            counts[f"{name}_fn"] += len(gold - spans)
        text_of = {i: doc.text[doc.tokens[ts[0]].idx:doc.tokens[ts[-1]].end] for i, ts in id_tok.items()}

        def words(sp: tuple[int, int]) -> str:
            return " ".join(text_of.get(i, "?") for i in range(sp[0], sp[1] + 1))

        def context(sp: tuple[int, int]) -> str:
            """The sentence, the connective in brackets."""
            toks = [t for i in range(sp[0], sp[1] + 1) for t in id_tok.get(i, [])] or [0]
            s, e = doc.sents[doc.tokens[toks[0]].sent]
            a, b, lo, hi = doc.tokens[toks[0]].idx, doc.tokens[toks[-1]].end, doc.tokens[s].idx, doc.tokens[e - 1].end
            return f"{doc.text[lo:a]}[{doc.text[a:b]}]{doc.text[b:hi]}"

        for sp in sorted(set(pred) - gold):
            fp_ex.append({"talk": talk.name, "connective": words(sp), "sentence": context(sp)})
        for sp in sorted(gold - set(pred)):
            fn_ex.append({"talk": talk.name, "connective": words(sp), "sentence": context(sp)})
        for sp in gold:
            cell = by_conn.setdefault(words(sp).lower(), Counter())
            cell["gold"] += 1
            cell["found"] += sp in pred
        for sp in set(pred) - gold:
            by_conn.setdefault(words(sp).lower(), Counter())["false"] += 1
        for rels_, spans in relation_groups(talk):
            counts["explicit"] += len(rels_)
            found = [pred.get(sp) if sp else None for sp in spans]
            mine = list(found)
            prior: list[str | None] = []
            for k, sp in enumerate(spans):
                if mine[k] is None and sp is not None:
                    toks = sorted({t for i in range(sp[0], sp[1] + 1) for t in id_tok.get(i, [])})
                    mine[k] = classify(doc, toks, lexicon=lexicon) if toks else None
                readings = lexicon.readings_of(tuple(words(sp).lower().replace("’", "'").split())) if sp else []
                prior.append(readings[0].sense if readings else None)
            ours = [m.sense if m else None for m in mine]
            for level in (1, 2):
                sense_rows["graphmem"][f"l{level}"] += _matched(ours, rels_, level)
                sense_rows["graphmem_e2e"][f"l{level}"] += _matched([f.sense if f else None for f in found], rels_,
                                                                    level)
                sense_rows["lexicon"][f"l{level}"] += _matched(prior, rels_, level)
            if _matched(ours, rels_, 2) < len(rels_):
                sense_ex.append({"talk": talk.name, "connectives": [words(sp) if sp else None for sp in spans],
                                 "gold": [r["orig_label"] for r in rels_], "graphmem": ours,
                                 "level1_right": _matched(ours, rels_, 1) == len(rels_),
                                 "sentence": context(spans[0]) if spans[0] else rels_[0]["unit2_txt"]})
            for rel, f in zip(rels_, found):
                if f is not None:
                    u1, u2 = set(_ids(rel["unit1_toks"])), set(_ids(rel["unit2_toks"]))
                    if rel.get("dir") == "1>2":  # "If A, B": the units are in text order, Arg2 comes first
                        u1, u2 = u2, u1
                    args["found"] += 1
                    args["arg2"] += bool(set(tok_ids[f.arg2]) & u2)
                    ok1 = f.arg1 is not None and bool(set(tok_ids[f.arg1]) & u1)
                    args["arg1"] += ok1
                    if not ok1 or not set(tok_ids[f.arg2]) & u2:
                        arg_ex.append({"connective": f.connective, "arg1": doc.tokens[f.arg1].text if f.arg1 is not
                                       None else None, "arg2": doc.tokens[f.arg2].text, "unit1": rel["unit1_txt"],
                                       "unit2": rel["unit2_txt"]})
        covered.extend(_coverage(talk, doc, tok_ids))
    n = counts["explicit"]
    ident = {name: _prf(counts[f"{name}_tp"], counts[f"{name}_fp"], counts[f"{name}_fn"])
             for name in ("graphmem", "lexicon")}
    senses = {name: {"level1": round(100 * c["l1"] / n, 2) if n else 0.0,
                     "level2": round(100 * c["l2"] / n, 2) if n else 0.0, "relations": n}
              for name, c in sense_rows.items()}
    found = args["found"]
    return {
        "bench": "discourse",
        "meta": machine(),
        "params": {"data": str(data), "split": split, "smoke": smoke, "spacy_model": DEFAULT_SPACY_MODEL,
                   "lexicon_entries": len({r.words for r in lexicon.readings}), "targets": TARGETS},
        "counts": {"talks": len(talks), "sentences": sum(len(t.sentences) for t in talks),
                   "gold_connectives": sum(len(t.gold_spans) for t in talks), "explicit_relations": n},
        "identification": ident,
        "senses": senses,
        "arguments": {"found_explicit": found,
                      "arg1_head_in_unit1": round(100 * args["arg1"] / found, 2) if found else None,
                      "arg2_head_in_unit2": round(100 * args["arg2"] / found, 2) if found else None},
        "coverage": {"linked": sum(covered), "explicit_relations": n,
                     "share": round(100 * sum(covered) / n, 2) if n else None},
        "by_connective": {k: dict(v) for k, v in sorted(by_conn.items(), key=lambda kv: -kv[1]["gold"])},
        "errors": {"false_positives": fp_ex[:_EXAMPLES], "missed": fn_ex[:_EXAMPLES],
                   "false_positive_count": len(fp_ex), "missed_count": len(fn_ex),
                   "wrong_level2": sense_ex[:_EXAMPLES], "wrong_level2_count": len(sense_ex),
                   "wrong_arguments": arg_ex[:_EXAMPLES]},
        "times": {"parse_s": round(parse_s, 3), "discourse_s": round(find_s, 4)},
    }


def tables(report: dict[str, Any]) -> list[Table]:
    c, p = report["counts"], report["params"]
    ident = Table(title=f"Discourse connectives — {p['split']}: {c['gold_connectives']} gold spans in "
                  f"{c['sentences']} sentences ({c['talks']} talks)",
                  caption=f"exact token-range match; target F1 ≥ {p['targets']['f1']:.0f}", expand=False)
    for col in ("system", "P", "R", "F1", "TP", "FP", "FN"):
        ident.add_column(col, justify="left" if col == "system" else "right")
    names = {"graphmem": "graphmem (lexicon + parse)", "lexicon": "lexicon match (baseline)"}
    for key, label in names.items():
        s = report["identification"][key]
        ident.add_row(label, f"{s['precision']:.1f}", f"{s['recall']:.1f}", f"{s['f1']:.1f}", str(s["tp"]),
                      str(s["fp"]), str(s["fn"]))
    sense = Table(title=f"Sense accuracy — {c['explicit_relations']} explicit relations",
                  caption=f"PDTB-3 level 1 / level 2, %; target level 1 ≥ {p['targets']['level1']:.0f}", expand=False)
    for col in ("system", "level 1", "level 2"):
        sense.add_column(col, justify="left" if col == "system" else "right")
    labels = {"graphmem": "graphmem, gold connective", "lexicon": "table's most likely sense, gold connective",
              "graphmem_e2e": "graphmem end to end (connective found too)"}
    for key, label in labels.items():
        s = report["senses"][key]
        sense.add_row(label, f"{s['level1']:.1f}", f"{s['level2']:.1f}")
    a, cov = report["arguments"], report["coverage"]
    extra = Table(title="Arguments and graph links", expand=False)
    extra.add_column("measure")
    extra.add_column("value", justify="right")
    extra.add_row("explicit relations whose connective was found", str(a["found_explicit"]))
    extra.add_row("  Arg1 head inside gold unit 1", "–" if a["arg1_head_in_unit1"] is None else
                  f"{a['arg1_head_in_unit1']:.1f}%")
    extra.add_row("  Arg2 head inside gold unit 2", "–" if a["arg2_head_in_unit2"] is None else
                  f"{a['arg2_head_in_unit2']:.1f}%")
    extra.add_row("relations that became a fact → fact link (level-1 sense right)",
                  f"{cov['linked']} / {cov['explicit_relations']}")
    t = report["times"]
    extra.add_row("parse s / discourse s", f"{t['parse_s']:.2f} / {t['discourse_s']:.3f}")
    return [ident, sense, extra]
