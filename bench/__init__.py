"""graphmem's benchmarks: ``python -m bench <name> [--json] [--smoke]`` (see README.md)."""

from __future__ import annotations
