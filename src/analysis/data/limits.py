"""Limits on what an input file may be, checked before it is read, each with a one-line Swedish error.

* Only a regular file is opened: a FIFO, a device or a socket is refused after an ``os.stat`` (opening a FIFO
  would block until something writes to it).
* An XLSX file is a zip archive: the sum of its members' uncompressed sizes is read from the archive's
  directory (without inflating anything) and refused above ``limits.xlsx_uncompressed_mb``, so a 1,5 MB file
  that inflates to 1,5 GB is never loaded.
* Data rows are counted while a file is read and the reading stops above ``limits.max_rows``.
* A handlingsplan longer than ``limits.plan_rows_per_goal`` activities per goal is summarised in the county
  report (the first activities and a count); its download keeps every row.

The limits live in ``analysis.yml`` (``limits:``); the defaults below hold when it says nothing.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from analysis.errors import AnalysisError

DEFAULTS = {
    "xlsx_uncompressed_mb": 200,  # the 1 000 000-row benchmark file inflates to ≈ 120 MB
    "max_rows": 2_000_000,
    "plan_rows_per_goal": 25,
}

_KINDS = ((stat.S_ISFIFO, "en namngiven rörledning (FIFO)"), (stat.S_ISCHR, "en teckenenhet"),
          (stat.S_ISBLK, "en blockenhet"), (stat.S_ISSOCK, "en socket"), (stat.S_ISDIR, "en mapp"))


def limits(config=None) -> dict:
    """The limits of ``analysis.yml`` (``limits:``) over the defaults; a bad value is a one-line error."""
    if config is None:
        try:
            from analysis.config import load_config

            config = load_config()
        except AnalysisError:
            return dict(DEFAULTS)
    raw = (getattr(config, "extra", {}) or {}).get("limits") or {}
    out = dict(DEFAULTS)
    for key, value in raw.items():
        if key not in DEFAULTS:
            raise AnalysisError(f"analysis.yml: limits.{key} är ingen känd gräns (kända: {', '.join(DEFAULTS)})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise AnalysisError(f"analysis.yml: limits.{key} måste vara ett positivt tal, inte {value!r}")
        out[key] = value
    return out


def check_regular(path: Path) -> os.stat_result:
    """``os.stat`` of ``path`` (never opened), or a one-line error when it is not a regular file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise AnalysisError(f"Filen finns inte: {path}") from None
    except OSError as exc:
        raise AnalysisError(f"{path}: kan inte läsas ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "ingen vanlig fil")
        raise AnalysisError(f"{path}: är {kind}, ingen vanlig fil; ange en sparad CSV- eller XLSX-fil")
    return st


def check_xlsx(path: Path, config=None) -> None:
    """Refuse an XLSX file whose content inflates beyond the limit (read from the zip directory only)."""
    limit = limits(config)["xlsx_uncompressed_mb"]
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader says so in its own words
    if total > limit * 1_000_000:
        raise AnalysisError(f"{path}: arbetsboken packas upp till {_n(total / 1e6)} MB, över gränsen "
                            f"{_n(limit)} MB (limits.xlsx_uncompressed_mb i analysis.yml); dela upp filen eller "
                            "spara den som CSV")


def check_rows(n: int, path: Path, config=None, limit: int | None = None) -> None:
    """Refuse a file with more than ``max_rows`` data rows (called while reading, so it stops early)."""
    limit = limit or limits(config)["max_rows"]
    if n > limit:
        raise AnalysisError(f"{path}: har fler än {_n(limit)} rader, över gränsen (limits.max_rows i analysis.yml); "
                            "dela upp filen")


def _n(number: float) -> str:
    """A whole number with a space between thousands (Swedish)."""
    return f"{number:,.0f}".replace(",", " ")
