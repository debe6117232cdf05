import datetime as dt

from analysis.present import fmt

NBSP = "\u00a0"


def test_decimal_comma_and_nbsp_grouping():
    assert fmt.number(24.4) == "24,4"
    assert fmt.number(1234567.891, 1) == f"1{NBSP}234{NBSP}567,9"
    assert fmt.number(-2.46, 1) == "\u22122,5"


def test_units():
    assert fmt.percent(61.0) == f"61,0{NBSP}%"
    assert fmt.with_unit(61.0, "procent", table=False) == f"61,0{NBSP}procent"
    assert fmt.with_unit(27.94, "dagar") == f"27,9{NBSP}dagar"
    assert fmt.difference(-24.4, "procentenheter") == f"24,4{NBSP}procentenheter"


def test_signed_and_missing():
    assert fmt.number(1.2, 1, signed=True) == "+1,2"
    assert fmt.number(-1.2, 1, signed=True) == "\u22121,2"
    assert fmt.number(0.04, 1, signed=True) == "±0,0"
    assert fmt.number(float("nan"), status="..") == ".."
    assert fmt.percent(None, status="–") == "–"
    assert fmt.number(None) == ".."  # never 0


def test_dates():
    assert fmt.date_long(dt.date(2024, 3, 5)) == "5 mars 2024"
    assert fmt.date_short(dt.date(2024, 3, 5)) == "2024-03-05"


def test_titles_in_running_text_keep_acronyms():
    assert fmt.in_text("Arbetslöshet 20–64 år (BAS)") == "arbetslöshet 20–64 år (BAS)"
    assert fmt.in_text("BAS-statistik") == "BAS-statistik" and fmt.in_text("Sfi – godkända") == "sfi – godkända"


def test_plain_values_for_json_and_files():
    """fmt.plain: the one conversion of a cell or chart value to plain Python (chart data, output metadata,
    download files): numpy's numbers as Python's, every kind of missing value as None, text as it is."""
    import numpy as np
    import pandas as pd

    from analysis.present.fmt import plain

    assert plain(np.float64(61.5)) == 61.5 and type(plain(np.float64(61.5))) is float
    assert plain(np.int64(3)) == 3 and type(plain(np.int64(3))) is int
    assert [plain(v) for v in (None, float("nan"), np.nan, pd.NA, pd.NaT)] == [None] * 5
    assert plain("..") == ".." and plain(2024) == 2024


def test_numbers_are_formatted_as_babels_format_decimal_formats_them():
    """fmt.number applies babel's parsed pattern itself (parsed once); the text is what format_decimal gives for
    every kind of value a report formats: floats, halves to round, integers, numpy numbers, negatives, large."""
    import random

    import numpy as np
    from babel.numbers import format_decimal

    rng = random.Random(24)
    values = [0.05, 0.15, 2.675, 1e-9, 12345.65, 999.95, -0.04, 7, -3, np.float64(61.25), np.int64(2024), 1e7 / 3]
    values += [rng.uniform(-1e5, 1e5) for _ in range(2000)]
    for decimals in (0, 1, 2):
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        for v in values:
            assert fmt.number(v, decimals) == format_decimal(v, pattern, locale="sv_SE").replace("-", fmt.MINUS)
            assert fmt.number(v, decimals, signed=True)[1:] == format_decimal(abs(v), pattern, locale="sv_SE")
