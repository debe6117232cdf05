"""Limits on input files (analysis.data.limits) and the readers that apply them (issue 22, points 4 and 9)."""

import os
import threading
import zipfile

import pandas as pd
import pytest

from analysis.data.contract import read_table, validate_tidy
from analysis.data.limits import DEFAULTS, check_regular, check_xlsx, limits
from analysis.errors import AnalysisError, DataValidationError
from analysis import yamlio

HEADER = "indicator,geo_code,year,sex,group,age_band,value,numerator,denominator,margin,status,source,example\n"
ROW = "sysselsattningsgrad,1081,{year},T,utrikes,20-64,59.2,,,,,SCB,false\n"


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    result = {}

    def read():
        try:
            read_table(fifo)
        except AnalysisError as exc:
            result["error"] = str(exc)

    t = threading.Thread(target=read, daemon=True)
    t.start()
    t.join(10)
    assert not t.is_alive(), "reading a FIFO blocked"
    assert "FIFO" in result["error"] and "\n" not in result["error"]


def test_check_regular_names_the_kind(tmp_path):
    with pytest.raises(AnalysisError, match="mapp"):
        check_regular(tmp_path)
    with pytest.raises(AnalysisError, match="teckenenhet"):
        check_regular("/dev/null")


def _bomb(path, inflated_mb):
    """A valid-looking XLSX container whose members inflate to ``inflated_mb`` MB (zeros compress ≈ 1000:1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        chunk = b"0" * 1_000_000
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            for _ in range(inflated_mb):
                f.write(chunk)
    return path


def test_an_xlsx_that_inflates_beyond_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    bomb = _bomb(tmp_path / "bomb.xlsx", 30)
    assert bomb.stat().st_size < 200_000
    monkeypatch.setattr("analysis.data.limits.limits", lambda config=None: {**DEFAULTS, "xlsx_uncompressed_mb": 20})
    with pytest.raises(AnalysisError, match="packas upp till 30 MB, över gränsen 20 MB"):
        read_table(bomb)
    check_xlsx(_bomb(tmp_path / "small.xlsx", 5))  # under the limit: left to the reader


def test_rows_above_the_limit_stop_the_reading(tmp_path, monkeypatch):
    path = tmp_path / "many.csv"
    path.write_text(HEADER + ROW.format(year=2024) * 50, encoding="utf-8")
    monkeypatch.setattr("analysis.data.limits.limits", lambda config=None: {**DEFAULTS, "max_rows": 10})
    monkeypatch.setattr("analysis.data.contract.limits", lambda config=None: {**DEFAULTS, "max_rows": 10})
    with pytest.raises(AnalysisError, match="fler än 10 rader"):
        read_table(path)


def test_limits_come_from_analysis_yml(config):
    import dataclasses

    assert limits(dataclasses.replace(config, extra={"limits": {"max_rows": 7}}))["max_rows"] == 7
    with pytest.raises(AnalysisError, match="positivt tal"):
        limits(dataclasses.replace(config, extra={"limits": {"max_rows": "många"}}))
    with pytest.raises(AnalysisError, match="ingen känd gräns"):
        limits(dataclasses.replace(config, extra={"limits": {"max_radder": 7}}))


def test_a_swedish_excel_csv_is_read_right(tmp_path, catalogue, geography, tidy):
    """BOM, semicolons and decimal comma, as Excel with Swedish settings saves a CSV file."""
    rows = tidy[tidy["geo_code"] == "1081"].head(40)
    text = rows.to_csv(sep=";", decimal=",", index=False)
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    raw = read_table(path)
    assert "semikolon" in raw.attrs["notes"][0]
    back = validate_tidy(raw, catalogue, geography, str(path))
    assert back["value"].tolist() == pytest.approx(rows["value"].tolist(), nan_ok=True)


@pytest.mark.parametrize("year", ["12345678901234567890", "-99999999999999999999", "1800", "3000", "1e30"])
def test_impossible_years_are_named_as_such(tmp_path, catalogue, geography, year):
    raw = pd.read_csv(pd.io.common.StringIO(HEADER + ROW.format(year=year)), dtype=str, keep_default_na=False)
    with pytest.raises(DataValidationError) as exc:
        validate_tidy(raw, catalogue, geography, "x.csv")
    text = "\n".join(exc.value.problems)
    assert "inget möjligt år" in text and "-9223372036854775808" not in text, text


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system [\"echo x\"]", "!!python/name:os.system",
                                 "!!binary aGVq", "!!set {a}", "&a [*a]"])
def test_yaml_tags_are_one_swedish_line(tmp_path, tag):
    path = tmp_path / "s.yml"
    path.write_text(f"county: '10'\nname: {tag}\n", encoding="utf-8")
    try:
        yamlio.read(path)  # !!binary, !!set and anchors are safe YAML: read, never executed
    except AnalysisError as exc:
        assert "python" in tag and "\n" not in str(exc) and "rad 2" in str(exc) and "inte tillåten" in str(exc)
    else:
        assert "python" not in tag
