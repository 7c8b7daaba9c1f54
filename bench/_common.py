"""What every bench shares: timing, percentiles, progress on stderr, and output.

A bench returns one plain ``dict`` (its JSON report) and a list of rich tables built
from it; :func:`emit` prints one or the other. Progress always goes to stderr, so
``--json`` output on stdout stays machine-readable.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata
from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = [
    "stderr",
    "Stopwatch",
    "latency",
    "percentiles",
    "progress",
    "machine",
    "emit",
    "fmt_rate",
    "fmt_ms",
]

stderr = Console(stderr=True, highlight=False)

_PACKAGES = ("graphmem", "spacy", "sentence-transformers", "torch", "kuzu", "neo4j", "numpy")


class Stopwatch:
    """Accumulates wall-clock seconds under named keys (``with sw("parse"): ...``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, key: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.add(key, time.perf_counter() - t0)

    def add(self, key: str, seconds: float) -> None:
        self.seconds[key] = self.seconds.get(key, 0.0) + seconds


def percentiles(samples_s: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / p99 / mean / max of ``samples_s`` (seconds), in milliseconds."""
    import numpy as np

    ms = np.asarray(samples_s, dtype=float) * 1000.0
    return {
        "p50": round(float(np.percentile(ms, 50)), 3),
        "p95": round(float(np.percentile(ms, 95)), 3),
        "p99": round(float(np.percentile(ms, 99)), 3),
        "mean": round(float(ms.mean()), 3),
        "max": round(float(ms.max()), 3),
        "n": int(ms.size),
    }


def latency(fn: Callable[[Any], object], args: Sequence[Any], *, warmup: int = 3, budget_s: float | None = None,
            min_samples: int = 10) -> dict[str, Any]:
    """Call ``fn(a)`` for each ``a`` in ``args`` (after ``warmup`` untimed calls); percentiles in ms.

    With ``budget_s``, stop once that many seconds are spent and ``min_samples`` are taken
    (``n`` then says how many ran, and ``capped`` is true), so one slow path cannot stall a run.
    """
    for a in args[:warmup]:
        fn(a)
    samples: list[float] = []
    start = time.perf_counter()
    for a in args:
        t0 = time.perf_counter()
        fn(a)
        samples.append(time.perf_counter() - t0)
        if budget_s is not None and len(samples) >= min_samples and time.perf_counter() - start > budget_s:
            break
    return {**percentiles(samples), "capped": len(samples) < len(args)}


class _Quiet:
    """Progress for a non-terminal stderr: one line per task, no redraws."""

    def __init__(self) -> None:
        self._tasks: dict[int, str] = {}
        self._t0 = time.perf_counter()

    def add_task(self, description: str, total: float | None = None, **_: object) -> int:
        tid = len(self._tasks)
        self._tasks[tid] = description
        stderr.print(f"bench [{time.perf_counter() - self._t0:6.0f} s]: {description} …")
        return tid

    def update(self, task: int, **_: object) -> None:
        pass

    def advance(self, task: int, advance: float = 1) -> None:
        pass


@contextmanager
def progress() -> Iterator[Any]:
    """A rich progress display on a terminal's stderr; plain log lines otherwise."""
    if not stderr.is_terminal:
        yield _Quiet()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=stderr, transient=True,
    ) as bar:
        yield bar


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """Where and when a bench ran: enough to compare runs honestly."""
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "host": platform.node(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "argv": ["python", "-m", "bench", *sys.argv[1:]],
        "versions": {p: _version(p) for p in _PACKAGES},
    }


def emit(report: dict[str, Any], tables: Sequence[Table], *, as_json: bool) -> None:
    """Print the JSON report to stdout, or the tables sized to the terminal."""
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return
    out = Console()
    for table in tables:
        out.print(table)


def fmt_rate(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def fmt_ms(stats: dict[str, float] | None) -> str:
    """``p50 / p95`` in ms, for one table cell."""
    if not stats:
        return "–"
    cell = f"{stats['p50']:.1f} / {stats['p95']:.1f}"
    return cell + f" (n={stats['n']})" if stats.get("capped") else cell
