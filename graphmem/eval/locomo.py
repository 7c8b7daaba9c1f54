"""LoCoMo evidence recall: does recall bring back the turns that hold each answer?

The data is LoCoMo's JSON (a list of conversations; see ``../shared/data/locomo/README.md``).
For each conversation, in its own namespace of one fresh embedded store in a scratch folder:

1. **Ingest, the way a user would.** Each session is written as a JSONL chat file
   (``{"session", "speaker", "text", "time", "id"}``; ``time`` is the session's date-time,
   ``id`` the turn's ``dia_id``, and a shared image's BLIP caption is appended to the text
   as ``" [image: …]"``) and the files go through :meth:`graphmem.Memory.ingest` in order.
2. **Ask.** Every question goes through ``RECALL`` (:func:`graphmem.recall.recall`) with
   ``LIMIT`` = :data:`HITS_PER_TURN` × the largest k asked for. Hits become turn ids (a fact →
   its anchor utterance's external id, an utterance → its own), first occurrences kept, cut
   at k turns.
3. **Baselines and ablations on the same turns.** BM25 (bm25s), dense cosine with the same
   embedding model, BM25+dense RRF; the same RECALL with signals switched off by weight,
   fused from graphmem's candidate rows (:class:`SharedReads`).
4. **Score** per LoCoMo category code and overall, with and without code 5
   (:mod:`graphmem.eval.metrics`).

Evidence policy: each evidence string is split on ``;`` and ``,``; only ids of the form
``D<session>:<turn>`` that name a turn of the conversation are kept; a question left with
no evidence is not scored (LoCoMo's reference code would score it 1). The counts are in the
report.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import InputError
from . import metrics
from .baselines import RRF_K

__all__ = [
    "CATEGORIES",
    "DEFAULT_KS",
    "SYSTEMS",
    "NOT_YET_AVAILABLE",
    "LocomoTurn",
    "Question",
    "Conversation",
    "parse_session_time",
    "turn_text",
    "parse_evidence",
    "resolve_data",
    "load",
    "hit_turns",
    "score",
    "run",
]

CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"}
GROUPS = {"all": (1, 2, 3, 4, 5), "no-adversarial": (1, 2, 3, 4)} | {str(c): (c,) for c in CATEGORIES}
DEFAULT_KS = (5, 10, 25, 50)

# Signal weights for graphmem.recall.recall, merged over its defaults. The ablations add one
# signal at a time: vectors, then full text, then the entities named in the cue, then time
# (recency and the resolved dates of facts), then the turns of a speaker the cue names, then the
# neighbour-turn vote — the last is the default, "graphmem".
_NO_TURN = {"speaker": 0.0, "neighbour": 0.0, "answer": 0.0}
_NO_TIME = {"recency": 0.0, "event_recency": 0.0, "mention_recency": 0.0, "dated": 0.0, **_NO_TURN}
_VECTOR = {"text": 0.0, "entity": 0.0, **_NO_TIME}
_VECTOR_TEXT = {"entity": 0.0, **_NO_TIME}
_VECTOR_TEXT_ENTITY = dict(_NO_TIME)

# key → (short label, kind, description). Order is the order of the tables.
SYSTEMS: dict[str, tuple[str, str, str]] = {
    "graphmem": ("graphmem", "memory", "RECALL, default weights: utterance vectors (fact vectors at a "
                 "quarter), fact + utterance full text (content words of the cue), facts of the entities "
                 "named in the cue (IDF), recency and fact dates, the turns of a speaker the cue names; "
                 "RRF per turn (a fact votes for its anchor utterance), a turn next to a candidate turn "
                 "takes 0.3 of its score, the turn after a question 0.7; RRF k = 10"),
    "gm-vector": ("├ vector only", "ablation", "the same RECALL, weights text = entity = time = 0 "
                  "(fact + utterance vectors)"),
    "gm-vector-text": ("├ + full-text", "ablation", "… entity = time = 0"),
    "gm-entities": ("├ + entities", "ablation", "… time = speaker = neighbour = 0"),
    "gm-time": ("├ + time", "ablation", "… speaker = neighbour = answer = 0 (recency and fact dates added)"),
    "gm-speaker": ("├ + speaker", "ablation", "… neighbour = answer = 0 (without the neighbour-turn votes)"),
    "gm-neighbour": ("├ + neighbour", "ablation", "… answer = 0 (the turn after a question a plain neighbour)"),
    "gm-no-fact-vector": ("├ − fact vectors", "ablation", "the default without the fact vector list "
                          "(what embedding only utterances would give)"),
    "gm-fact-vector-full": ("├ fact vectors × 1", "ablation", "the default with the fact vector list at the "
                            "full vector weight instead of its share"),
    "gm-as-asked": ("├ cue as asked", "ablation", "the default with the question embedded as asked, not in "
                    "the first person of the speakers it names (one more RECALL on the same store)"),
    "bm25": ("BM25", "baseline", "bm25s over 'speaker: text' of each turn"),
    "dense": ("dense", "baseline", "cosine over 'speaker: text' embedded with graphmem's embedding model"),
    "bm25+dense": ("BM25+dense RRF", "baseline", f"reciprocal-rank fusion of the two, k = {RRF_K} (as RECALL)"),
}
ABLATION_WEIGHTS: dict[str, Mapping[str, float]] = {"gm-vector": _VECTOR, "gm-vector-text": _VECTOR_TEXT,
                                                    "gm-entities": _VECTOR_TEXT_ENTITY, "gm-time": dict(_NO_TURN),
                                                    "gm-speaker": {"neighbour": 0.0, "answer": 0.0},
                                                    "gm-neighbour": {"answer": 0.0},
                                                    "gm-no-fact-vector": {"fact_vector": 0.0},
                                                    "gm-fact-vector-full": {"fact_vector": 1.0}}
#: Ablations that need their own ingest (``ingest_ablations=True``): key → Config overrides.
INGEST_ABLATIONS: dict[str, dict[str, bool]] = {"gm-no-coref": {"coreference": False},
                                                "gm-no-discourse": {"discourse": False}}
INGEST_SYSTEMS: dict[str, tuple[str, str, str]] = {
    "gm-no-coref": ("├ − coreference", "ablation", "default RECALL on a second ingest without coreference "
                    "(pronouns and descriptions left unresolved; I/my still the speaker)"),
    "gm-no-discourse": ("├ − discourse", "ablation", "default RECALL on a second ingest without discourse "
                        "(no connective or question/answer links, no short answers as facts)"),
}
NOT_YET_AVAILABLE = ("+ coreference", "+ discourse links")  # unless run with ingest_ablations
#: RECALL LIMIT, in hits, per turn asked for: several facts of one turn come back together.
HITS_PER_TURN = 2

_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"), start=1)}
_MONTHS |= {m[:3]: i for m, i in list(_MONTHS.items())}
_SESSION_TIME = re.compile(
    r"\s*(?P<h>\d{1,2}):(?P<m>\d{2})\s*(?P<ap>[ap])\.?m\.?\s+on\s+(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]+)\.?,?\s+"
    r"(?P<y>\d{4})\s*",
    re.IGNORECASE,
)
_DIA_ID = re.compile(r"D\d+:\d+")


# --- the data -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocomoTurn:
    dia_id: str
    session: str  # "session_3"
    speaker: str | None
    text: str  # with the image caption appended
    time: datetime | None


@dataclass(frozen=True, slots=True)
class Question:
    conversation: str
    index: int  # position in the conversation's qa list
    question: str
    category: int
    evidence: tuple[str, ...]  # valid ids of turns of this conversation; empty: not scored
    answer: str | None  # gold answer (code 3: the text before the first ";"); None for most code-5 items


@dataclass(slots=True)
class Conversation:
    sample_id: str
    turns: list[LocomoTurn]
    questions: list[Question]
    dropped: dict[str, int] = field(default_factory=dict)  # evidence ids dropped, by reason

    @property
    def sessions(self) -> list[str]:
        return list(dict.fromkeys(t.session for t in self.turns))


def parse_session_time(text: str) -> datetime:
    """LoCoMo's session date-time, e.g. ``"1:56 pm on 8 May, 2023"`` (strict; no locale).

    >>> parse_session_time("1:56 pm on 8 May, 2023")
    datetime.datetime(2023, 5, 8, 13, 56)
    >>> parse_session_time("12:09 am on 13 September, 2023")
    datetime.datetime(2023, 9, 13, 0, 9)

    Raises:
        ValueError: the text is not in that form, or names no real date.
    """
    m = _SESSION_TIME.fullmatch(text or "")
    month = _MONTHS.get(m["mon"].lower()) if m else None
    hour = int(m["h"]) if m else 0
    if not m or month is None or not 1 <= hour <= 12 or int(m["m"]) > 59:
        raise ValueError(f"not a LoCoMo date-time like '1:56 pm on 8 May, 2023': {text!r}")
    hour = hour % 12 + (12 if m["ap"].lower() == "p" else 0)
    return datetime(int(m["y"]), month, int(m["d"]), hour, int(m["m"]))


def turn_text(turn: Mapping[str, Any]) -> str:
    """The turn's text, with a shared image's BLIP caption appended as ``" [image: …]"``.

    >>> turn_text({"text": "Look!", "blip_caption": "a photo of a dog"})
    'Look! [image: a photo of a dog]'
    """
    text = str(turn.get("text") or "").strip()
    caption = str(turn.get("blip_caption") or "").strip()
    return f"{text} [image: {caption}]".strip() if caption else text


def parse_evidence(raw: Any, known: set[str]) -> tuple[tuple[str, ...], int, int]:
    """(valid ids in order, malformed count, unknown count) from a qa item's ``evidence``.

    >>> parse_evidence(["D8:6; D9:17", "D", "D1:2", "D7:7"], {"D8:6", "D9:17", "D1:2"})
    (('D8:6', 'D9:17', 'D1:2'), 1, 1)
    """
    items = raw if isinstance(raw, list) else [raw] if raw else []
    valid: list[str] = []
    malformed = unknown = 0
    for item in items:
        for part in re.split(r"[;,]", str(item)):
            part = part.strip()
            if not part:
                continue
            if not _DIA_ID.fullmatch(part):
                malformed += 1
            elif part not in known:
                unknown += 1
            elif part not in valid:
                valid.append(part)
    return tuple(valid), malformed, unknown


def _conversation(item: Mapping[str, Any], where: Path) -> Conversation:
    try:
        sample_id, conv, qa = str(item["sample_id"]), item["conversation"], item.get("qa") or []
    except (KeyError, TypeError) as exc:
        raise InputError(f"not a LoCoMo conversation (missing {exc})", path=where) from exc
    numbers = sorted(int(k.split("_")[1]) for k in conv if re.fullmatch(r"session_\d+", k))
    turns: list[LocomoTurn] = []
    for n in numbers:  # date keys without a session_<n> list are ignored
        key = f"session_{n}"
        raw_time = conv.get(f"{key}_date_time")
        try:
            when = parse_session_time(raw_time) if raw_time else None
        except ValueError as exc:
            raise InputError(f"{sample_id} {key}: {exc}", path=where) from exc
        for t in conv[key]:
            text = turn_text(t)
            if text and t.get("dia_id"):
                turns.append(LocomoTurn(str(t["dia_id"]), key, t.get("speaker"), text, when))
    known = {t.dia_id for t in turns}
    questions, dropped = [], {"malformed_ids": 0, "unknown_ids": 0, "questions_without_evidence": 0}
    for i, q in enumerate(qa):
        evidence, malformed, unknown = parse_evidence(q.get("evidence"), known)
        dropped["malformed_ids"] += malformed
        dropped["unknown_ids"] += unknown
        dropped["questions_without_evidence"] += not evidence
        category = int(q["category"])
        answer = q.get("answer")
        answer = None if answer is None else str(answer)
        if answer is not None and category == 3:
            answer = answer.split(";")[0]
        questions.append(Question(sample_id, i, str(q["question"]), category, evidence, answer))
    return Conversation(sample_id, turns, questions, dropped)


def resolve_data(path: str | Path) -> list[Path]:
    """The LoCoMo JSON files ``path`` stands for: itself, or in a folder ``locomo_dev.json``
    when present, else every ``*.json`` there (sorted).

    Raises:
        InputError: no such file or folder, or a folder with no JSON in it.
    """
    p = Path(path)
    if p.is_file():
        return [p]
    if not p.is_dir():
        raise InputError("no such file or folder", path=p)
    if (p / "locomo_dev.json").is_file():
        return [p / "locomo_dev.json"]
    files = sorted(p.glob("*.json"))
    if not files:
        raise InputError("no LoCoMo .json file in this folder", path=p)
    return files


def load(path: str | Path) -> list[Conversation]:
    """Every conversation in the LoCoMo file(s) at ``path``, in file order.

    Raises:
        InputError: a file that is not LoCoMo JSON (names the file and what is wrong).
    """
    out: list[Conversation] = []
    for f in resolve_data(path):
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read LoCoMo JSON: {exc}", path=f) from exc
        if not isinstance(data, list) or not all(isinstance(c, dict) and "conversation" in c for c in data):
            raise InputError("not LoCoMo JSON: expected a list of objects with a \"conversation\"", path=f)
        out.extend(_conversation(item, f) for item in data)
    return out


def write_sessions(conv: Conversation, folder: Path) -> list[Path]:
    """One graphmem JSONL chat file per session, in session order."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    handles = {}
    try:
        for t in conv.turns:
            if t.session not in files:
                number = int(t.session.rsplit("_", 1)[1])
                files[t.session] = folder / f"session_{number:03d}.jsonl"
                handles[t.session] = files[t.session].open("w", encoding="utf-8")
            rec = {"session": t.session, "speaker": t.speaker, "text": t.text,
                   "time": t.time.isoformat() if t.time else None, "id": t.dia_id}
            handles[t.session].write(json.dumps({k: v for k, v in rec.items() if v is not None}) + "\n")
    finally:
        for h in handles.values():
            h.close()
    return list(files.values())


# --- asking ---------------------------------------------------------------------------------------


class SharedReads:
    """A store whose reads are remembered for one question: the ablations ask the same RECALL
    statements as graphmem and differ only in how the candidate lists are fused, so they take
    graphmem's rows instead of asking the store again. :meth:`forget` starts the next question."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._rows: dict[tuple[Any, ...], Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def forget(self) -> None:
        self._rows.clear()

    def run(self, statement: Any) -> Any:
        if not statement.read_only:
            return self._store.run(statement)
        key = ("run", statement.text, repr(sorted(statement.params.items())))
        if key not in self._rows:
            self._rows[key] = self._store.run(statement)
        return self._rows[key]

    def vector_search(self, label: str, namespace: str, vector: Sequence[float], k: int) -> Any:
        key = ("vector", label, namespace, tuple(vector), k)
        if key not in self._rows:
            self._rows[key] = self._store.vector_search(label, namespace, vector, k)
        return self._rows[key]


def hit_turns(hits: Sequence[Any]) -> list[str]:
    """Recall hits → ranked turn ids: a fact's anchor utterance or an utterance's own
    external id, first occurrences kept."""
    return metrics.first_occurrences(getattr(h.provenance, "external_id", None) for h in hits)


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    from rich.console import Console

    err = Console(stderr=True, highlight=False)
    if not enabled or not err.is_terminal:
        class Lines:
            def add_task(self, description: str, total: int | None = None, **_: Any) -> int:
                if enabled:
                    err.print(f"eval locomo: {description} …")
                return 0

            def advance(self, task: int, advance: float = 1) -> None:
                pass

            def remove_task(self, task: int) -> None:
                pass

        yield Lines()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        yield bar


def _ask(conv: Conversation, questions: list[Question], mem: Any, K: int, bar: Any,
         clock: dict[str, float]) -> list[dict[str, Any]]:
    from ..recall import embedding_text, recall
    from .baselines import BM25, Dense, rrf
    from .dates import top_events

    # Baselines index each turn with its speaker, as a plain RAG store would: without it
    # "What did Caroline research?" cannot match Caroline's own "I'm researching …".
    texts = [f"{t.speaker}: {t.text}" if t.speaker else t.text for t in conv.turns]
    ids = [t.dia_id for t in conv.turns]
    t0 = time.perf_counter()
    dense = Dense(mem.embedder.encode(texts))
    bm25 = BM25(texts)
    qvecs = mem.embedder.encode([q.question for q in questions])
    clock["baseline_index_s"] += time.perf_counter() - t0
    # graphmem embeds each question as its speakers would say it (Memory.recall does the same);
    # the look-up of the speakers it names counts in its latency, the embedding does not.
    looked_up: list[float] = []
    gm_texts = []
    for q in questions:
        t0 = time.perf_counter()
        gm_texts.append(embedding_text(mem.store, mem.namespace, q.question))
        looked_up.append(time.perf_counter() - t0)
    gm_vecs = mem.embedder.encode(gm_texts)
    mem.recall(questions[0].question, k=K)  # warm the store's caches; not timed
    shared = SharedReads(mem.store)
    task = bar.add_task(f"{conv.sample_id}: {len(questions)} questions", total=len(questions))
    records = []
    for q, vec, gm_vec, speakers_s in zip(questions, qvecs, gm_vecs, looked_up):
        ranked: dict[str, list[str]] = {}
        lat: dict[str, float] = {}

        def timed(key: str, fn: Any) -> Any:
            t = time.perf_counter()
            out = fn()
            lat[key] = time.perf_counter() - t
            clock[f"query_s:{key}"] = clock.get(f"query_s:{key}", 0.0) + lat[key]
            return out

        shared.forget()
        gm_hits = timed("graphmem", lambda: recall(shared, mem.namespace, q.question, gm_vec, k=HITS_PER_TURN * K))
        lat["graphmem"] += speakers_s
        ranked["graphmem"] = hit_turns(gm_hits)[:K]
        for key, weights in ABLATION_WEIGHTS.items():
            hits = timed(key, lambda w=weights: recall(shared, mem.namespace, q.question, gm_vec,
                                                       k=HITS_PER_TURN * K, weights=w))
            ranked[key] = hit_turns(hits)[:K]
        hits = timed("gm-as-asked", lambda: recall(shared, mem.namespace, q.question, vec, k=HITS_PER_TURN * K))
        ranked["gm-as-asked"] = hit_turns(hits)[:K]
        by_bm25 = timed("bm25", lambda: bm25.rank(q.question))
        by_dense = timed("dense", lambda: dense.rank(vec))
        fused = timed("bm25+dense", lambda: rrf(by_bm25, by_dense))
        lat["bm25+dense"] += lat["bm25"] + lat["dense"]
        ranked["bm25"] = [ids[i] for i in by_bm25[:K]]
        ranked["dense"] = [ids[i] for i in by_dense[:K]]
        ranked["bm25+dense"] = [ids[i] for i in fused[:K]]
        records.append({"conversation": q.conversation, "index": q.index, "category": q.category,
                        "question": q.question, "answer": q.answer, "evidence": list(q.evidence),
                        "ranked": ranked, "latency_s": lat, "events": top_events(gm_hits)})
        bar.advance(task)
    bar.remove_task(task)
    return records


def _ingest(conv: Conversation, files: list[Path], mem: Any, bar: Any, clock: dict[str, float], clock_key: str,
            label: str = "") -> None:
    """Ingest a conversation's session files through ``mem``, timed into ``clock[clock_key]``."""
    task = bar.add_task(f"{conv.sample_id}: ingest {len(conv.turns)} turns{label}", total=len(conv.turns))
    t0 = time.perf_counter()
    report = mem.ingest(files, on_document=lambda _p, r: bar.advance(task, getattr(r, "utterances", 0)))
    clock[clock_key] = clock.get(clock_key, 0.0) + time.perf_counter() - t0
    bar.remove_task(task)
    if report.errors:
        raise InputError(f"ingest of {conv.sample_id}{label} failed: {report.errors[0]}")


def _ask_ingest_ablation(key: str, conv: Conversation, files: list[Path], questions: list[Question],
                         records: list[dict[str, Any]], mem: Any, K: int, bar: Any, clock: dict[str, float]) -> None:
    """Ingest ``conv`` again through ``mem`` (an ablated pipeline, its own namespace) and add
    the default RECALL's turns there to each question's record as ``key``."""
    from ..recall import embedding_text, recall

    _ingest(conv, files, mem, bar, clock, "ablation_ingest_s", f" ({key})")
    qvecs = mem.embedder.encode([embedding_text(mem.store, mem.namespace, q.question) for q in questions])
    for rec, q, vec in zip(records, questions, qvecs):
        t = time.perf_counter()
        hits = recall(mem.store, mem.namespace, q.question, vec, k=HITS_PER_TURN * K)
        rec["latency_s"][key] = time.perf_counter() - t
        clock[f"query_s:{key}"] = clock.get(f"query_s:{key}", 0.0) + rec["latency_s"][key]
        rec["ranked"][key] = hit_turns(hits)[:K]


# --- scoring --------------------------------------------------------------------------------------


def score(records: Sequence[Mapping[str, Any]], texts: Mapping[tuple[str, str], str], ks: Sequence[int],
          systems: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Metrics per system and per group of category codes (``all``, ``no-adversarial``, ``"1"`` …).

    ``texts`` maps (conversation, dia_id) to the turn's text (for containment and tokens).
    Questions without evidence are left out of recall and MRR (counted in ``n_unscored``).
    """
    out: dict[str, dict[str, Any]] = {}
    for system in systems:
        groups: dict[str, Any] = {}
        for name, codes in GROUPS.items():
            rows = [r for r in records if r["category"] in codes]
            scored = [r for r in rows if r["evidence"]]
            answered = [r for r in rows if r["answer"]]
            g: dict[str, Any] = {"n": len(scored), "n_unscored": len(rows) - len(scored),
                                 "n_with_answer": len(answered)}
            for k in ks:
                g[f"recall@{k}"] = metrics.mean([metrics.evidence_recall(r["ranked"][system], r["evidence"], k)
                                                 for r in scored])
                g[f"answer@{k}"] = metrics.mean([
                    float(metrics.contains_answer(r["answer"], [texts[(r["conversation"], i)]
                                                                for i in r["ranked"][system][:k]]))
                    for r in answered])
                g[f"tokens@{k}"] = metrics.mean([
                    metrics.token_count(texts[(r["conversation"], i)] for i in r["ranked"][system][:k])
                    for r in rows])
            g["mrr"] = metrics.mean([metrics.reciprocal_rank(r["ranked"][system], r["evidence"]) for r in scored])
            g["turns"] = metrics.mean([len(r["ranked"][system]) for r in rows])
            groups[name] = g
        out[system] = groups
    return out


def _temporal_dates(records: Sequence[Mapping[str, Any]], convs: Sequence[Conversation]) -> dict[str, Any]:
    """Code 2 with a relative date in the evidence: the answer's date on a top-5 fact (see eval.dates)."""
    from .dates import temporal_recall

    return temporal_recall(records, {(c.sample_id, t.dia_id): t for c in convs for t in c.turns})


def _latency(samples: Sequence[float]) -> dict[str, float] | None:
    if not samples:
        return None
    s = sorted(x * 1000.0 for x in samples)

    def pct(p: float) -> float:  # linear interpolation, as numpy.percentile's default
        pos = (len(s) - 1) * p
        lo = int(pos)
        hi = min(lo + 1, len(s) - 1)
        return s[lo] + (s[hi] - s[lo]) * (pos - lo)

    return {"p50": round(pct(0.5), 2), "p95": round(pct(0.95), 2), "mean": round(sum(s) / len(s), 2)}


# --- the run --------------------------------------------------------------------------------------


def run(
    data: str | Path,
    *,
    ks: Sequence[int] = DEFAULT_KS,
    conversations: Sequence[int] | None = None,
    limit_questions: int | None = None,
    workdir: str | Path | None = None,
    per_question: bool = False,
    show_progress: bool = True,
    ingest_ablations: bool = False,
    store: str | None = None,
    namespace_prefix: str = "",
) -> dict[str, Any]:
    """Ingest, ask, score; the JSON report (see the module docstring for the method).

    Args:
        data: a LoCoMo JSON file or a folder (see :func:`resolve_data`).
        ks: cut-offs, in turns; recall asks for ``max(ks)``.
        conversations: indices into the loaded list (default all).
        limit_questions: ask only the first N questions of each conversation.
        workdir: keep the store and the JSONL files here (default: a temporary folder).
        per_question: include every question's ranked turn ids in the report.
        show_progress: progress on stderr.
        ingest_ablations: also ingest each conversation without coreference and without
            discourse (one more ingest each, in namespaces of their own) and ask there.
        store: where to ingest and ask: a folder or a ``bolt://`` / ``neo4j://`` URI (credentials
            from the environment, as :class:`~graphmem.config.Config` reads them); default an
            embedded store under the workdir.
        namespace_prefix: put before each conversation's id to name its namespace (runs that
            share a Neo4j database keep apart).

    Raises:
        InputError: unreadable data, an index out of range, or an ingest that failed.
    """
    from threadpoolctl import threadpool_limits

    from ..config import Config
    from ..memory import Memory

    started = time.perf_counter()
    ks = sorted({int(k) for k in ks})
    if not ks or ks[0] < 1:
        raise ValueError("k values must be positive")
    K = ks[-1]
    everything = load(data)
    chosen = list(range(len(everything))) if conversations is None else list(conversations)
    bad = [i for i in chosen if not 0 <= i < len(everything)]
    if bad:
        raise InputError(f"conversation index {bad[0]} out of range: the data holds {len(everything)}", path=data)
    convs = [everything[i] for i in chosen]
    config = Config.from_env()
    clock: dict[str, float] = {"ingest_s": 0.0, "baseline_index_s": 0.0}
    records: list[dict[str, Any]] = []
    ingest_stats: dict[str, dict[str, int]] = {}
    texts: dict[tuple[str, str], str] = {}
    embed_probe: list[float] = []
    with tempfile.TemporaryDirectory(prefix="gm-eval-locomo-") as tmp, _progress(show_progress) as bar, \
            threadpool_limits(1, user_api="blas"):  # BLAS threads fight torch's on small machines
        root = Path(workdir) if workdir else Path(tmp)
        location = store or root / "store"
        for conv in convs:
            questions = conv.questions[:limit_questions] if limit_questions else conv.questions
            texts.update({(conv.sample_id, t.dia_id): t.text for t in conv.turns})
            files = write_sessions(conv, root / "input" / conv.sample_id)
            with Memory(location, namespace=namespace_prefix + conv.sample_id, config=config) as mem:
                if "models_s" not in clock:  # load the models before any clock they would distort
                    t0 = time.perf_counter()
                    _ = mem.pipeline.parser.nlp, mem.embedder.model
                    clock["models_s"] = time.perf_counter() - t0
                _ingest(conv, files, mem, bar, clock, "ingest_s")
                ingest_stats[conv.sample_id] = mem.stats()
                if not embed_probe:  # one question at a time, as Memory.recall embeds it
                    for q in conv.questions[:20]:
                        t0 = time.perf_counter()
                        mem.embedder.encode([q.question])
                        embed_probe.append(time.perf_counter() - t0)
                if questions:
                    asked = _ask(conv, questions, mem, K, bar, clock)
                    records.extend(asked)
            for key, overrides in (INGEST_ABLATIONS.items() if ingest_ablations and questions else ()):
                with Memory(location, namespace=f"{namespace_prefix}{conv.sample_id}~{key}",
                            config=replace(config, **overrides)) as mem:
                    _ask_ingest_ablation(key, conv, files, questions, asked, mem, K, bar, clock)
    systems = list(SYSTEMS) + (list(INGEST_SYSTEMS) if ingest_ablations else [])
    described = {**SYSTEMS, **INGEST_SYSTEMS}
    metrics_by_system = score(records, texts, ks, systems)
    n_turns = sum(len(c.turns) for c in convs)
    report_out: dict[str, Any] = {
        "bench": "locomo",
        "params": {"data": str(data), "files": [str(f) for f in resolve_data(data)], "ks": ks,
                   "conversations": [c.sample_id for c in convs], "limit_questions": limit_questions,
                   "recall_k": K, "embedding_model": config.embedding_model, "spacy_model": config.spacy_model,
                   "store": "neo4j" if store and "://" in store else "kuzu", "namespace_prefix": namespace_prefix},
        "method": {
            "recall": "evidence recall@k = |evidence turns in the top k turns| / |evidence turns|, "
                      "averaged over questions (not pooled over turns)",
            "mrr": f"1 / rank of the first evidence turn within the top {K} turns (0 if none), averaged",
            "answer": "gold answer (code 3: text before the first ';'), lower-cased, is a substring of the "
                      "lower-cased top-k turn texts; questions without a gold answer (most code 5) left out",
            "tokens": "whitespace tokens of the top-k turn texts, averaged over questions",
            "evidence_policy": "split on ';' and ','; keep ids 'D<n>:<m>' that name a turn of the conversation; "
                               "questions left without evidence are not scored",
            "latency": "graphmem: RECALL with the query vector given (candidates, fusion, hydration; the "
                       "query embedding is query_embedding_ms); ablations: fusion only, on graphmem's "
                       "candidate rows; baselines: search only (query vector given; RRF = BM25 + dense + fusion)",
            "graphmem_units": f"RECALL \"question\" LIMIT {HITS_PER_TURN * K} hits mapped to turns (a fact → "
                              f"its anchor utterance), first occurrences, cut at {K} turns; a turn's facts come "
                              f"together, so fewer than {K} turns can come back (see 'turns')",
        },
        "data": {"conversations": len(convs), "sessions": sum(len(c.sessions) for c in convs), "turns": n_turns,
                 "questions": len(records),
                 "by_category": {str(c): sum(r["category"] == c for r in records) for c in CATEGORIES},
                 "dropped": {k: sum(c.dropped.get(k, 0) for c in convs)
                             for k in ("malformed_ids", "unknown_ids", "questions_without_evidence")}},
        "ingest": {"seconds": round(clock["ingest_s"], 2), "turns_per_s": round(n_turns / clock["ingest_s"], 1)
                   if clock["ingest_s"] else None,
                   "stored": {k: sum(s[k] for s in ingest_stats.values())
                              for k in next(iter(ingest_stats.values()), {})}},
        "systems": {key: {"label": described[key][0], "kind": described[key][1], "description": described[key][2],
                          "latency_ms": _latency([r["latency_s"][key] for r in records]),
                          "metrics": metrics_by_system[key]} for key in systems},
        "not_yet_available": [] if ingest_ablations else list(NOT_YET_AVAILABLE),
        "temporal_dates": _temporal_dates(records, convs),
        "baseline_config": {"documents": "'speaker: text' per turn (caption appended)",
                            "bm25": {"library": "bm25s", "stopwords": "en", "stemmer": _stemmer_name()},
                            "rrf_k": RRF_K},
        "query_embedding_ms": _latency(embed_probe),
        "timing_s": {"models": round(clock.get("models_s", 0.0), 2), "ingest": round(clock["ingest_s"], 2),
                     "ingest_ablations": round(clock.get("ablation_ingest_s", 0.0), 2),
                     "baseline_index": round(clock["baseline_index_s"], 2),
                     **{k.split(":", 1)[1]: round(v, 2) for k, v in clock.items() if k.startswith("query_s:")},
                     "total": round(time.perf_counter() - started, 2)},
    }
    if per_question:
        report_out["questions"] = records
    return report_out


def _stemmer_name() -> str | None:
    from .baselines import stemmer_name

    return stemmer_name()
