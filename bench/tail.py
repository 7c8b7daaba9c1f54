"""``python -m bench.tail`` — where a RECALL's tail comes from on one embedded store.

``python -m bench stores`` grows a fresh store every run and reports each stage's share of
the total; this one keeps the store (built once through the bulk path of
:class:`bench.grow.Grower` if the folder is empty), then times many distinct cues one by
one and reports, per stage, its p50 / p95 / max and its mean over the slowest tenth of the
queries next to the fastest half: the stage whose mean grows there makes the tail. It also
reports the recall view's size (bytes Python allocated while building it, and the RSS it
added) and the process's peak RSS. Running it twice on the same folder with two versions of
the code (``PYTHONPATH``) compares them on the same data.

Example: ``python -m bench.tail --store /tmp/lat/k100k --facts 100000 --queries 300``
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
from rich.table import Table

from ._common import emit, machine, progress, stderr

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run(store_path: Path, *, facts: int, queries: int, namespace: str, k: int = 10, seed: int = 7,
        trace: bool = True, buffer_pool_mb: int | None = None, chunk: int = 50) -> dict[str, Any]:
    from graphmem.store.kuzu import KuzuStore

    from .grow import Grower
    from .stores import DIM, _embedder, _Stages
    from .synth import Synth

    store = KuzuStore(store_path, buffer_pool_mb=buffer_pool_mb)
    store.ensure_schema(embedding_dim=DIM)
    held = store._raw("MATCH (f:Fact) WHERE f.namespace = $ns RETURN count(*)", {"ns": namespace}).scalar()
    out: dict[str, Any] = {"machine": machine(), "store": str(store_path), "namespace": namespace,
                           "buffer_pool_mb": buffer_pool_mb}
    if not held:
        with progress() as bar:
            t0 = time.perf_counter()
            Grower(store, Synth(namespace, dim=DIM, seed=seed), max_write_s=0, fill_rest=True,
                   chunk=chunk).grow(facts, bar)
            out["build_s"] = round(time.perf_counter() - t0, 1)
        held = store._raw("MATCH (f:Fact) WHERE f.namespace = $ns RETURN count(*)", {"ns": namespace}).scalar()
    out["facts"] = int(held)
    embed = _embedder()
    rng = np.random.default_rng((seed, 1))
    synth = Synth("q", dim=DIM, seed=seed)
    cues = [(synth.cue(rng), synth.vector(rng)) for _ in range(queries)]
    rss_start = _rss_mb()
    t0 = time.perf_counter()
    for label in ("Fact", "Utterance"):  # the side indexes load (or build) before the view is measured
        store.vector_search(label, namespace, cues[0][1], k)
    out["side_indexes"] = {"s": round(time.perf_counter() - t0, 1), "rss_added_mb": round(_rss_mb() - rss_start, 1)}
    stderr.print(f"bench.tail: building the recall view of {held:,} facts …")
    rss0 = _rss_mb()
    if trace:  # tracemalloc's own records inflate RSS: --no-trace for memory figures
        tracemalloc.start()
    t0 = time.perf_counter()
    store.recall_view(namespace)
    built = time.perf_counter() - t0
    now, peak = tracemalloc.get_traced_memory() if trace else (0, 0)
    tracemalloc.stop()
    out["view"] = {"build_s" + ("_traced" if trace else ""): round(built, 1), "python_mb": round(now / 2**20, 1),
                   "python_peak_mb": round(peak / 2**20, 1), "rss_added_mb": round(_rss_mb() - rss0, 1),
                   "gc_tracked_objects": len(gc.get_objects())}
    stages = _Stages(store, namespace, k, embed)
    for cue in cues[:5]:  # warm-up, not counted
        stages(cue)
    per: list[dict[str, float]] = []
    for n, cue in enumerate(cues):
        stages.spent.clear()
        t0 = time.perf_counter()
        stages(cue)
        per.append({**stages.spent, "total": time.perf_counter() - t0})
        if n % 100 == 99:
            stderr.print(f"bench.tail: {n + 1}/{len(cues)} queries")
    total = np.array([p["total"] for p in per]) * 1000
    slow, fast = np.argsort(-total)[: max(1, len(per) // 10)], np.argsort(total)[: max(1, len(per) // 2)]
    out["total_ms"] = {q: round(float(np.percentile(total, v)), 2) for q, v in (("p50", 50), ("p95", 95), ("p99", 99))}
    out["stages_ms"] = {}
    for stage in sorted({s for p in per for s in p} - {"total"}):
        ms = np.array([p.get(stage, 0.0) for p in per]) * 1000
        out["stages_ms"][stage] = {"p50": round(float(np.percentile(ms, 50)), 2),
                                   "p95": round(float(np.percentile(ms, 95)), 2), "max": round(float(ms.max()), 2),
                                   "slowest_tenth_mean": round(float(ms[slow].mean()), 2),
                                   "fastest_half_mean": round(float(ms[fast].mean()), 2)}
    out["rss_start_mb"] = round(rss_start, 1)
    out["rss_end_mb"] = round(_rss_mb(), 1)
    # The kernel updates its high-water mark lazily: it can trail the RSS read just now.
    out["rss_peak_mb"] = max(round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), out["rss_end_mb"])
    return out


def _tables(report: dict[str, Any]) -> list[Table]:
    t = report["total_ms"]
    v = report["view"]
    table = Table(title=f"RECALL at {report['facts']:,} facts by stage: total "
                  f"p50/p95/p99 {t['p50']}/{t['p95']}/{t['p99']} ms; side indexes "
                  f"+{report['side_indexes']['rss_added_mb']} MB RSS; view {v['python_mb']} MB Python "
                  f"(+{v['rss_added_mb']} MB RSS), peak RSS {report['rss_peak_mb']} MB")
    for column in ("stage", "p50 ms", "p95 ms", "max ms", "slowest 10% mean", "fastest 50% mean"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for stage, s in sorted(report["stages_ms"].items(), key=lambda kv: -kv[1]["slowest_tenth_mean"]):
        table.add_row(stage, *(f"{s[key]:.2f}" for key in ("p50", "p95", "max", "slowest_tenth_mean",
                                                            "fastest_half_mean")))
    return [table]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.tail", description=__doc__.split("\n\n")[1])
    p.add_argument("--store", type=Path, required=True, help="a Kùzu store folder (built when it holds no facts)")
    p.add_argument("--facts", type=int, default=100_000, help="facts to build when the store is empty (default 100000)")
    p.add_argument("--queries", type=int, default=300, help="distinct cues timed (default 300)")
    p.add_argument("--namespace", default="tail", help="the namespace built and recalled (default tail)")
    p.add_argument("--seed", type=int, default=7, help="seed of the synthetic data and cues (default 7)")
    p.add_argument("--no-trace", action="store_true",
                   help="do not trace the view's Python allocations (tracemalloc inflates RSS; use for memory figures)")
    p.add_argument("--buffer-pool-mb", type=int, default=None,
                   help="cap Kùzu's page cache (default: Kùzu's, 80%% of the memory)")
    p.add_argument("--chunk", type=int, default=50,
                   help="documents per bulk COPY when building (default 50; more is faster for big stores: "
                        "each COPY into a filled table costs more)")
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    args = p.parse_args(argv)
    if args.queries < 10 or args.facts < 1 or args.chunk < 1:
        p.error("--queries must be at least 10, --facts and --chunk at least 1")
    report = run(args.store, facts=args.facts, queries=args.queries, namespace=args.namespace, seed=args.seed,
                 trace=not args.no_trace, buffer_pool_mb=args.buffer_pool_mb, chunk=args.chunk)
    emit(report, _tables(report), as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
