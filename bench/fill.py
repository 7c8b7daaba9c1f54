"""Bulk top-up: bring a store to a target size faster than ``write_batch`` can.

Used only when the ``write_batch`` time budget (``--max-write-s``) runs out before a
size is reached, so that recall latency can still be measured at that size. The
rows are exactly those ``write_batch`` would write (``graphmem.store._rows.batch_rows``
over the same synthetic batches); only the mechanics differ, and the report says
how many facts came this way. Write throughput is never computed from a top-up.

* Kùzu: ``COPY`` from one CSV file per table and chunk (the bulk path in PERF-NOTES.md);
  entities already stored are skipped, as ``MERGE`` would.
* Neo4j: the store's own ``UNWIND`` templates, each fed the rows of many documents.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graphmem.model import MemoryBatch
from graphmem.store._rows import batch_rows
from graphmem.store.base import Statement

__all__ = ["fill"]

_NODE_TABLES = {"write_source": "Source", "write_utterance": "Utterance", "write_entity": "Entity",
                "write_fact": "Fact"}
_EDGE_TABLES = {"edge_part_of": "PART_OF", "edge_next": "NEXT", "edge_subject": "SUBJECT",
                "edge_object": "OBJECT", "edge_related": "RELATED", "edge_anchored": "ANCHORED_IN",
                "edge_mentioned": "MENTIONED_IN", "edge_discourse": "DISCOURSE",
                "edge_turn_discourse": "TURN_DISCOURSE"}
_SEEN = {"first_seen": "seen", "last_seen": "seen"}  # Entity columns fed by batch_rows' "seen"


def fill(store: Any, namespace: str, batches: Iterable[MemoryBatch]) -> None:
    """Write ``batches`` (one chunk of documents) into ``store`` in bulk."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for batch in batches:
        for name, rows in batch_rows(batch):
            merged.setdefault(name, []).extend(rows)
    if store.dialect == "kuzu":
        _fill_kuzu(store, namespace, merged)
    else:
        for name, rows in merged.items():
            if rows and name != "supersede":  # decided in Python by write_batch; a top-up has no history
                store.run(Statement(store.templates[name], {"rows": rows}))
        store.vectors_changed(namespace)  # bypassed write_batch: the side index and view are stale


def _columns(store: Any, table: str) -> list[tuple[str, str]]:
    # TABLE_INFO takes a table name, not a parameter; the names are graphmem's fixed schema.
    return [(r[1], r[2]) for r in store.run(Statement(f"CALL TABLE_INFO('{table}') RETURN *")).rows]


def _fill_kuzu(store: Any, namespace: str, merged: dict[str, list[dict[str, Any]]]) -> None:
    # Every table goes in with COPY: in Kùzu 0.11.3 a multi-row ``UNWIND … CREATE`` into a
    # table with a full-text index indexes every row under the *first* row's text (COPY,
    # CREATE and MERGE index correctly), and list parameters are slow to convert.
    existing = {r[0] for r in store.run(Statement(
        "MATCH (e:Entity) WHERE e.namespace = $namespace RETURN e.id", {"namespace": namespace})).rows}
    unique: dict[str, dict[str, Any]] = {}
    for row in merged.get("write_entity", []):
        if row["id"] not in existing:
            unique.setdefault(row["id"], row)
    merged["write_entity"] = list(unique.values())
    # One transaction for the chunk's COPYs: Kùzu's COMMIT after a COPY is most of a COPY's time
    # (one COMMIT per table took 105 s to top a store up to 40k facts).
    copies: list[Statement] = []
    with tempfile.TemporaryDirectory(prefix="gm-bench-fill-") as tmp:
        for name, table in [*_NODE_TABLES.items(), *_EDGE_TABLES.items()]:
            rows = merged.get(name)
            if not rows:
                continue
            cols = [_SEEN.get(c, c) for c, _ in _columns(store, table)]
            ends = ["a", "b"] if name.startswith("edge_") else []
            path = Path(tmp) / f"{table}.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerows([_csv(r.get(c)) for c in ends + cols] for r in rows)
            copies.append(Statement(f"COPY {table} FROM '{path}' (header=false)"))
        if copies:
            store.run_many(copies)
    store.vectors_changed(namespace)  # COPY bypassed write_batch: the vector side index is stale


def _csv(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):  # Kùzu's CSV list syntax: [a,b,c]
        return "[" + ",".join(map(str, value)) + "]"
    return value
