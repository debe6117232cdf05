"""Swedish formatting of numbers, units and dates — the one place the reports and CLI format numbers.

Decimal comma, non-breaking space as thousands separator (Babel ``sv_SE``), "procent" in running text,
"%" in tables, "procentenheter" for differences of shares, and official symbols for missing values.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

from babel.dates import format_date
from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from pandas import NA, NaT

LOCALE = "sv_SE"
NBSP = "\u00a0"
MINUS = "\u2212"
#: plotly layout.separators: decimal, thousands
PLOTLY_SEPARATORS = ", "


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@lru_cache(maxsize=None)
def _decimal_pattern(decimals: int) -> NumberPattern:
    """Babel's pattern for ``decimals`` decimals, parsed once: ``format_decimal`` parses its pattern and the locale
    at every call (16 → 6 µs a number; a report formats thousands). Applied as ``format_decimal`` applies it."""
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals > 0 else ""))


@lru_cache(maxsize=1)
def _locale() -> Locale:
    return Locale.parse(LOCALE)


def number(value: float | None, decimals: int = 1, status: str = "", signed: bool = False) -> str:
    """``24.4`` -> ``"24,4"``; ``12345.6`` -> ``"12 345,6"`` (NBSP); missing -> its symbol (never 0)."""
    if _missing(value):
        return status or ".."
    text = _decimal_pattern(decimals).apply(abs(value) if signed else value, _locale())
    if signed:
        rounded = round(value, decimals)
        sign = "+" if rounded > 0 else (MINUS if rounded < 0 else "±")
        return sign + text
    return text.replace("-", MINUS)


def percent(value: float | None, decimals: int = 1, status: str = "") -> str:
    """A share for tables: ``"61,0 %"`` (NBSP before %)."""
    if _missing(value):
        return status or ".."
    return f"{number(value, decimals)}{NBSP}%"


def with_unit(value: float | None, unit: str, decimals: int = 1, status: str = "", table: bool = True) -> str:
    """A level in its unit: procent -> "61,0 %" (tables) or "61,0 procent" (text); dagar -> "27,9 dagar"."""
    if _missing(value):
        return status or ".."
    if unit == "procent":
        return percent(value, decimals) if table else f"{number(value, decimals)}{NBSP}procent"
    return f"{number(value, decimals)}{NBSP}{unit}"


def difference(value: float | None, diff_unit: str, decimals: int = 1, status: str = "") -> str:
    """A difference as magnitude and unit: ``"24,4 procentenheter"``."""
    if _missing(value):
        return status or ".."
    return f"{number(abs(value), decimals)}{NBSP}{diff_unit}"


def gap(value: float | None, diff_unit: str, decimals: int = 1, status: str = "") -> str:
    """A gap in the reports' one sign convention (utrikes − inrikes), signed, with unit:
    ``"−24,4 procentenheter"``, ``"+18,8 procentenheter"``, ``"±0,0 procentenheter"``."""
    if _missing(value):
        return status or ".."
    return f"{number(value, decimals, signed=True)}{NBSP}{diff_unit}"


def in_text(title: str) -> str:
    """A title inside a sentence: first letter lower-case, acronyms kept ("Arbetslöshet 20–64 år (BAS)" ->
    "arbetslöshet 20–64 år (BAS)", never "(bas)")."""
    import re

    if re.match(r"[A-ZÅÄÖ]{2,}(?![a-zåäö])", title):
        return title
    return title[:1].lower() + title[1:]


def ratio(value: float | None, decimals: int = 2) -> str:
    return ".." if _missing(value) else number(value, decimals)


def date_long(day: dt.date) -> str:
    """``"23 november 2026"``."""
    return format_date(day, "d MMMM y", locale=LOCALE)


def date_short(day: dt.date) -> str:
    """``"2026-11-23"``."""
    return format_date(day, "yyyy-MM-dd", locale=LOCALE)


def plain(value):
    """A value as plain Python, for JSON and the download files: numpy's numbers as Python's, and a missing value
    (NaN, pandas' NA or NaT) as None."""
    if value is None or value is NA or value is NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    return None if isinstance(value, float) and math.isnan(value) else value
