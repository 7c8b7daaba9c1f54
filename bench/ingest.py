"""``python -m bench ingest``: full graphmem ingest against its two model stages alone.

Measurements over the same turns, in one process, models loaded and warmed before any
clock starts, for each embedding backend asked for (``--backends torch,onnx``):

* ``ingest`` — ``Memory.ingest`` of JSONL files (one per conversation) into a fresh
  embedded Kùzu store in a temporary folder: parse, extract, embed, write. Its peak RSS
  (``VmHWM``, reset before the run where Linux allows) and the store's size on disk.
* ``spacy`` — the bare spaCy pipeline, ``nlp.pipe(texts, batch_size=64)`` (once).
* ``embed`` — the bare ``Embedder.encode(texts)`` (utterances only; with ``GRAPHMEM_FACT_VECTORS=text``
  ingest also embeds each fact's text, with ``span``, the default, only facts past the model's length).
* ``ceiling`` — parse + embed run one after the other: the seconds of ``spacy`` plus
  ``embed``. Ingest overlaps embedding with parsing, so it may beat this ceiling.

Stage times come from wrapping methods on the ``Memory``'s own parts (parser, pipeline,
embedder, store) — instance attributes only, graphmem's code is untouched. Embedding runs
on a background thread beside parsing, so stage times may add up to more than the total.
"""

from __future__ import annotations

import os
import resource
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
DEFAULT_BACKENDS = ("torch", "onnx", "onnx-int8")
SMOKE_LIMIT = 12
SPACY_BATCH = 64  # what graphmem's SpacyParser.parse_many uses
STAGES = ("parse", "extract", "embed", "write", "other")


def _wrap(obj: Any, name: str, sw: Stopwatch, key: str) -> None:
    inner = getattr(obj, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        with sw(key):
            return inner(*args, **kwargs)

    setattr(obj, name, timed)


def _each_timed(items: Any, add: Callable[[float], Any]) -> Iterator[Any]:
    """Yield ``items``, handing ``add`` the seconds each ``next()`` took (the last one's too)."""
    it = iter(items)
    while True:
        t0 = time.perf_counter()
        try:
            item = next(it)
        except StopIteration:
            add(time.perf_counter() - t0)
            return
        add(time.perf_counter() - t0)
        yield item


def _wrap_iter(obj: Any, name: str, sw: Stopwatch, key: str) -> None:
    """Time each ``next()`` of the iterator that ``obj.name(...)`` returns (a lazy parse)."""
    inner = getattr(obj, name)

    def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
        yield from _each_timed(inner(*args, **kwargs), lambda dt: sw.add(key, dt))

    setattr(obj, name, timed)


def _wrap_stream(obj: Any, name: str, sw: Stopwatch, key: str) -> None:
    """Time ``obj.name(batches, ...)`` less the time it waits for each of ``batches`` (a stream
    the caller makes meanwhile)."""
    inner = getattr(obj, name)

    def timed(batches: Any, *args: Any, **kwargs: Any) -> Any:
        waits: list[float] = []
        t0 = time.perf_counter()
        try:
            return inner(_each_timed(batches, waits.append), *args, **kwargs)
        finally:
            sw.add(key, time.perf_counter() - t0 - sum(waits))

    setattr(obj, name, timed)


def _instrument(mem: Any) -> Stopwatch:
    sw = Stopwatch()
    pipeline = mem.pipeline  # builds the lazy parts now, so they can be wrapped
    _wrap_iter(pipeline.parser, "parse_many", sw, "parse")
    _wrap(pipeline.parser, "prefetch", sw, "prefetch")
    _wrap(pipeline, "build", sw, "nlp")
    _wrap(mem.embedder, "encode", sw, "embed")
    _wrap(mem.embedder, "encode_states", sw, "embed")  # turns whose facts pool their token states
    _wrap(mem.store, "write_batch", sw, "write")
    _wrap(mem.store, "write_batches", sw, "write")
    _wrap_stream(mem.store, "write_stream", sw, "write")  # bulk ingest's group commits
    return sw


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _reset_peak_rss() -> bool:
    """Reset this process's peak RSS (Linux: write 5 to clear_refs); False where not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_rss_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _disk_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def _ingest_once(files: list[Path], n_utts: int, bar: Any, config: Any, workers: int = 1) -> dict[str, Any]:
    from graphmem import Memory

    with tempfile.TemporaryDirectory(prefix="gm-bench-ingest-") as tmp:
        t0 = time.perf_counter()
        mem = Memory(Path(tmp) / "store", namespace="bench", config=config)
        open_s = time.perf_counter() - t0
        try:
            sw = _instrument(mem)
            embedded, seen = [0], []

            def counting(inner: Callable[[Any], Any]) -> Callable[[Any], Any]:
                def counted(texts: Any) -> Any:
                    embedded[0] += len(texts)
                    seen.extend(texts)
                    return inner(texts)
                return counted

            mem.embedder.encode = counting(mem.embedder.encode)
            mem.embedder.encode_states = counting(mem.embedder.encode_states)
            task = bar.add_task(f"graphmem ingest ({config.embedding_backend}, {workers} worker(s))", total=n_utts)

            def tick(_path: Path, result: Any) -> None:
                bar.advance(task, getattr(result, "utterances", 0) or 0)

            exact_rss = _reset_peak_rss()
            t0 = time.perf_counter()
            report = mem.ingest(files, on_document=tick, workers=workers)
            total = time.perf_counter() - t0
            rss = _peak_rss_mb()
            stats = mem.stats()
        finally:
            mem.close()
        disk = _disk_mb(Path(tmp) / "store")
    if report.errors:
        raise RuntimeError(f"ingest reported errors: {[str(e) for e in report.errors]}")
    s = sw.seconds
    stages = {
        "parse": s.get("parse", 0.0) + s.get("prefetch", 0.0),
        "extract": s.get("nlp", 0.0) - s.get("parse", 0.0),
        "embed": s.get("embed", 0.0),
        "write": s.get("write", 0.0),
    }
    # Embedding and writing run beside the main thread: "other" is the main thread's remaining time.
    stages["other"] = max(total - stages["parse"] - stages["extract"], 0.0)
    return {"seconds": total, "open_s": open_s, "stages": stages, "stats": stats,
            "documents": len(report.written), "embedded_texts": embedded[0], "texts": seen,
            "peak_rss_mb": round(rss, 1), "peak_rss_exact": exact_rss, "store_mb": round(disk, 2)}


def _warm(texts: list[str], nlp: Any, embedder: Any, workers: int = 1) -> None:
    sample = texts[:16]
    for _ in nlp.pipe(sample, batch_size=SPACY_BATCH):
        pass
    embedder.encode(sample)
    if embedder.one_text_a_run:  # the sessions bulk ingest runs beside its parser(s) (Embedder.beside)
        for busy in sorted({1, workers}):
            with embedder.beside(busy):
                embedder.encode(sample)


def run(*, data: Path | None, limit: int | None, repeat: int = 1, smoke: bool = False,
        backends: list[str] | None = None, workers: int = 1) -> dict[str, Any]:
    """Measure and return the JSON report (see README.md for its keys)."""
    from dataclasses import replace

    from graphmem.config import Config
    from graphmem.embed import Embedder, limit_blas_threads
    from graphmem.nlp import SpacyParser

    if smoke:
        data, limit, repeat = data or corpus.EXAMPLES, limit or SMOKE_LIMIT, 1
    backends = list(backends or DEFAULT_BACKENDS)
    folder = Path(data) if data else corpus.default_data_dir()
    corp = corpus.load(folder, limit=limit)
    texts, words = corp.texts, corp.words
    config = Config.from_env()
    stderr.print(f"bench ingest: {len(texts)} turns, {words:,} words from {folder} ({corp.source}); "
                 f"backends {', '.join(backends)}; loading models …")
    limit_blas_threads()  # as Memory does when its embedder loads (PERF-NOTES.md, "Threads")
    nlp = SpacyParser(config.spacy_model, blis=config.spacy_blis).nlp
    # The same pipeline with the other matrix kernels (GRAPHMEM_SPACY_BLIS), for comparison only.
    other_nlp = SpacyParser(config.spacy_model, blis=not config.spacy_blis).nlp
    kernels = {False: "numpy's BLAS", True: "thinc's blis"}
    configs = {b: replace(config, embedding_backend=b) for b in backends}
    embedders = {b: Embedder(c.embedding_model, batch_size=c.embedding_batch_size, backend=b,
                             threads=c.embedding_threads, cache_dir=c.cache_dir) for b, c in configs.items()}
    for emb in embedders.values():
        _warm(texts, nlp, emb, workers)

    def parse_all(pipeline: Any = nlp) -> None:
        for _ in pipeline.pipe(texts, batch_size=SPACY_BATCH):
            pass

    for _ in other_nlp.pipe(texts[:16], batch_size=SPACY_BATCH):
        pass
    runs: dict[str, list[float]] = {"spacy": [], "spacy_other": []}
    ingests: dict[str, list[dict[str, Any]]] = {}
    embedded_all: dict[str, int] = {}
    plan = [(b, 1) for b in backends] + ([(backends[-1], workers)] if workers > 1 else [])
    with tempfile.TemporaryDirectory(prefix="gm-bench-data-") as tmp, progress() as bar:
        files = corp.write(Path(tmp))
        for _ in range(repeat):
            bar.add_task(f"spaCy nlp.pipe over {len(texts)} texts")
            runs["spacy"].append(_timed(parse_all))
            bar.add_task(f"spaCy nlp.pipe over {len(texts)} texts, {kernels[not config.spacy_blis]}")
            runs["spacy_other"].append(_timed(lambda: parse_all(other_nlp)))
            for b, emb in embedders.items():
                bar.add_task(f"Embedder.encode ({b}) over {len(texts)} texts")
                runs.setdefault(f"embed:{b}", []).append(_timed(lambda emb=emb: emb.encode(texts)))
            for b, n in plan:
                one = _ingest_once(files, len(texts), bar, configs[b], n)
                ingests.setdefault(f"{b}:{n}", []).append(one)
        # What ingest embeds is more than the turns (each fact's text too): the same texts alone
        # give the parse + embed work, the ceiling of an ingest whose writes and lookups were free.
        for b, emb in embedders.items():
            ingested = ingests[f"{b}:1"][0].pop("texts")
            bar.add_task(f"Embedder.encode ({b}) over the {len(ingested)} texts ingest embedded")
            embedded_all[b] = len(ingested)
            for _ in range(repeat):
                runs.setdefault(f"embed_all:{b}", []).append(_timed(lambda emb=emb, x=ingested: emb.encode(x)))
        for ones in ingests.values():
            for one in ones:
                one.pop("texts", None)

    def result(label: str, seconds: list[float], **extra: Any) -> dict[str, Any]:
        sec = statistics.median(seconds)
        return {"label": label, "seconds": round(sec, 3), "runs_s": [round(x, 3) for x in seconds],
                "utterances": len(texts), "words": words,
                "utterances_per_s": round(len(texts) / sec, 2), "words_per_s": round(words / sec, 1), **extra}

    results: dict[str, dict[str, Any]] = {
        "spacy": result(f"spaCy nlp.pipe, batch {SPACY_BATCH}, {kernels[config.spacy_blis]} (bare)", runs["spacy"]),
        "spacy_other": result(f"spaCy nlp.pipe, {kernels[not config.spacy_blis]} (not used)", runs["spacy_other"]),
    }
    medians: dict[str, dict[str, Any]] = {}
    for b in backends:
        results[f"embed:{b}"] = result(f"Embedder.encode {b}, batch {config.embedding_batch_size} (bare)",
                                       runs[f"embed:{b}"])
        ceiling = [p + e for p, e in zip(runs["spacy"], runs[f"embed:{b}"])]
        results[f"ceiling:{b}"] = result(f"parse + embed ceiling, {b} (spaCy s + embed s)", ceiling)
        results[f"embed_all:{b}"] = result(f"Embedder.encode {b} of every text ingest embedded (bare)",
                                           runs[f"embed_all:{b}"], texts=embedded_all[b])
        work = [p + e for p, e in zip(runs["spacy"], runs[f"embed_all:{b}"])]
        results[f"work:{b}"] = result(f"parse + embed work, {b} (spaCy s + every text's embed s)", work)
    for key, ones in ingests.items():
        b, n = key.split(":")
        med = sorted(ones, key=lambda r: r["seconds"])[len(ones) // 2]  # its stages add up to its time
        medians[key] = med
        ceiling_s, work_s = results[f"ceiling:{b}"]["seconds"], results[f"work:{b}"]["seconds"]
        sec = statistics.median([r["seconds"] for r in ones])
        results[f"ingest:{key}"] = result(
            f"graphmem ingest → Kùzu, {b}" + (f", {n} parse workers" if int(n) > 1 else ""),
            [r["seconds"] for r in ones], backend=b, workers=int(n),
            of_ceiling=round(ceiling_s / sec, 3), of_work=round(work_s / sec, 3), embedded_texts=med["embedded_texts"],
            open_s=round(med["open_s"], 3), peak_rss_mb=med["peak_rss_mb"], peak_rss_exact=med["peak_rss_exact"],
            store_mb=med["store_mb"], stored=med["stats"])
    first = f"ingest:{backends[0]}:1"
    base = results[first]["seconds"]
    for r in results.values():
        r["speed_vs_ingest"] = round(base / r["seconds"], 2)
    return {
        "bench": "ingest",
        "meta": machine(),
        "params": {"data": str(folder), "limit": limit, "repeat": repeat, "smoke": smoke, "backends": backends,
                   "workers": workers, "spacy_model": config.spacy_model, "embedding_model": config.embedding_model,
                   "embedding_batch_size": config.embedding_batch_size, "spacy_batch_size": SPACY_BATCH,
                   "embedding_threads": config.embedding_threads, "cpus": len(os.sched_getaffinity(0))},
        "corpus": corp.summary(),
        "results": results,
        "stages": {key: {k: {"seconds": round(v, 3), "share": round(v / med["seconds"], 4) if med["seconds"] else 0.0,
                             "ms_per_utterance": round(1000 * v / len(texts), 2)}
                         for k, v in med["stages"].items()}
                   for key, med in medians.items()},
    }


_STAGE_LABELS = {
    "parse": "spaCy parse + UD conversion (prefetch, parse_many)",
    "extract": "triples + entities (rest of Pipeline.build)",
    "embed": "embedding, distinct texts (embedding thread)",
    "write": "store.write_stream (Kùzu; writer thread, not its waits for documents)",
    "other": "the rest of the main thread (lookups, waiting for the writer)",
}


def tables(report: dict[str, Any]) -> list[Table]:
    c, p = report["corpus"], report["params"]
    ingests = {k: r for k, r in report["results"].items() if k.startswith("ingest:")}
    t = Table(
        title=f"Ingest — {c['utterances']} turns, {c['words']:,} words ({c['source']}: {c['path']}), "
        f"median of {p['repeat']}, {p['cpus']} CPUs",
        caption="; ".join(f"{r['backend']}×{r['workers']}: stored {r['stored']}, embedded {r['embedded_texts']} "
                          f"distinct texts, store open {r['open_s']} s not counted" for r in ingests.values()),
        expand=False,
    )
    for col, justify in (("path", "left"), ("seconds", "right"), ("utt/s", "right"), ("words/s", "right"),
                         ("× first ingest", "right"), ("of ceiling", "right"), ("of work", "right"),
                         ("peak RSS", "right"),
                         ("store", "right")):
        t.add_column(col, justify=justify, overflow="fold")
    for r in report["results"].values():
        ing = "of_ceiling" in r
        t.add_row(r["label"], f"{r['seconds']:.2f}", fmt_rate(r["utterances_per_s"]), fmt_rate(r["words_per_s"]),
                  f"{r['speed_vs_ingest']:.2f}", f"{100 * r['of_ceiling']:.0f}%" if ing else "",
                  f"{100 * r['of_work']:.0f}%" if ing else "",
                  f"{r['peak_rss_mb']:,.0f} MB{'' if r['peak_rss_exact'] else ' (process)'}" if ing else "",
                  f"{r['store_mb']:.1f} MB" if ing else "")
    out = [t]
    for key, stages in report["stages"].items():
        b, n = key.split(":")
        s = Table(title=f"Where ingest time goes — {b}, {n} worker(s) (the median run)", expand=False)
        for col, justify in (("stage", "left"), ("seconds", "right"), ("share", "right"), ("ms/turn", "right")):
            s.add_column(col, justify=justify, overflow="fold")
        for k, st in stages.items():
            s.add_row(_STAGE_LABELS[k], f"{st['seconds']:.2f}", f"{100 * st['share']:.0f}%",
                      f"{st['ms_per_utterance']:.1f}")
        out.append(s)
    return out
