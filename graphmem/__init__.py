"""graphmem: symbolic, graph-backed long-term memory for LLM agents.

Importing graphmem is instant and inert: no model loads, no environment is read,
no database opens. That happens when a :class:`Memory` is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Memory",
    "Config",
    "RecallHit",
    "Provenance",
    "IngestReport",
    "GraphmemError",
    "InputError",
    "StoreError",
    "StoreUnavailable",
    "__version__",
]

_LAZY = {
    "Memory": "graphmem.memory",
    "IngestReport": "graphmem.memory",
    "Config": "graphmem.config",
    "RecallHit": "graphmem.recall",
    "Provenance": "graphmem.recall",
    "GraphmemError": "graphmem.errors",
    "InputError": "graphmem.errors",
    "StoreError": "graphmem.errors",
    "StoreUnavailable": "graphmem.errors",
}

if TYPE_CHECKING:
    from .config import Config
    from .errors import GraphmemError, InputError, StoreError, StoreUnavailable
    from .memory import IngestReport, Memory
    from .recall import Provenance, RecallHit


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'graphmem' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
