"""Comma-separated integer options, one parser for ``graphmem eval`` (click) and ``bench`` (argparse)."""

from __future__ import annotations

__all__ = ["int_list"]


def int_list(text: str, *, minimum: int, what: str, keep_order: bool = False) -> list[int]:
    """``"5,10,10,25"`` → ``[5, 10, 25]``: distinct, each ≥ ``minimum``, sorted unless ``keep_order``.

    Raises ValueError with a message naming ``what`` and the text given.
    """
    try:
        values = [int(s.strip().replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise ValueError(f"{what} are comma-separated integers, got {text!r}") from None
    if not values or min(values) < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {text!r}")
    return list(dict.fromkeys(values)) if keep_order else sorted(set(values))
