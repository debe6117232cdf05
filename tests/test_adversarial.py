"""Adversarial inputs: generated bad files (hypothesis) through `analysis validate` and `analysis import`.

Every case must be rejected with a clear message (exit code 2, "Ogiltig data" or "Fel:"), never a traceback,
and a rejected import must leave data/ exactly as it was. Runs on a temporary copy of the project.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from analysis.domain.catalogue import load_catalogue
from analysis.cli import USER_ERROR, app
from analysis.config import load_config
from analysis.data.contract import COLUMNS, OPTIONAL

runner = CliRunner()
#: The full run (at least 200 cases, as the issue asks) takes about a minute on a busy machine and is marked e2e;
#: the quick suite runs a smaller sample of the same generator.
FULL_CASES = int(os.environ.get("ADVERSARIAL_CASES", "240"))
QUICK_CASES = 40

_NAMES = ["indicator", "geo_code", "year", "sex", "group", "age_band", "value", "numerator", "denominator",
          "margin", "status", "source", "example"]
GOOD_ROWS = [  # a valid file: shares with counts, a BAS-like value, a suppressed cell (other columns empty)
    [dict(zip(_NAMES, r)).get(c, "") for c in COLUMNS] for r in (
        ["behorighet_yrkesprogram", "1081", "2024", "T", "utrikes", "åk9", "84.4", "27", "32", "", "", "Skolverket", "false"],
        ["behorighet_yrkesprogram", "1081", "2024", "T", "inrikes", "åk9", "91.0", "152", "167", "", "", "Skolverket", "false"],
        ["sysselsattningsgrad", "1081", "2024", "T", "utrikes", "20-64", "59.2", "", "", "1.5", "", "SCB", "false"],
        ["gymnasieexamen_4ar", "1081", "2024", "K", "total", "gy", "", "4", "18", "", "..", "SCB", "false"],
    )
]
COL = {c: i for i, c in enumerate(COLUMNS)}
NON_FINITE = ["inf", "-inf", "+inf", "Infinity", "1e309", "-1e400", "nan", "NaN", "-nan"]
NOT_NUMBERS = ["abc", "4,5", "61 %", "1.2.3", "0x10", "--5", "½", "٣", "1e", "١٢"]


def _csv(rows, header=COLUMNS) -> bytes:
    out = io.StringIO()
    pd.DataFrame(rows, columns=header).to_csv(out, index=False)
    return out.getvalue().encode("utf-8")


@st.composite
def bad_case(draw):
    """(kind, file name, bytes): one guaranteed-impossible change to a valid file."""
    rows = [list(r) for r in GOOD_ROWS]
    i = draw(st.integers(0, len(rows) - 1))
    kind = draw(st.sampled_from([
        "non_finite", "not_a_number", "negative", "share_above_100", "inconsistent_share", "fractional_count",
        "numerator_above_denominator", "bad_geo", "unknown_geo", "bad_year", "bad_sex", "bad_group",
        "bad_indicator", "bad_age_band", "value_and_status", "neither_value_nor_status", "duplicate",
        "missing_column", "extra_column", "example_word", "header_only", "empty", "binary", "latin1",
        "sidecar_name", "other_suffix", "zip_as_xlsx", "garbage_text", "xlsx_merged", "xlsx_formula",
        "xlsx_two_sheets", "xlsx_only_hidden",
    ]))
    name = "bad.csv"
    if kind == "non_finite":
        col = draw(st.sampled_from(["value", "numerator", "denominator", "margin"]))
        rows[i][COL[col]] = draw(st.sampled_from(NON_FINITE))
    elif kind == "not_a_number":
        col = draw(st.sampled_from(["value", "numerator", "denominator", "margin", "year"]))
        rows[i][COL[col]] = draw(st.sampled_from(NOT_NUMBERS) | st.text(
            st.characters(whitelist_categories=("L", "P", "S")), min_size=1, max_size=8).filter(_not_number))
    elif kind == "negative":
        col = draw(st.sampled_from(["value", "numerator", "denominator", "margin"]))
        rows[0][COL[col]] = f"-{draw(st.floats(0.01, 1e6)):.2f}"
    elif kind == "share_above_100":
        rows[2][COL["value"]] = f"{draw(st.floats(100.01, 1e12)):.2f}"
    elif kind == "inconsistent_share":
        n, d = draw(st.integers(6, 500)), draw(st.integers(21, 1000))
        n = min(n, d)
        share = 100 * n / d
        off = draw(st.floats(0.6, 60))
        value = share + off if share + off <= 100 else share - off
        if value < 0:
            value, n, d = 90.0, 10, 100
        rows[0][COL["value"]], rows[0][COL["numerator"]], rows[0][COL["denominator"]] = f"{value:.1f}", str(n), str(d)
    elif kind == "fractional_count":
        col = draw(st.sampled_from(["numerator", "denominator"]))
        rows[0][COL[col]] = f"{draw(st.integers(1, 30))}.{draw(st.integers(1, 9))}"
    elif kind == "numerator_above_denominator":
        d = draw(st.integers(21, 1000))
        rows[0][COL["numerator"]], rows[0][COL["denominator"]] = str(d + draw(st.integers(1, 50))), str(d)
    elif kind == "bad_geo":
        rows[i][COL["geo_code"]] = draw(st.sampled_from(["880", "12345", "abcd", "", " 1 81", "1081.0"]) |
                                        st.text(max_size=6).filter(lambda s: not (len(s.strip()) == 4 and s.strip().isdigit())))
    elif kind == "unknown_geo":
        rows[i][COL["geo_code"]] = draw(st.sampled_from(["9999", "0099", "2999", "1099"]))
    elif kind == "bad_year":
        rows[i][COL["year"]] = draw(st.sampled_from(["1800", "2200", "24x", "", "2024.5", "-2024"]) |
                                    st.integers(-10**6, 1989).map(str) | st.integers(2101, 10**6).map(str))
    elif kind == "bad_sex":
        rows[i][COL["sex"]] = draw(st.text(max_size=3).filter(lambda s: s.strip() not in ("T", "K", "M")))
    elif kind == "bad_group":
        rows[i][COL["group"]] = draw(st.text(max_size=8).filter(lambda s: s.strip() not in ("utrikes", "inrikes", "total")))
    elif kind == "bad_indicator":
        ids = set(load_catalogue().ids())
        rows[i][COL["indicator"]] = draw(st.text(max_size=20).filter(lambda s: s.strip() not in ids))
    elif kind == "bad_age_band":
        rows[0][COL["age_band"]] = draw(st.text(max_size=6).filter(lambda s: s.strip() != "åk9"))
    elif kind == "value_and_status":
        rows[0][COL["status"]] = draw(st.sampled_from(["..", ".", "–", "-"]))
    elif kind == "neither_value_nor_status":
        rows[2][COL["value"]] = ""
    elif kind == "duplicate":
        rows.append(list(rows[i]))
    elif kind == "missing_column":
        drop = draw(st.sampled_from([c for c in COLUMNS if c not in OPTIONAL]))
        header = [c for c in COLUMNS if c != drop]
        return kind, name, _csv([[v for c, v in zip(COLUMNS, r) if c != drop] for r in rows], header)
    elif kind == "extra_column":
        extra = draw(st.text(st.characters(whitelist_categories=("L",)), min_size=1, max_size=10)
                     .filter(lambda s: s not in COLUMNS))
        return kind, name, _csv([r + ["x"] for r in rows], COLUMNS + [extra])
    elif kind == "example_word":
        rows[i][COL["example"]] = draw(st.sampled_from(["kanske", "2", "yes please", "T", "falsk"]))
    elif kind == "header_only":
        return kind, name, (",".join(COLUMNS) + "\n" * draw(st.integers(0, 3))).encode()
    elif kind == "empty":
        return kind, name, draw(st.sampled_from([b"", b"\n", b"\n\n\n", b"\xef\xbb\xbf"]))
    elif kind == "binary":
        return kind, draw(st.sampled_from(["bad.csv", "bad.xlsx"])), draw(st.binary(min_size=1, max_size=200))
    elif kind == "latin1":
        return kind, name, _csv(rows).decode().replace("åk9", "\xe5k9").encode("latin-1")
    elif kind == "sidecar_name":
        return kind, "bad.csv.source.yml", _csv(rows)
    elif kind == "other_suffix":
        return kind, "bad" + draw(st.sampled_from([".txt", ".json", ".ods", ".xls", ".yml", ""])), _csv(rows)
    elif kind == "zip_as_xlsx":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(draw(st.sampled_from(["a.txt", "xl/workbook.xml", "[Content_Types].xml"])), "x")
        return kind, "bad.xlsx", buf.getvalue()
    elif kind.startswith("xlsx_"):
        return kind, "bad.xlsx", _xlsx(kind, rows, draw(st.integers(0, len(rows) - 1)))
    elif kind == "garbage_text":
        col = draw(st.sampled_from(["sex", "group", "status"]))
        rows[i][COL[col]] = draw(st.text(min_size=1, max_size=12).filter(
            lambda s: s.strip() not in {"T", "K", "M", "utrikes", "inrikes", "total", "", "..", ".", "–", "-", "nan"}))
    return kind, name, _csv(rows)


def _xlsx(kind: str, rows, i: int) -> bytes:
    """A workbook that a person would read differently from a naive reader, or that hides its values."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    for r in [COLUMNS, *rows]:
        ws.append(r)
    if kind == "xlsx_merged":
        ws.merge_cells(start_row=i + 2, start_column=COL["source"] + 1, end_row=i + 3, end_column=COL["source"] + 1)
    elif kind == "xlsx_formula":
        ws.cell(row=i + 2, column=COL["value"] + 1, value="=27/32*100")  # saved without a cached value
    elif kind == "xlsx_two_sheets":
        copy = wb.copy_worksheet(ws)
        copy.title = "Data 2023"
    elif kind == "xlsx_only_hidden":
        wb.create_sheet("Tom")
        ws.sheet_state = "hidden"
        wb.active = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _not_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return s.strip() != "" and s.strip().lower() not in {"nan", "inf", "infinity"}
    return False


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture()
def adv_project(project, monkeypatch):
    monkeypatch.setenv("ANALYSIS_ROOT", str(project.root))
    load_config.cache_clear()
    load_catalogue.cache_clear()
    yield project
    load_config.cache_clear()
    load_catalogue.cache_clear()


def _clear(result) -> bool:
    text = result.output
    return (result.exit_code == USER_ERROR and isinstance(result.exception, SystemExit)
            and ("Ogiltig data:" in text or "Fel:" in text) and "Traceback" not in text)


@pytest.mark.e2e
def test_generated_bad_inputs_are_rejected_clearly_and_change_nothing(adv_project, tmp_path):
    _suite(adv_project, tmp_path, FULL_CASES, seed_kinds=25)


def test_a_sample_of_generated_bad_inputs(adv_project, tmp_path):
    _suite(adv_project, tmp_path, QUICK_CASES, seed_kinds=10)


def _suite(adv_project, tmp_path, cases, seed_kinds):
    data = adv_project.root / "data"
    before = _digest(data)
    good = tmp_path / "good.csv"
    good.write_bytes(_csv(GOOD_ROWS))
    ok = runner.invoke(app, ["validate", str(good)])
    assert ok.exit_code == 0, ok.output  # the base file is valid: every case below differs by one change
    stats = Counter()
    kinds = Counter()
    seen: list[str] = []

    @settings(max_examples=cases, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(bad_case())
    def run(case):
        kind, name, content = case
        folder = tmp_path / f"c{stats['cases']}"
        folder.mkdir()
        path = folder / name
        path.write_bytes(content)
        stats["cases"] += 1
        kinds[kind] += 1
        for args in (["validate", str(path)], ["import", str(path), "--producer", "test"]):
            r = runner.invoke(app, args)
            if r.exit_code == 0:
                stats["accepted_bad"] += 1
            if "Traceback" in r.output or not isinstance(r.exception, (SystemExit, type(None))):
                stats["tracebacks"] += 1
            if _clear(r):
                stats["clear"] += 1
            assert _clear(r), (kind, name, content[:300], args[0], r.output, repr(r.exception))
            assert len(r.output) < 20_000  # capped listing, never a flood
        if _digest(data) != before:
            stats["data_changed"] += 1
        assert _digest(data) == before, (kind, name)
        seen.append(kind)

    run()
    figures = (f"adversarial: {stats['cases']} cases, {stats['clear']} clear errors "
               f"({2 * stats['cases']} runs: validate + import), tracebacks {stats['tracebacks']}, "
               f"accepted bad {stats['accepted_bad']}, data/ changed {stats['data_changed']}; "
               f"kinds: {dict(sorted(kinds.items()))}")
    print(figures)
    assert stats["cases"] >= cases, figures
    assert stats["clear"] == 2 * stats["cases"] and stats["tracebacks"] == stats["accepted_bad"] == 0
    assert len(kinds) >= seed_kinds, figures  # the generator reaches (nearly) every kind of bad input
