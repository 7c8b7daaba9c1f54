"""Grow a store to a size, and time ``write_batch`` at that size.

Growth goes through ``store.write_batch`` (graphmem's real write path, one
transaction per document) for as long as the per-store budget (``--max-write-s``)
lasts; past it, the remaining documents are bulk-loaded (:mod:`bench.fill`) so
that latency can still be measured at the requested size — or, with
``fill_rest=False``, growth stops and the report says where.

Write throughput *at* a size comes from a probe: a few more documents through
``write_batch`` once the store holds that size. So every size gets a write figure
measured on the real path, however the store got there.
"""

from __future__ import annotations

import time
from typing import Any

from ._common import percentiles, stderr
from .synth import Counts, Synth

__all__ = ["Grower"]

_ROWS = ("documents", "utterances", "facts", "entities", "edges")


class Grower:
    """Writes the synthetic stream of ``synth`` into ``store`` and remembers what went in."""

    def __init__(self, store: Any, synth: Synth, *, max_write_s: float, fill_rest: bool, chunk: int = 50) -> None:
        self.store, self.synth = store, synth
        self.max_write_s, self.fill_rest, self.chunk = max_write_s, fill_rest, chunk
        self.counts, self.next_doc, self.spent = Counts(), 0, 0.0
        self._announced = False

    @property
    def facts(self) -> int:
        return self.counts.facts

    def _write(self, *, docs: int | None = None, until: int | None = None, budget: float | None = None,
               bar: Any, label: str) -> dict[str, Any] | None:
        """``write_batch`` documents one by one until ``docs`` are written, ``until`` facts are
        held, or ``budget`` seconds are spent; their throughput, or ``None`` if none was written."""
        before, held_before, batch_s = self.counts.as_dict(), self.facts, []
        task = bar.add_task(label, total=docs if docs is not None else until)
        while ((docs is None or len(batch_s) < docs) and (until is None or self.facts < until)
               and (budget is None or self.spent < budget)):
            batch = self.synth.batch(self.next_doc)
            t0 = time.perf_counter()
            self.store.write_batch(batch)
            dt = time.perf_counter() - t0
            self.next_doc += 1
            if budget is not None:  # only growth spends the budget; probes do not
                self.spent += dt
            batch_s.append(dt)
            self.counts.add(batch)
            bar.update(task, completed=len(batch_s) if docs is not None else min(self.facts, until or 0))
        if not batch_s:
            return None
        now = self.counts.as_dict()
        added = {key: now[key] - before[key] for key in _ROWS}
        seconds = sum(batch_s)
        return {
            **added,
            "held_before": held_before,
            "seconds": round(seconds, 3),
            "facts_per_s": round(added["facts"] / seconds, 1),
            "nodes_edges_per_s": round(sum(added.values()) / seconds, 1),
            "ms_per_doc": percentiles(batch_s),
        }

    def grow(self, size: int, bar: Any) -> dict[str, Any]:
        """Bring the store to ``size`` facts: ``write_batch`` within budget, then bulk if allowed."""
        growth = self._write(until=size, budget=self.max_write_s, bar=bar,
                             label=f"{self.store.name}: write_batch to {size:,} facts")
        bulk = None
        if self.facts < size:
            if not self._announced:
                self._announced = True
                stderr.print(f"bench: {self.store.name}: write_batch budget (--max-write-s {self.max_write_s:.0f}) "
                             f"spent at {self.facts:,} facts; "
                             + ("bulk-loading the rest of each size" if self.fill_rest else "stopping there"))
            if self.fill_rest:
                bulk = self._bulk(size, bar)
        return {"growth": growth, "bulk": bulk}

    def probe(self, docs: int, bar: Any) -> dict[str, Any] | None:
        """Time ``docs`` more documents through ``write_batch`` at the current size."""
        return self._write(docs=docs, bar=bar, label=f"{self.store.name}: write_batch probe at {self.facts:,} facts")

    def _bulk(self, size: int, bar: Any) -> dict[str, Any]:
        from concurrent.futures import Future, ThreadPoolExecutor

        from .fill import fill

        # Neo4j: two chunks in flight, so the driver's (pure-Python) packing of one chunk
        # overlaps the server's work on the other. Kùzu takes one writer at a time.
        workers = 2 if self.store.dialect == "neo4j" else 1
        start, t0 = self.facts, time.perf_counter()
        task = bar.add_task(f"{self.store.name}: bulk top-up to {size:,} facts", total=size)
        pending: list[Future] = []
        with ThreadPoolExecutor(workers) as pool:
            while self.facts < size:
                batches = []
                while self.facts < size and len(batches) < self.chunk:
                    batches.append(self.synth.batch(self.next_doc))
                    self.next_doc += 1
                    self.counts.add(batches[-1])
                pending.append(pool.submit(fill, self.store, self.synth.namespace, batches))
                if len(pending) >= workers:
                    pending.pop(0).result()
                bar.update(task, completed=min(self.facts, size))
            for future in pending:
                future.result()
        return {"facts": self.facts - start, "seconds": round(time.perf_counter() - t0, 3)}
