"""Find the files graphmem ships beside its code: ``grammar/`` and ``cypher/``.

In a wheel they are package data (``graphmem/grammar``, ``graphmem/cypher``); in a
source checkout or an editable install they sit at the repository's top level.
Both are looked up, package data first, so one code path serves both.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

__all__ = ["data_dir", "cypher_text", "cypher_statements", "grammar_text"]

_PACKAGE_ROOT = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_dir(name: str) -> Path:
    """The folder of shipped data called ``name`` (``"grammar"`` or ``"cypher"``).

    Raises:
        FileNotFoundError: when neither the package nor the checkout has it.
    """
    packaged = resources.files("graphmem") / name
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = _PACKAGE_ROOT.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"graphmem data folder {name!r} is missing from {_PACKAGE_ROOT} and its parent")


@lru_cache(maxsize=None)
def cypher_text(dialect: str, name: str) -> str:
    """The text of ``cypher/<dialect>/<name>.cypher``, else of ``cypher/common/<name>.cypher``.

    ``common/`` holds the statements both dialects spell the same way.
    """
    root = data_dir("cypher")
    for folder in (dialect, "common"):
        path = root / folder / f"{name}.cypher"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"no Cypher template {name!r} for dialect {dialect!r} under {root}")


_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)


def cypher_statements(dialect: str, name: str) -> list[str]:
    """The statements of a multi-statement file, split on ``;`` at line ends, comments dropped."""
    text = _COMMENT.sub("", cypher_text(dialect, name))
    return [s.strip() for s in re.split(r";\s*$", text, flags=re.MULTILINE) if s.strip()]


def grammar_text(name: str = "graphmem") -> str:
    """The text of ``grammar/<name>.lark``."""
    return (data_dir("grammar") / f"{name}.lark").read_text(encoding="utf-8")
