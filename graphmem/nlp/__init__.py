"""The linguistic pipeline: parse (UD) → triples → entities, yielding a MemoryBatch."""

from __future__ import annotations

from .parse import ParsedDoc, SpacyParser, Token
from .pipeline import Pipeline, entity_key

__all__ = ["ParsedDoc", "Pipeline", "SpacyParser", "Token", "entity_key"]
