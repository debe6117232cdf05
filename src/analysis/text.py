"""Text helpers every stage may use (a base module, like ``config`` and ``errors``)."""

from __future__ import annotations

import re


def slugify(text: str) -> str:
    """A file or folder name from a title: "Måluppfyllelse för Sölvesborg" -> "maluppfyllelse-for-solvesborg"
    (lower case, å/ä/ö/é folded, other runs of characters as one "-", at most 60 characters; "tabell" if empty)."""
    text = text.lower().translate(str.maketrans("åäöé", "aaoe"))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "tabell"


def column_letter(number: int) -> str:
    """A spreadsheet column's letters from its number (1 → "A", 27 → "AA"), as openpyxl's ``get_column_letter``
    gives them, for the lines of a problem report: importing openpyxl costs ≈ 0,2 s, which a process that reads
    a CSV file (the results computation, a handlingsplan in CSV) need not pay."""
    if number < 1:
        raise ValueError(f"column number {number} < 1")
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
