"""Adversarial inputs: generated bad files (hypothesis) through `analysis validate` and `analysis import`.

Every case must be rejected with a clear message (exit code 2, "Ogiltig data" or "Fel:"), never a traceback,
and a rejected import must leave data/ exactly as it was. Runs on a temporary copy of the project.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
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

pytestmark = pytest.mark.slow  # hypothesis sweeps over generated inputs: make test runs them, make test-fast not

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
        # issue 22: inputs a user or an attacker sends that the readers must refuse before or while reading
        "huge_year", "swedish_excel_bad", "zip_bomb_xlsx", "too_many_rows", "fifo",
        "control_char", "margin_above_100",
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
    elif kind == "huge_year":  # a year far outside int64 or just outside the plausible range
        rows[i][COL["year"]] = str(draw(st.integers(10**12, 10**30) | st.integers(-10**30, -10**12)))
    elif kind == "swedish_excel_bad":  # BOM, ";" and decimal comma, with one impossible value inside
        rows[2][COL["value"]] = f"{draw(st.floats(100.1, 1e6)):.1f}"  # 100.01 would print as a valid "100.0"
        text = pd.DataFrame(rows, columns=COLUMNS).to_csv(sep=";", index=False)
        text = re.sub(r"(\d)\.(\d)", r"\1,\2", text) if draw(st.booleans()) else text
        return kind, name, b"\xef\xbb\xbf" + text.encode("utf-8")
    elif kind == "zip_bomb_xlsx":  # a small file that inflates beyond limits.xlsx_uncompressed_mb (set to 5 MB below)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("xl/worksheets/sheet1.xml", b"<c>" * draw(st.integers(2_000_000, 4_000_000)))
        return kind, "bad.xlsx", buf.getvalue()
    elif kind == "too_many_rows":  # valid rows, more of them than limits.max_rows (set to 1000 below)
        n = draw(st.integers(1001, 1500))
        many = [list(GOOD_ROWS[0]) for _ in range(n)]
        for k, r in enumerate(many):
            r[COL["year"]] = str(2024 - k % 30)
            r[COL["geo_code"]] = "1081"
            r[COL["sex"]] = "TKM"[k // 30 % 3]
        return kind, name, _csv(many)
    elif kind == "fifo":  # a named pipe where a file is expected: refused without blocking
        return kind, draw(st.sampled_from(["bad.csv", "bad.xlsx"])), None
    elif kind == "control_char":  # a NUL byte or another control character inside a text field
        col = draw(st.sampled_from(["source", "source", "indicator", "group", "age_band"]))
        text = rows[i][COL[col]]
        at = draw(st.integers(0, len(text)))
        char = chr(draw(st.sampled_from([c for c in range(32) if c not in (9, 10, 13)] + [127])))
        rows[i][COL[col]] = text[:at] + char + text[at:]
    elif kind == "margin_above_100":  # the margin of a share (percentage points) above 100
        rows[2][COL["margin"]] = f"{draw(st.floats(100.01, 1e6)):.2f}"
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
    # small limits, so that the bomb and the long file stay small and quick (analysis.yml, as a user sets them)
    with open(adv_project.root / "analysis.yml", "a", encoding="utf-8") as f:
        f.write("\nlimits: {xlsx_uncompressed_mb: 5, max_rows: 1000}\n")
    load_config.cache_clear()
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
        if content is None:
            os.mkfifo(path)
        else:
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
            assert _clear(r), (kind, name, (content or b"")[:300], args[0], r.output, repr(r.exception))
            assert len(r.output) < 20_000  # capped listing, never a flood
            assert "-9223372036854775808" not in r.output  # an impossible year is named, never overflowed
            if kind == "swedish_excel_bad":  # the separator is recognised: no "column is missing" for every column
                assert "obligatorisk kolumn saknas" not in r.output, r.output
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


# ------------------------------------------------------------------------------------------------------------
# State under faults (issue 22, the state side): generated OS errors at the write boundary of `analysis import`,
# generated damage to the results cache. Each: one Swedish line, never a traceback, nothing changed or healed.

_ERRNOS = ["ENOSPC", "EDQUOT", "EIO", "EROFS", "EACCES", "EPERM", "EMFILE", "ENOMEM", "ENOENT", "EISDIR"]


def _os_error_suite(adv_project, tmp_path, at: str, cases: int) -> Counter:
    import errno
    import shutil

    data = adv_project.root / "data"
    before = _digest(data)
    good = tmp_path / "good.csv"
    good.write_bytes(_csv(GOOD_ROWS))
    stats = Counter()

    @settings(max_examples=cases, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(_ERRNOS), st.integers(0, 4096))
    def run(name, written):
        code = getattr(errno, name)
        real_copy, real_csv = shutil.copyfile, pd.DataFrame.to_csv

        def copyfile(src, dst, *a, **kw):
            with open(dst, "wb") as f:
                f.write(Path(src).read_bytes()[:written])  # part written, then the error
            raise OSError(code, os.strerror(code))

        def to_csv(self, path=None, *a, **kw):
            if path is not None and str(path).endswith(".tmp"):
                real_csv(self, path, *a, **kw)
                raise OSError(code, os.strerror(code))
            return real_csv(self, path, *a, **kw)

        mp = pytest.MonkeyPatch()
        if at == "snapshot":
            mp.setattr("analysis.data.importer.shutil.copyfile", copyfile)
        else:
            mp.setattr(pd.DataFrame, "to_csv", to_csv)
        try:
            r = runner.invoke(app, ["import", str(good), "--producer", "test"])
        finally:
            mp.undo()
        stats["cases"] += 1
        lines = [line for line in r.output.splitlines() if line.strip()]
        assert _clear(r) and len(lines) == 1, (name, r.output, repr(r.exception))
        said = {"ENOSPC": "disken är full", "EROFS": "skrivskyddat", "EIO": "utmatningsfel", "EDQUOT": "diskkvoten"}
        assert said.get(name, "") in r.output and os.strerror(code) not in r.output.replace("\n", " ") or \
            name not in said, (name, r.output)  # in Swedish
        stats["clear"] += 1
        assert _digest(data) == before, name
        assert real_copy is shutil.copyfile

    run()
    return stats


def test_generated_os_errors_while_an_import_keeps_its_snapshot_are_one_line(adv_project, tmp_path):
    stats = _os_error_suite(adv_project, tmp_path, "snapshot", 12)
    print(f"os errors (snapshot): {stats['cases']} cases, {stats['clear']} one-line errors, data/ changed 0")
    assert stats["cases"] == stats["clear"] >= 12


@pytest.mark.e2e
def test_generated_os_errors_while_an_import_writes_the_table_are_one_line(adv_project, tmp_path):
    stats = _os_error_suite(adv_project, tmp_path, "table", 10)
    print(f"os errors (table): {stats['cases']} cases, {stats['clear']} one-line errors, data/ changed 0")
    assert stats["cases"] == stats["clear"] >= 10


@pytest.mark.e2e
def test_generated_damage_to_the_results_cache_heals_with_one_line(adv_project, tmp_path):
    """Random truncation, random bytes and removal of any file of a real artefact: the next use computes it
    again with one line, and what it computes equals the original."""
    import shutil

    import analysis.compute.artefact as artefact

    good, _ = artefact.ensure_artefact(adv_project, adv_project.data_path, 2024)
    keep = tmp_path / "gut"
    shutil.copytree(good, keep)
    files = sorted(str(p.relative_to(keep)) for p in keep.rglob("*") if p.is_file())
    originals = {f: (keep / f).read_bytes() for f in files if f != "meta.json"}
    stats = Counter()

    def fake_compute(config, data_path, year, dest, counties=None):  # what a real computation writes for these inputs
        for f in files:
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(keep / f, dest / f)

    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(files), st.sampled_from(["truncate", "flip", "remove", "garbage"]), st.integers(0, 10**6),
           st.binary(min_size=1, max_size=64))
    def run(name, how, at, junk):
        shutil.rmtree(good, ignore_errors=True)
        shutil.copytree(keep, good)
        target = good / name
        content = target.read_bytes()
        if how == "truncate":
            target.write_bytes(content[: at % max(1, len(content))])
        elif how == "flip":
            i = at % len(content)
            target.write_bytes(content[:i] + bytes([content[i] ^ 0xFF]) + content[i + 1:])
        elif how == "remove":
            target.unlink()
        else:
            target.write_bytes(junk)
        said = []
        mp = pytest.MonkeyPatch()
        mp.setattr(artefact, "compute", fake_compute)
        try:
            path, computed = artefact.ensure_artefact(adv_project, adv_project.data_path, 2024, say=said.append)
        finally:
            mp.undo()
        stats["cases"] += 1
        assert computed and len(said) == 1 and "var skadad" in said[0] and "\n" not in said[0], (name, how, said)
        assert {f: (path / f).read_bytes() for f in originals} == originals
        stats["healed"] += 1

    run()
    print(f"results cache: {stats['cases']} generated damages, {stats['healed']} healed with one line")
    assert stats["cases"] == stats["healed"] >= 25
# -- issue 22: generated inputs beyond the tidy contract ---------------------------------------------------


def _one_line_error(r) -> bool:
    lines = [ln for ln in r.output.splitlines() if ln.strip() and ln != "Inget i data/ ändrades."]
    return (r.exit_code == USER_ERROR and isinstance(r.exception, SystemExit) and "Traceback" not in r.output
            and len(lines) == 1 and lines[0].startswith("Fel:"))


def test_generated_partial_counts_never_publish_a_small_share(adv_project, tmp_path):
    """A share with only one of its counts is accepted (it is valid data) but never shown when what it has
    shows too few persons: validated by the CLI, read and suppressed as the reports read it."""
    from analysis.compute.gaps import suppress
    from analysis.data.contract import load_tidy
    from analysis.domain.geography import load_geography

    catalogue, geography = load_catalogue(adv_project.root), load_geography(adv_project.root)
    GOOD_UNIT = catalogue.get(GOOD_ROWS[0][0]).unit  # noqa: N806 - the unit of the good rows' indicator
    stats = Counter()

    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(den=st.integers(1, 20), frac=st.floats(0, 1), keep=st.sampled_from(["numerator", "denominator"]),
           sex=st.sampled_from(["K", "M", "T"]), decimals=st.sampled_from([1, 2]))
    def run(den, frac, keep, sex, decimals):
        num = int(round(frac * den))
        row = dict(zip(COLUMNS, GOOD_ROWS[0]))
        if sex != "T":  # a share split by sex: an indicator the catalogue splits, on a percent scale
            split = next(i for i in catalogue if i.sex_split and i.unit == GOOD_UNIT and "utrikes" in i.groups)
            row.update(indicator=split.id, age_band=split.age_band)
        row.update(sex=sex, value=f"{round(100 * num / den, decimals)}", numerator="", denominator="")
        row[keep] = str(num if keep == "numerator" else den)
        path = tmp_path / f"p{stats['cases']}.csv"
        path.write_bytes(_csv([[row[c] for c in COLUMNS]]))
        stats["cases"] += 1
        r = runner.invoke(app, ["validate", str(path)])
        assert r.exit_code == 0, r.output
        shown = suppress(load_tidy(path, catalogue, geography), catalogue)["value"].notna().iloc[0]
        stats["shown"] += int(shown)
        assert not shown, (num, den, keep, row["value"])

    run()
    print(f"partial counts: {stats['cases']} cases, accepted and hidden {stats['cases'] - stats['shown']}, "
          f"shown {stats['shown']}")


def test_generated_yaml_tags_are_refused_in_one_line_and_never_run(adv_project, tmp_path):
    marker = tmp_path / "ran"
    path = adv_project.root / "data" / "strategies" / "blekinge.yml"
    original = path.read_text(encoding="utf-8")
    stats = Counter()

    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(tag=st.sampled_from(["!!python/object/apply:os.system", "!!python/object/new:os.system",
                                "!!python/name:os.system", "!!python/module:os", "!!python/object:os.system"]),
           key=st.sampled_from(["name", "publisher", "council", "purpose"]), where=st.sampled_from(["start", "end"]))
    def run(tag, key, where):
        line = f'{key}: {tag} ["touch {marker}"]\n'
        body = original.replace(f"\n{key}:", f"\n{key}_gammal:", 1) if f"\n{key}:" in original else original
        path.write_text(line + body if where == "start" else body + line, encoding="utf-8")
        from analysis.domain.strategy import load_strategy

        load_strategy.cache_clear()
        r = runner.invoke(app, ["gaps", "-m", "1081"])
        stats["cases"] += 1
        stats["clear"] += int(_one_line_error(r) and "inte tillåten" in r.output)
        assert _one_line_error(r) and "inte tillåten" in r.output, r.output
        assert not marker.exists()

    try:
        run()
    finally:
        path.write_text(original, encoding="utf-8")
    print(f"yaml tags: {stats['cases']} cases, {stats['clear']} one-line errors, executed 0")


def test_generated_handlingsplan_workbooks_never_read_a_hidden_sheet(adv_project, tmp_path):
    """Workbooks with the plan on visible and hidden sheets under generated names: a hidden sheet is never
    read unasked (its rows say DOLD), and it is named whenever it is passed over; errors are one line."""
    from openpyxl import load_workbook

    out = tmp_path / "mall.xlsx"
    assert runner.invoke(app, ["handlingsplan", "mall", "--county", "10", "--output", str(out)]).exit_code == 0
    stats = Counter()

    @settings(max_examples=20, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(sheets=st.lists(st.tuples(st.sampled_from(["Handlingsplan", "Handlingsplan (2)", "Kopia", "Blad1"]),
                                     st.booleans()), min_size=1, max_size=3, unique_by=lambda t: t[0]))
    def run(sheets):
        wb = load_workbook(out)
        base = wb["Handlingsplan"]
        base.title = "mallblad"
        for name, hidden in sheets:
            ws = wb.copy_worksheet(base)
            ws.title = name
            ws.append([2024, "3", ("DOLD " if hidden else "") + f"aktivitet på {name}", "Ronneby kommun", "pågår"])
            ws.sheet_state = "hidden" if hidden else "visible"
        wb.remove(base)
        if all(h for _n, h in sheets):
            wb.create_sheet("Tomt")
        wb.active = next(i for i, w in enumerate(wb.worksheets) if w.sheet_state == "visible")
        path = tmp_path / f"plan{stats['cases']}.xlsx"
        wb.save(path)
        stats["cases"] += 1
        r = runner.invoke(app, ["handlingsplan", "kontrollera", str(path), "--county", "10"])
        assert "Traceback" not in r.output and r.exit_code in (0, USER_ERROR), r.output
        if r.exit_code == 0:
            stats["read"] += 1
            assert "1 aktiviteter" in r.output
            from analysis.data.handlingsplan import load_plan_file
            from analysis.domain.strategy import load_strategy

            plan = load_plan_file(path, load_strategy("10", adv_project.root), load_catalogue(adv_project.root))
            assert not any(a.startswith("DOLD") for a in plan["activity"]), plan["activity"].tolist()
            for name, hidden in sheets:
                if hidden:
                    assert f"{name!r} är dold" in r.output, r.output
        else:
            stats["refused"] += 1
            assert _one_line_error(r), r.output
        if any(h for _n, h in sheets):
            hidden_name = next(n for n, h in sheets if h)
            chosen = runner.invoke(app, ["handlingsplan", "kontrollera", str(path), "--county", "10",
                                         "--sheet", hidden_name])
            assert chosen.exit_code == 0, chosen.output  # --sheet reads the hidden sheet on request

    run()
    print(f"handlingsplan sheets: {stats['cases']} workbooks, read {stats['read']}, refused in one line "
          f"{stats['refused']}")
