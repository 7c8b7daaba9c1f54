"""Stores: a lazy registry from location to backend.

Backends are named ``"module:Class"`` and imported only when opened, so
``import graphmem`` never imports a database driver.

>>> backend_for("bolt://localhost:7687")
'neo4j'
>>> backend_for("./.graphmem/store")
'kuzu'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .base import Capabilities, Hit, Result, Statement, Store, WriteReport

if TYPE_CHECKING:
    from ..config import Config

__all__ = [
    "Store",
    "Statement",
    "Result",
    "Capabilities",
    "Hit",
    "WriteReport",
    "BACKENDS",
    "backend_for",
    "open_store",
]

#: name → "module:Class", imported on first use.
BACKENDS: dict[str, str] = {
    "kuzu": "graphmem.store.kuzu:KuzuStore",
    "neo4j": "graphmem.store.neo4j:Neo4jStore",
}

_NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def backend_for(location: str) -> str:
    """Which backend serves ``location``: a Bolt/Neo4j URI → ``neo4j``; a path or ``kuzu:path`` → ``kuzu``."""
    if location.startswith(_NEO4J_SCHEMES):
        return "neo4j"
    return "kuzu"


def _load(name: str) -> type:
    module, _, cls = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def open_store(config: Config) -> Store:
    """Open the store that ``config`` points at (call ``ensure_schema`` before use)."""
    location = config.store_location
    return _load(backend_for(location)).from_config(location, config)
