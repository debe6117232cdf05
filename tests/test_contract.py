import pandas as pd
import pytest

from analysis.contract import COLUMNS, load_tidy, read_table, validate_tidy, write_tidy
from analysis.errors import DataValidationError

GOOD = (
    "indicator,geo_code,year,sex,group,age_band,value,numerator,denominator,margin,status,source,example\n"
    "sysselsattningsgrad,0880,2024,T,utrikes,20-64,61.0,,,,,SCB,false\n"
    "sysselsattningsgrad,0880,2024,T,inrikes,20-64,85.4,,,,,SCB,false\n"
    "behorighet_yrkesprogram,0880,2024,K,utrikes,åk9,,4,18,,..,Skolverket,true\n"
)


def test_valid_file_keeps_leading_zeros(tmp_path, catalogue, geography):
    p = tmp_path / "ok.csv"
    p.write_text(GOOD, encoding="utf-8")
    df = load_tidy(p, catalogue, geography)
    assert list(df.columns) == COLUMNS
    assert df["geo_code"].tolist() == ["0880", "0880", "0880"]
    assert df["example"].tolist() == [False, False, True]
    assert pd.isna(df["value"].iloc[2]) and df["status"].iloc[2] == ".."


def test_broken_file_lists_every_problem(tmp_path, catalogue, geography):
    p = tmp_path / "broken.csv"
    p.write_text(
        "indicator,geo_code,year,sex,group,age_band,value,numerator,denominator,margin,status,source,example\n"
        "sysselsattningsgrad,880,2024,T,utrikes,20-64,61.0,,,,,SCB,false\n"      # line 2: code
        "sysselsattningsgrad,0880,2024,X,utrikes,20-64,61.0,,,,,SCB,false\n"     # line 3: sex
        "sysselsattningsgrad,0880,2024,T,inrikes,20-64,abc,,,,,SCB,false\n"      # line 4: value
        "sysselsattningsgrad,0880,2024,T,inrikes,20-64,,,,,,SCB,maybe\n",       # line 5: example + value/status
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as exc:
        load_tidy(p, catalogue, geography)
    problems = exc.value.problems
    text = "\n".join(problems)
    assert "line 5, column example: 'maybe'" in text
    assert "line 2, column geo_code: '880'" in text
    assert "line 3, column sex: 'X'" in text
    assert "line 4, column value: 'abc'" in text
    assert str(p) in str(exc.value)


def test_reference_checks_against_catalogue(catalogue, geography):
    raw = pd.read_csv(pd.io.common.StringIO(GOOD), dtype=str, keep_default_na=False)
    raw.loc[0, "indicator"] = "okand_indikator"
    raw.loc[1, "age_band"] = "16-64"
    raw.loc[2, "geo_code"] = "9999"
    with pytest.raises(DataValidationError) as exc:
        validate_tidy(raw, catalogue, geography, "x.csv")
    text = "\n".join(exc.value.problems)
    assert "line 2, column indicator" in text
    assert "line 3, column age_band" in text
    assert "line 4, column geo_code: '9999'" in text


def test_value_status_rules_and_duplicates(catalogue, geography):
    raw = pd.read_csv(pd.io.common.StringIO(GOOD), dtype=str, keep_default_na=False)
    raw = pd.concat([raw, raw.iloc[[0]]], ignore_index=True)  # duplicate key
    raw.loc[1, "status"] = ".."  # value and status both given
    with pytest.raises(DataValidationError) as exc:
        validate_tidy(raw, catalogue, geography, "x.csv")
    text = "\n".join(exc.value.problems)
    assert "exactly when status is empty" in text
    assert "unique" in text or "duplicate" in text


def test_missing_column_reported(catalogue, geography):
    raw = pd.read_csv(pd.io.common.StringIO(GOOD), dtype=str, keep_default_na=False).drop(columns=["source"])
    with pytest.raises(DataValidationError, match="column source: required column is missing"):
        validate_tidy(raw, catalogue, geography)


def test_xlsx_and_roundtrip(tmp_path, catalogue, geography):
    df = load_tidy(_write(tmp_path / "ok.csv", GOOD), catalogue, geography)
    xlsx = tmp_path / "ok.xlsx"
    df.astype({"example": str}).to_excel(xlsx, index=False)
    assert read_table(xlsx)["geo_code"].tolist() == ["0880"] * 3
    out = tmp_path / "out.csv"
    write_tidy(df, out)
    assert load_tidy(out, catalogue, geography).equals(load_tidy(out, catalogue, geography))
    assert "0880" in out.read_text(encoding="utf-8")


def _write(p, text):
    p.write_text(text, encoding="utf-8")
    return p


def test_one_message_per_problem_sorted_by_line(tmp_path, catalogue, geography):
    p = tmp_path / "broken.csv"
    p.write_text(
        "indicator,geo_code,year,sex,group,age_band,value,status,source,example\n"
        "sysselsattningsgrad,880,2024,T,utrikes,20-64,61.0,,SCB,false\n"
        "arbetsloshet,0880,24x,X,utrikes,20-64,abc,,SCB,kanske\n"
        "okand,0880,2024,T,total,20-64,5,..,SCB,false\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as exc:
        load_tidy(p, catalogue, geography)
    problems = exc.value.problems
    assert problems == [
        "line 2, column geo_code: '880' fails str_matches('^[0-9]{4}$')",
        "line 3, column example: 'kanske' is not true/false",
        "line 3, column year: '24x' cannot be read as 'int64'",
        "line 3, column value: 'abc' cannot be read as 'float64'",
        "line 3, column sex: 'X' fails isin(['T', 'K', 'M'])",
        "line 4, column indicator: 'okand' is not in the catalogue",
        "line 4: a value must be given exactly when status is empty (missing values carry a symbol)",
    ]
