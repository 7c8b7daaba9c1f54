"""``python -m bench stores``: write throughput and recall latency, Kùzu vs Neo4j.

For each store, synthetic documents (:mod:`bench.synth`) go through ``store.write_batch``
— the real write path, one transaction per document — until the store holds each
requested number of facts (past a time budget the rest is bulk-loaded, see
:mod:`bench.grow`). At each size the bench times a probe of documents through
``write_batch``, then, with the same queries on every store: ``graphmem.recall.recall``
(the whole hybrid recall), and the bare ``vector_search`` and ``text_search`` over facts.
For the Kùzu store it also times numpy brute force over the same fact embeddings loaded
into memory — the alternative to Kùzu's in-Cypher exact cosine (PERF-NOTES.md) — and
checks both find the same top k.

Kùzu lives in a temporary folder. On Neo4j the bench writes into its own namespace
and deletes exactly that namespace's nodes and edges afterwards.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from rich.table import Table

from ._common import fmt_ms, fmt_rate, latency, machine, percentiles, progress, stderr
from .grow import Grower
from .synth import Synth

__all__ = ["run", "tables", "DEFAULT_SIZES"]

DEFAULT_SIZES = [10_000, 100_000]
DEFAULT_QUERIES = 200
DEFAULT_MAX_WRITE_S = 30.0  # of write_batch growth per store; the rest of each size is bulk-loaded
DEFAULT_MAX_QUERY_S = 60.0  # per latency figure: stop a slow path after this long (and ≥ 10 queries)
DEFAULT_PROBE_DOCS = 20  # documents timed through write_batch at each size (≈ 840 facts)
AFTER_WRITE = 5  # documents each followed by one RECALL (the first recall after a write)
DIM = 384
SMOKE = {"sizes": [150], "queries": 5, "probe_docs": 2}
_WIPE_EDGES = "MATCH (n)-[r]->() WHERE n.namespace = $namespace WITH r LIMIT $limit DELETE r RETURN count(*)"
_WIPE_NODES = "MATCH (n) WHERE n.namespace = $namespace WITH n LIMIT $limit DETACH DELETE n RETURN count(*)"
_FACT_VECTORS = "MATCH (f:Fact) WHERE f.namespace = $namespace RETURN f.id AS id, f.embedding AS embedding"


@contextmanager
def _open(kind: str, stack: ExitStack) -> Iterator[tuple[Any, dict[str, Any]]]:
    """A fresh store of ``kind`` with its schema, and what to report about where it lives."""
    from graphmem.config import Config
    from graphmem.store import open_store

    if kind == "kuzu":
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="gm-bench-kuzu-"))
        config, info = replace(Config(), store=str(Path(tmp) / "store")), {"location": "temporary folder"}
    else:
        from .neo4j_server import neo4j_server

        server = stack.enter_context(neo4j_server())
        config = replace(Config(), store=server.uri, neo4j_user=server.user, neo4j_password=server.password)
        info = {"location": server.uri, "origin": server.origin, "settings": server.settings}
    store = open_store(config)
    try:
        store.ensure_schema(embedding_dim=DIM)
        if kind == "neo4j":
            info["version"] = store.run(_statement("CALL dbms.components() YIELD versions RETURN versions[0]")).scalar()
        yield store, info
    finally:
        store.close()


def _statement(text: str, **params: Any) -> Any:
    from graphmem.store.base import Statement

    return Statement(text, params)


def _wipe(store: Any, namespace: str, *, limit: int = 10_000) -> dict[str, Any]:
    """Delete the nodes and edges of ``namespace``, a bounded batch per transaction.

    Edges go first: one ``DETACH DELETE`` of a well-connected entity takes all its edges
    into one transaction, which outgrows a small server's transaction memory. Every edge
    starts at a node of its namespace, so directed matching finds each edge once.
    """
    t0, counts = time.perf_counter(), {}
    for what, text in (("edges", _WIPE_EDGES), ("nodes", _WIPE_NODES)):
        counts[what] = 0
        while n := int(store.run(_statement(text, namespace=namespace, limit=limit)).scalar() or 0):
            counts[what] += n
    return {**counts, "seconds": round(time.perf_counter() - t0, 3)}


def _numpy_baseline(store: Any, namespace: str, queries: list[tuple[str, list[float]]], k: int) -> dict[str, Any]:
    """Load the fact embeddings from ``store``, then time exact top-k by matrix product."""
    t0 = time.perf_counter()
    rows = store.run(_statement(_FACT_VECTORS, namespace=namespace)).rows
    ids = [r[0] for r in rows]
    matrix = np.asarray([r[1] for r in rows], dtype=np.float32)
    load_s = time.perf_counter() - t0
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)

    def top_k(vec: list[float]) -> list[str]:
        scores = matrix @ np.asarray(vec, dtype=np.float32)
        part = np.argpartition(-scores, min(k, len(ids) - 1))[:k]
        return [ids[i] for i in part[np.argsort(-scores[part])]]

    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one BLAS thread: faster and steadier on 2 cores (PERF-NOTES.md)
        stats = latency(lambda q: top_k(q[1]), queries)
    sample = queries[: min(20, len(queries))]
    agree = [len(set(top_k(v)) & {h.id for h in store.vector_search("Fact", namespace, v, k)}) / k for _, v in sample]
    return {"latency_ms": stats, "load_s": round(load_s, 3), "vectors": len(ids),
            "topk_agreement": round(float(np.mean(agree)), 4)}


class _Stages:
    """Times one RECALL end to end by stage: find the speakers the cue names, embed the cue,
    compile, the side index's vector search, each candidate statement, hydration, and fusion
    (what ``run_recall`` spends outside the store). Wraps the store's ``run`` and ``vector_search`` while it times."""

    def __init__(self, store: Any, namespace: str, k: int, embed: Callable[[str], Any]) -> None:
        self.store, self.namespace, self.k, self.embed = store, namespace, k, embed
        self.spent: dict[str, float] = {}

    def __call__(self, query: tuple[str, list[float]]) -> None:
        import graphmem.query.execute as execute
        from graphmem.query.ast import Literal, Recall
        from graphmem.query.compile import compile_query
        from graphmem.query.execute import run_recall
        from graphmem.recall import embedding_text
        from graphmem.store.rview import ENTITY_SEARCH

        store, run, search = self.store, self.store.run, self.store.vector_search
        now: dict[str, float] = {}

        def add(stage: str, seconds: float) -> None:
            now[stage] = now.get(stage, 0.0) + seconds

        ts = time.perf_counter()
        held = getattr(store, "recall_view", None)  # read once, as Memory does: the counters, the view
        held = held(self.namespace) if held is not None else None
        tv = time.perf_counter()
        text = embedding_text(store, self.namespace, query[0], held)  # the speakers the cue names
        t0 = time.perf_counter()
        self.embed(text)  # the real model on the cue; the synthetic store's vectors are random
        t1 = time.perf_counter()
        compiled = compile_query(Recall(cue=Literal(query[0]), limit=Literal(self.k)), store.dialect,
                                 namespace=self.namespace, embedding_dim=DIM)
        names = {st.text: ("hydrate" if name.startswith("hydrate") else name.removesuffix("_exact"))
                 for name, st in compiled.statements.items()}
        names[ENTITY_SEARCH[store.dialect]] = "fact_entity"  # the view's entity step, where the database ranks text
        t2 = time.perf_counter()

        def timed_run(st: Any) -> Any:
            s0 = time.perf_counter()
            try:
                return run(st)
            finally:
                add(names.get(st.text, "other"), time.perf_counter() - s0)

        def timed(fn: Callable[..., Any], stage: str) -> Callable[..., Any]:
            def call(*a: Any, **kw: Any) -> Any:
                s0 = time.perf_counter()
                try:
                    return fn(*a, **kw)
                finally:
                    add(stage, time.perf_counter() - s0)

            return call

        view = getattr(store, "recall_view", None)  # the embedded store's recall view (rview.py)
        from_view = execute._from_view

        def timed_from_view(st_: Any, view_: Any, name: str, *a: Any) -> Any:  # a list the view answers
            s0 = time.perf_counter()
            try:
                return from_view(st_, view_, name, *a)
            finally:
                add(name, time.perf_counter() - s0)

        store.run, store.vector_search = timed_run, timed(search, "side_index")
        if view is not None:
            store.recall_view = timed(view, "recall_view")
            execute._from_view = timed_from_view
        try:
            r0 = time.perf_counter()
            run_recall(store, compiled, query[1], view=held)
            inside = time.perf_counter() - r0
        finally:
            del store.run, store.vector_search  # back to the class's methods
            if view is not None:
                del store.recall_view
                execute._from_view = from_view
        now["fusion"] = inside - sum(now.values())
        now["embed"], now["compile"], now["speakers"] = t1 - t0, t2 - t1, t0 - tv
        now["recall_view"] = now.get("recall_view", 0.0) + tv - ts
        for stage, seconds in now.items():
            self.spent[stage] = self.spent.get(stage, 0.0) + seconds

    def shares(self) -> dict[str, float]:
        total = sum(self.spent.values()) or 1.0
        return {stage: round(100 * s / total, 1) for stage, s in sorted(self.spent.items(), key=lambda kv: -kv[1])}


def _peak_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _disk_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20, 1)


def _embedder() -> Callable[[str], Any]:
    """The fastest embedder graphmem is configured with (what ``Memory`` builds)."""
    from graphmem import Memory

    probe = Memory.__new__(Memory)  # only its embedder: no store is opened
    from graphmem.config import Config

    probe.config = Config.from_env()
    embedder = probe._new_embedder()
    embedder.encode(["warm up"])
    return lambda text: embedder.encode([text])[0]


def _measure(store: Any, namespace: str, queries: list[tuple[str, list[float]]], k: int,
             budget_s: float, embed: Callable[[str], Any] | None = None) -> dict[str, Any]:
    from graphmem.recall import recall

    out: dict[str, Any] = {}
    if embed is not None:
        stages = _Stages(store, namespace, k, embed)
        t0 = time.perf_counter()
        stages(queries[0])  # cold: the recall view is built and the side index loaded or built here
        out["first_recall_s"] = round(time.perf_counter() - t0, 3)
        if hasattr(store, "wait_for_views"):  # Neo4j builds a large namespace's view behind, Cypher answering
            store.wait_for_views()
            out["view_ready_s"] = round(time.perf_counter() - t0, 3)
        for q in queries[1:3]:  # warm-up, not counted
            stages(q)
        stages.spent.clear()
        out["recall_e2e"] = latency(stages, queries, warmup=0, budget_s=budget_s)
        out["recall_e2e"]["shares"] = stages.shares()
    return out | {
        "recall": latency(lambda q: recall(store, namespace, q[0], q[1], k=k), queries, budget_s=budget_s),
        "vector_search": latency(lambda q: store.vector_search("Fact", namespace, q[1], k), queries,
                                 budget_s=budget_s),
        "text_search": latency(lambda q: store.text_search("Fact", namespace, q[0], k), queries, budget_s=budget_s),
    }


def _after_write(grower: Grower, namespace: str, queries: list[tuple[str, list[float]]], k: int,
                 bar: Any) -> dict[str, Any]:
    """The first RECALL after a write, the stall an agent sees when it writes a turn and then
    recalls: :data:`AFTER_WRITE` times, a document through ``write_batch`` into the namespace
    then one recall; on Kùzu also a document into another namespace then one recall, and how
    often the recall view was built whole or updated in place (``store.view_stats``)."""
    from graphmem.recall import recall

    store = grower.store
    stats = dict(getattr(store, "view_stats", {}))
    same, other = [], []
    elsewhere = Synth(f"{namespace}_other", dim=DIM, seed=grower.synth._seed) if store.name == "kuzu" else None
    for i in range(AFTER_WRITE):
        grower.probe(1, bar)
        cue, vector = queries[i % len(queries)]
        t0 = time.perf_counter()
        recall(store, namespace, cue, vector, k=k)
        same.append(time.perf_counter() - t0)
        if elsewhere is not None:  # a temporary store: nothing to clean up
            store.write_batch(elsewhere.batch(i))
            t0 = time.perf_counter()
            recall(store, namespace, cue, vector, k=k)
            other.append(time.perf_counter() - t0)
    out: dict[str, Any] = {"same_namespace": percentiles(same)}
    if other:
        out["other_namespace"] = percentiles(other)
    if stats:
        out["view"] = {key: store.view_stats[key] - stats.get(key, 0) for key in store.view_stats}
    return out


def _bench_store(kind: str, sizes: list[int], queries: list[tuple[str, list[float]]], rows: list[dict[str, Any]],
                 *, k: int, max_write_s: float, max_query_s: float, fill_rest: bool, probe_docs: int, seed: int,
                 bar: Any) -> dict[str, Any]:
    """Measure ``kind`` at each size, appending one row per size to ``rows`` as it goes."""
    namespace = f"bench_{uuid.uuid4().hex[:12]}"
    embed = _embedder()
    with ExitStack() as stack, _open(kind, stack) as (store, info):
        grower = Grower(store, Synth(namespace, dim=DIM, seed=seed), max_write_s=max_write_s, fill_rest=fill_rest)
        try:
            for size in sizes:
                row: dict[str, Any] = {"store": kind, "size": size, **grower.grow(size, bar)}
                row["complete"] = grower.facts >= size
                row["write"] = grower.probe(probe_docs, bar)
                row["held"] = grower.counts.as_dict()
                bar.add_task(f"{kind}: {len(queries)} queries × 3 at {grower.facts:,} facts")
                row["latency_ms"] = _measure(store, namespace, queries, k, max_query_s, embed)
                row["first_recall_s"] = row["latency_ms"].pop("first_recall_s", None)
                row["view_ready_s"] = row["latency_ms"].pop("view_ready_s", None)
                row["after_write"] = _after_write(grower, namespace, queries, k, bar)
                row["rss_peak_mb"] = _peak_rss_mb()
                if kind == "kuzu":
                    row["disk_mb"] = _disk_mb(store.path)
                if kind == "kuzu":
                    row["numpy"] = _numpy_baseline(store, namespace, queries, k)
                rows.append(row)
                if not row["complete"]:
                    break
        finally:
            if kind == "neo4j":
                bar.add_task(f"neo4j: deleting namespace {namespace}")
                try:
                    info["wiped"] = _wipe(store, namespace)
                except Exception as exc:  # keep the measurements; say what is left behind
                    info["wiped"] = {"error": str(exc)}
                    stderr.print(f"bench: could not delete namespace {namespace} on {info['location']}: {exc}")
    return {"store": kind, "namespace": namespace, "info": info}


def run(*, sizes: list[int] | None, stores: list[str], queries: int | None, k: int = 10,
        max_write_s: float = DEFAULT_MAX_WRITE_S, max_query_s: float = DEFAULT_MAX_QUERY_S,
        fill_rest: bool = True, probe_docs: int | None = None,
        seed: int = 7, smoke: bool = False) -> dict[str, Any]:
    """Measure and return the JSON report (see README.md for its keys)."""
    if smoke:
        sizes, queries = sizes or SMOKE["sizes"], queries or SMOKE["queries"]
        probe_docs = probe_docs or SMOKE["probe_docs"]
    sizes = sizes or DEFAULT_SIZES
    probe_docs = probe_docs or DEFAULT_PROBE_DOCS
    queries = queries or DEFAULT_QUERIES
    rng = np.random.default_rng((seed, 1))
    synth = Synth("q", dim=DIM, seed=seed)  # the vocabulary and names do not depend on the namespace
    query_set = [(synth.cue(rng), synth.vector(rng)) for _ in range(queries)]
    per_store, results, interrupted = [], [], False
    with progress() as bar:
        try:
            for kind in stores:
                per_store.append(_bench_store(kind, sizes, query_set, results, k=k, max_write_s=max_write_s,
                                              max_query_s=max_query_s, fill_rest=fill_rest, probe_docs=probe_docs,
                                              seed=seed, bar=bar))
        except KeyboardInterrupt:  # report what was measured so far
            interrupted = True
            stderr.print("bench: interrupted; reporting the sizes measured so far")
    return {
        "bench": "stores",
        "meta": machine(),
        "params": {"sizes": sizes, "stores": stores, "queries": queries, "k": k, "max_write_s": max_write_s,
                   "max_query_s": max_query_s, "fill_rest": fill_rest, "probe_docs": probe_docs, "seed": seed,
                   "smoke": smoke, "dim": DIM, "utterances_per_doc": 20, "facts_per_utterance": 2.0},
        "stores": {s["store"]: {"namespace": s["namespace"], **s["info"]} for s in per_store},
        "interrupted": interrupted,
        "results": results,
    }


def tables(report: dict[str, Any]) -> list[Table]:
    p = report["params"]
    t = Table(
        title=f"Stores — write_batch at each size, and latency in ms (p50 / p95) of {p['queries']} queries, k={p['k']}",
        caption=_caption(report),
        expand=False,
    )
    for col in ("store", "facts held", "bulk-loaded", "facts/s", "ms/doc", "recall", "vector", "text", "peak RSS",
                "disk"):
        t.add_column(col, justify="left" if col == "store" else "right", overflow="fold")
    s = Table(title="RECALL end to end † — ms (p50 / p95 / p99), and each stage's share of the time", expand=False)
    for col in ("store", "facts held", "RECALL", "first (cold)", "after a write ‡", "stages"):
        s.add_column(col, justify="left" if col in ("store", "stages") else "right", overflow="fold")
    for r in report["results"]:
        lat, w = r["latency_ms"], r["write"]
        held = f"{r['held']['facts']:,}" + ("" if r["complete"] else f" of {r['size']:,}")
        bulk = f"{r['bulk']['facts']:,}" if r["bulk"] else "0"
        e2e = lat.get("recall_e2e")
        cell = f"{e2e['p50']:.1f} / {e2e['p95']:.1f} / {e2e['p99']:.1f}" if e2e else "–"
        shares = ", ".join(f"{k} {v:.0f}%" for k, v in e2e["shares"].items() if v >= 1) if e2e else ""
        disk = f"{r['disk_mb']:,.0f} MB" if r.get("disk_mb") is not None else "–"
        t.add_row(r["store"], held, bulk, fmt_rate(w and w["facts_per_s"]), fmt_ms(w and w["ms_per_doc"]),
                  fmt_ms(lat["recall"]), fmt_ms(lat["vector_search"]), fmt_ms(lat["text_search"]),
                  f"{r.get('rss_peak_mb', 0):,.0f} MB", disk)
        aw = r.get("after_write") or {}
        after = " / ".join(f"{aw[key]['p50']:.0f}" for key in ("same_namespace", "other_namespace") if key in aw)
        if aw.get("view"):
            after += f" ({aw['view'].get('builds', 0)} builds, {aw['view'].get('updates', 0)} updates)"
        cold = f"{r['first_recall_s']:.1f} s" if r.get("first_recall_s") is not None else "–"
        if r.get("view_ready_s") is not None:
            cold += f" (view {r['view_ready_s']:.0f} s)"
        s.add_row(r["store"], held, cell, cold, after or "–", shares)
        if "numpy" in r:
            n = r["numpy"]
            t.add_row("  numpy *", f"{n['vectors']:,}", "", "", "", "", fmt_ms(n["latency_ms"]), "", "", "")
    return [t, s]


def _caption(report: dict[str, Any]) -> str:
    rows, p = report["results"], report["params"]
    if not rows:
        return "nothing measured"
    last = rows[-1]["held"]
    f = last["facts"] or 1
    parts = [
        f"Synthetic dialogues: each fact came with {last['utterances'] / f:.2f} utterances, "
        f"{last['entities'] / f:.2f} distinct entities, {last['mentions'] / f:.2f} mentions, "
        f"{last['edges'] / f:.1f} edges.",
        f"facts/s and ms/doc (p50 / p95): {p['probe_docs']} documents (~20 utterances each, one transaction each) "
        "through store.write_batch once the store held the size.",
    ]
    if any(r["bulk"] for r in rows):
        parts.append(f"bulk-loaded: facts loaded by bench/fill.py after --max-write-s ({p['max_write_s']:.0f} s "
                     "of write_batch per store) ran out, so that latency is measured at the full size.")
    parts.append("† RECALL = the whole statement as an agent issues it: the cue embedded by the configured "
                 "model, compiled, candidates, fusion and details, in ms; stages = each one's share of the time. "
                 "recall = the same without embedding and compiling (graphmem.recall.recall); vector / text = "
                 "the store's bare search over facts (Kùzu: the side index). peak RSS: this process so far.")
    if any(r.get("after_write") for r in rows):
        parts.append(f"‡ after a write: p50 ms of the first recall (no embedding) after one document through "
                     f"write_batch, {AFTER_WRITE} times: into the same namespace / (Kùzu) into another one; "
                     "in brackets how often Kùzu's recall view was built whole or updated in place then.")
    if any(stat.get("capped") for r in rows for stat in r["latency_ms"].values()):
        parts.append(f"(n=…): that path ran longer than --max-query-s ({p['max_query_s']:g} s) and was timed "
                     "on that many queries only.")
    agree = [r["numpy"]["topk_agreement"] for r in rows if "numpy" in r]
    if agree:
        load = max(r["numpy"]["load_s"] for r in rows if "numpy" in r)
        parts.append(f"* numpy: exact top-k over Kùzu's fact embeddings held in memory, 1 BLAS thread "
                     f"(loading them took up to {load:.1f} s). recall@{p['k']} of Kùzu's vector side index against "
                     "it: " + ", ".join(f"{r['held']['facts']:,} facts {100 * r['numpy']['topk_agreement']:.1f}%"
                                         for r in rows if "numpy" in r) + ".")
    return " ".join(parts)
