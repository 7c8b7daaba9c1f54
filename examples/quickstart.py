"""graphmem as an agent's memory: ingest the sample data, then recall with provenance.

Run:  python examples/quickstart.py [STORE_FOLDER]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from graphmem import Memory

HERE = Path(__file__).resolve().parent


def main(store: str) -> None:
    with Memory(store, namespace="quickstart") as mem:
        report = mem.ingest([HERE / "data"])
        print(f"ingested {len(report.written)} documents, {report.facts} facts "
              f"({len(report.skipped)} already stored)")
        mem.add("I don't work at Airbus anymore, I joined Google in March.", speaker="Alice", session="s3",
                at="2024-04-02T09:00:00")
        for cue in ("where does Alice work?", "what does Bob play?", "who teaches biology?"):
            print(f"\n{cue}")
            for hit in mem.recall(cue, k=3):
                p = hit.provenance
                print(f"  {hit.score:.3f}  {hit.text:<40}  {p.speaker or p.source}: “{p.quote}”")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="graphmem-"))
