"""Text helpers every stage may use (a base module, like ``config`` and ``errors``)."""

from __future__ import annotations

import re


def slugify(text: str) -> str:
    """A file or folder name from a title: "Måluppfyllelse för Sölvesborg" -> "maluppfyllelse-for-solvesborg"
    (lower case, å/ä/ö/é folded, other runs of characters as one "-", at most 60 characters; "tabell" if empty)."""
    text = text.lower().translate(str.maketrans("åäöé", "aaoe"))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "tabell"
