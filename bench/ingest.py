"""``python -m bench ingest``: full graphmem ingest against its two model stages alone.

Three measurements over the same turns, in one process, models loaded and warmed
before any clock starts:

* ``ingest`` — ``Memory.ingest`` of JSONL files (one per conversation) into a fresh
  embedded Kùzu store in a temporary folder: parse, extract, embed, write.
* ``spacy`` — the bare spaCy pipeline, ``nlp.pipe(texts, batch_size=64)``.
* ``embed`` — the bare ``Embedder.encode(texts)`` (utterances only; ingest also embeds facts).

Stage shares come from wrapping four methods on the ``Memory``'s own parts (parser,
pipeline, embedder, store) — instance attributes only, graphmem's code is untouched.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.table import Table

from . import corpus
from ._common import Stopwatch, fmt_rate, machine, progress, stderr

__all__ = ["run", "tables", "SMOKE_LIMIT", "DEFAULT_LIMIT"]

DEFAULT_LIMIT = 600
SMOKE_LIMIT = 12
SPACY_BATCH = 64  # what graphmem's SpacyParser.parse_many uses
STAGES = ("parse", "extract", "embed", "write", "other")


def _wrap(obj: Any, name: str, sw: Stopwatch, key: str) -> None:
    inner = getattr(obj, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        with sw(key):
            return inner(*args, **kwargs)

    setattr(obj, name, timed)


def _wrap_iter(obj: Any, name: str, sw: Stopwatch, key: str) -> None:
    """Time each ``next()`` of the iterator that ``obj.name(...)`` returns (a lazy parse)."""
    inner = getattr(obj, name)

    def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
        it = iter(inner(*args, **kwargs))
        while True:
            t0 = time.perf_counter()
            try:
                item = next(it)
            except StopIteration:
                sw.add(key, time.perf_counter() - t0)
                return
            sw.add(key, time.perf_counter() - t0)
            yield item

    setattr(obj, name, timed)


def _instrument(mem: Any) -> Stopwatch:
    sw = Stopwatch()
    pipeline = mem.pipeline  # builds the lazy parts now, so they can be wrapped
    _wrap_iter(pipeline.parser, "parse_many", sw, "parse")
    _wrap(pipeline, "build", sw, "nlp")
    _wrap(mem.embedder, "encode", sw, "embed")
    _wrap(mem.store, "write_batch", sw, "write")
    return sw


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _ingest_once(files: list[Path], n_utts: int, bar: Any) -> dict[str, Any]:
    from graphmem import Memory

    with tempfile.TemporaryDirectory(prefix="gm-bench-ingest-") as tmp:
        t0 = time.perf_counter()
        mem = Memory(Path(tmp) / "store", namespace="bench")
        open_s = time.perf_counter() - t0
        try:
            sw = _instrument(mem)
            task = bar.add_task("graphmem ingest", total=n_utts)

            def tick(_path: Path, result: Any) -> None:
                bar.advance(task, getattr(result, "utterances", 0) or 0)

            t0 = time.perf_counter()
            report = mem.ingest(files, on_document=tick)
            total = time.perf_counter() - t0
            stats = mem.stats()
        finally:
            mem.close()
    if report.errors:
        raise RuntimeError(f"ingest reported errors: {[str(e) for e in report.errors]}")
    s = sw.seconds
    stages = {
        "parse": s.get("parse", 0.0),
        "extract": s.get("nlp", 0.0) - s.get("parse", 0.0),
        "embed": s.get("embed", 0.0),
        "write": s.get("write", 0.0),
    }
    stages["other"] = max(total - sum(stages.values()), 0.0)
    return {"seconds": total, "open_s": open_s, "stages": stages, "stats": stats,
            "documents": len(report.written), "embedded_texts": stats["utterances"] + stats["facts"]}


def _warm(texts: list[str], nlp: Any, embedder: Any) -> None:
    sample = texts[:16]
    for _ in nlp.pipe(sample, batch_size=SPACY_BATCH):
        pass
    embedder.encode(sample)


def run(*, data: Path | None, limit: int | None, repeat: int = 1, smoke: bool = False) -> dict[str, Any]:
    """Measure and return the JSON report (see README.md for its keys)."""
    from graphmem.config import Config
    from graphmem.embed import Embedder
    from graphmem.nlp import SpacyParser

    if smoke:
        data, limit, repeat = data or corpus.EXAMPLES, limit or SMOKE_LIMIT, 1
    folder = Path(data) if data else corpus.default_data_dir()
    corp = corpus.load(folder, limit=limit)
    texts, words = corp.texts, corp.words
    config = Config.from_env()
    stderr.print(f"bench ingest: {len(texts)} turns, {words:,} words from {folder} ({corp.source}); loading models …")
    nlp = SpacyParser(config.spacy_model).nlp
    embedder = Embedder(config.embedding_model, batch_size=config.embedding_batch_size)
    _warm(texts, nlp, embedder)

    def parse_all() -> None:
        for _ in nlp.pipe(texts, batch_size=SPACY_BATCH):
            pass

    runs: dict[str, list[float]] = {"spacy": [], "embed": [], "ingest": []}
    ingests = []
    with tempfile.TemporaryDirectory(prefix="gm-bench-data-") as tmp, progress() as bar:
        files = corp.write(Path(tmp))
        for _ in range(repeat):
            bar.add_task(f"spaCy nlp.pipe over {len(texts)} texts")
            runs["spacy"].append(_timed(parse_all))
            bar.add_task(f"Embedder.encode over {len(texts)} texts")
            runs["embed"].append(_timed(lambda: embedder.encode(texts)))
            one = _ingest_once(files, len(texts), bar)
            runs["ingest"].append(one["seconds"])
            ingests.append(one)

    # The ingest run whose time is the median stands for all (its stages add up to its time).
    median_ingest = sorted(ingests, key=lambda r: r["seconds"])[len(ingests) // 2]

    def result(label: str, seconds: list[float], **extra: Any) -> dict[str, Any]:
        sec = statistics.median(seconds)
        return {"label": label, "seconds": round(sec, 3), "runs_s": [round(x, 3) for x in seconds],
                "utterances": len(texts), "words": words,
                "utterances_per_s": round(len(texts) / sec, 2), "words_per_s": round(words / sec, 1), **extra}

    results = {
        "ingest": result("graphmem Memory.ingest → Kùzu (parse, extract, embed, write)", runs["ingest"],
                         embedded_texts=median_ingest["embedded_texts"], open_s=round(median_ingest["open_s"], 3)),
        "spacy": result(f"spaCy nlp.pipe, batch {SPACY_BATCH} (bare)", runs["spacy"]),
        "embed": result(f"Embedder.encode, batch {config.embedding_batch_size} (bare)", runs["embed"]),
    }
    base = results["ingest"]["seconds"]
    for r in results.values():
        r["speed_vs_ingest"] = round(base / r["seconds"], 2)
    total = median_ingest["seconds"]
    return {
        "bench": "ingest",
        "meta": machine(),
        "params": {"data": str(folder), "limit": limit, "repeat": repeat, "smoke": smoke,
                   "spacy_model": config.spacy_model, "embedding_model": config.embedding_model,
                   "embedding_batch_size": config.embedding_batch_size, "spacy_batch_size": SPACY_BATCH},
        "corpus": corp.summary(),
        "results": results,
        "stored": median_ingest["stats"],
        "stages": {k: {"seconds": round(v, 3), "share": round(v / total, 4) if total else 0.0,
                       "ms_per_utterance": round(1000 * v / len(texts), 2)}
                   for k, v in median_ingest["stages"].items()},
    }


_STAGE_LABELS = {
    "parse": "spaCy parse + UD conversion (parse_many)",
    "extract": "triples + entities (rest of Pipeline.build)",
    "embed": "embedding (utterances + facts)",
    "write": "store.write_batch (Kùzu)",
    "other": "the rest (file reading, lookups before each write)",
}


def tables(report: dict[str, Any]) -> list[Table]:
    c, p = report["corpus"], report["params"]
    t = Table(
        title=f"Ingest — {c['utterances']} turns, {c['words']:,} words ({c['source']}: {c['path']}), "
        f"median of {p['repeat']}",
        caption=f"stored: {report['stored']}; ingest also embedded "
        f"{report['results']['ingest']['embedded_texts']} texts (utterances + facts); "
        f"store open + schema {report['results']['ingest']['open_s']} s, not counted",
        expand=False,
    )
    for col, justify in (("path", "left"), ("seconds", "right"), ("utt/s", "right"), ("words/s", "right"),
                         ("× ingest", "right")):
        t.add_column(col, justify=justify, overflow="fold")
    for r in report["results"].values():
        t.add_row(r["label"], f"{r['seconds']:.2f}", fmt_rate(r["utterances_per_s"]), fmt_rate(r["words_per_s"]),
                  f"{r['speed_vs_ingest']:.2f}")
    s = Table(title="Where ingest time goes (the median run)", expand=False)
    for col, justify in (("stage", "left"), ("seconds", "right"), ("share", "right"), ("ms/turn", "right")):
        s.add_column(col, justify=justify, overflow="fold")
    for key, st in report["stages"].items():
        s.add_row(_STAGE_LABELS[key], f"{st['seconds']:.2f}", f"{100 * st['share']:.0f}%",
                  f"{st['ms_per_utterance']:.1f}")
    return [t, s]
