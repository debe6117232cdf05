import pandas as pd
import pytest

from analysis.data.contract import COLUMNS, load_tidy, read_table, validate_tidy, write_tidy
from analysis.errors import DataValidationError

GOOD = (
    "indicator,geo_code,year,sex,group,age_band,value,numerator,denominator,margin,status,source,example\n"
    "sysselsattningsgrad,0880,2024,T,utrikes,20-64,61.0,,,,,SCB,false\n"
    "sysselsattningsgrad,0880,2024,T,inrikes,20-64,85.4,,,,,SCB,false\n"
    "gymnasieexamen_4ar,0880,2024,K,total,gy,,4,18,,..,SCB,true\n"
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
    assert "rad 5, kolumn example: 'maybe'" in text
    assert "rad 2, kolumn geo_code: '880'" in text
    assert "rad 3, kolumn sex: 'X'" in text
    assert "rad 4, kolumn value: 'abc'" in text
    assert str(p) in str(exc.value)


def test_reference_checks_against_catalogue(catalogue, geography):
    raw = pd.read_csv(pd.io.common.StringIO(GOOD), dtype=str, keep_default_na=False)
    raw.loc[0, "indicator"] = "okand_indikator"
    raw.loc[1, "age_band"] = "16-64"
    raw.loc[2, "geo_code"] = "9999"
    with pytest.raises(DataValidationError) as exc:
        validate_tidy(raw, catalogue, geography, "x.csv")
    text = "\n".join(exc.value.problems)
    assert "rad 2, kolumn indicator" in text
    assert "rad 3, kolumn age_band" in text
    assert "rad 4, kolumn geo_code: '9999'" in text


def test_value_status_rules_and_duplicates(catalogue, geography):
    raw = pd.read_csv(pd.io.common.StringIO(GOOD), dtype=str, keep_default_na=False)
    raw = pd.concat([raw, raw.iloc[[0]]], ignore_index=True)  # duplicate key
    raw.loc[1, "status"] = ".."  # value and status both given
    with pytest.raises(DataValidationError) as exc:
        validate_tidy(raw, catalogue, geography, "x.csv")
    text = "\n".join(exc.value.problems)
    assert "precis när status är tom" in text
    assert "dubblerad rad" in text


def test_missing_column_reported(catalogue, geography):
    raw = pd.read_csv(pd.io.common.StringIO(GOOD), dtype=str, keep_default_na=False).drop(columns=["source"])
    with pytest.raises(DataValidationError, match="kolumn source: obligatorisk kolumn saknas"):
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
        "rad 2, kolumn geo_code: '880' är ingen kod med fyra siffror (t.ex. 0880)",
        "rad 3, kolumn example: 'kanske' är inte true/false",
        "rad 3, kolumn year: '24x' kan inte läsas som ett heltal",
        "rad 3, kolumn value: 'abc' kan inte läsas som ett tal",
        "rad 3, kolumn sex: 'X' är inget av de tillåtna värdena ['T', 'K', 'M']",
        "rad 4, kolumn indicator: 'okand' finns inte i indikatorkatalogen",
        "rad 4: ett värde ska finnas precis när status är tom (ett värde som saknas har en symbol)",
    ]


HEADER = "indicator,geo_code,year,sex,group,age_band,value,numerator,denominator,margin,status,source,example\n"
SYSS = "sysselsattningsgrad,1081,2024,T,utrikes,20-64,{v},,,{m},,SCB,false\n"
BEH = "behorighet_yrkesprogram,1081,2024,T,utrikes,åk9,{v},{n},{d},,,Skolverket,false\n"


@pytest.mark.parametrize("row, needle", [
    (SYSS.format(v="inf", m=""), "rad 2, kolumn value: 'inf' är inget ändligt tal"),
    (SYSS.format(v="-inf", m=""), "rad 2, kolumn value: '-inf' är inget ändligt tal"),
    (SYSS.format(v="1e309", m=""), "rad 2, kolumn value: '1e309' är inget ändligt tal"),
    (SYSS.format(v="nan", m=""), "rad 2, kolumn value: 'nan' är inget ändligt tal"),
    (SYSS.format(v="61", m="nan"), "rad 2, kolumn margin: 'nan' är inget ändligt tal"),
    (SYSS.format(v="61", m="inf"), "rad 2, kolumn margin: 'inf' är inget ändligt tal"),
    (SYSS.format(v="-5", m=""), "rad 2, kolumn value: -5.0 är negativt"),
    (SYSS.format(v="61", m="-1"), "rad 2, kolumn margin: -1.0 är negativt"),
    (SYSS.format(v="150", m=""), "rad 2, kolumn value: 150 är en andel och kan inte vara över 100"),
    (BEH.format(v="10", n="49", d="80"), "rad 2, kolumn value: 10 stämmer inte med täljare/nämnare (49 av 80"),
    (BEH.format(v="10", n="4.5", d="80"), "rad 2, kolumn numerator: 4.5 är ett antal och måste vara ett heltal"),
    (BEH.format(v="10", n="-4", d="80"), "rad 2, kolumn numerator: -4.0 är negativt"),
    (BEH.format(v="61.3", n="49", d="80.5"), "rad 2, kolumn denominator: 80.5 är ett antal"),
    (BEH.format(v="61.3", n="49", d="0"), "rad 2"),
    # issue 22: the two bad files the 210-case sweep still accepted
    (SYSS.format(v="61", m="500"), "rad 2, kolumn margin: 500 är en felmarginal för en andel och kan inte vara över 100"),
    (SYSS.format(v="61", m="").replace(",SCB,", ",SC\x00B,"), "rad 2, kolumn source: innehåller styrtecknet U+0000"),
    (SYSS.format(v="61", m="").replace(",utrikes,", ",utri\x1bkes,"), "rad 2, kolumn group: innehåller styrtecknet U+001B"),
])
def test_impossible_values_are_rejected_with_line_and_column(tmp_path, catalogue, geography, row, needle):
    p = _write(tmp_path / "bad.csv", HEADER + row)
    with pytest.raises(DataValidationError) as exc:
        load_tidy(p, catalogue, geography)
    assert any(needle in msg for msg in exc.value.problems), exc.value.problems


def test_a_margin_up_to_100_and_tabs_in_text_are_accepted(tmp_path, catalogue, geography):
    p = _write(tmp_path / "ok.csv", HEADER + SYSS.format(v="61", m="100").replace(",SCB,", ',"SCB\tBAS",'))
    assert len(load_tidy(p, catalogue, geography)) == 1


def test_shares_within_rounding_are_accepted(tmp_path, catalogue, geography):
    p = _write(tmp_path / "ok.csv", HEADER + BEH.format(v="61.3", n="49", d="80") +
               BEH.format(v="61", n="49", d="80").replace(",utrikes,", ",inrikes,"))  # 61.25 % to 1 or 0 decimals
    assert len(load_tidy(p, catalogue, geography)) == 2


@pytest.mark.parametrize("text", ["", HEADER, HEADER + "\n\n"])
def test_header_only_or_empty_file_is_not_zero_rows(tmp_path, catalogue, geography, text):
    p = _write(tmp_path / "empty.csv", text)
    with pytest.raises(DataValidationError, match="inga datarader"):
        load_tidy(p, catalogue, geography)


def test_blank_lines_keep_line_numbers(tmp_path, catalogue, geography):
    p = _write(tmp_path / "b.csv", HEADER + SYSS.format(v="61", m="") + "\n" + SYSS.format(v="inf", m="").replace(",T,", ",K,"))
    with pytest.raises(DataValidationError) as exc:
        load_tidy(p, catalogue, geography)
    assert "rad 4, kolumn value: 'inf' är inget ändligt tal" in exc.value.problems


def test_sidecar_and_other_files_are_not_data(tmp_path, catalogue, geography):
    from analysis.errors import AnalysisError

    for name in ("x.csv.source.yml", "notes.txt", "x.json"):
        p = _write(tmp_path / name, "indicator: x\n")
        with pytest.raises(AnalysisError, match="härkomstfil|ingen datafil"):
            load_tidy(p, catalogue, geography)


def test_typed_frames_with_infinite_values_are_rejected(catalogue, geography):
    from tests.conftest import make_rows

    df = make_rows([{"indicator": "sysselsattningsgrad", "geo_code": "1081", "year": 2024, "group": "utrikes",
                     "age_band": "20-64", "value": float("inf")}])
    with pytest.raises(DataValidationError, match="inget ändligt tal"):
        validate_tidy(df, catalogue, geography, "kolada")


def test_many_problems_are_capped_per_kind(catalogue, geography):
    raw = pd.read_csv(pd.io.common.StringIO(HEADER + SYSS.format(v="61", m="") * 500), dtype=str,
                      keep_default_na=False)
    raw.loc[::2, "geo_code"] = "12"
    with pytest.raises(DataValidationError) as exc:
        validate_tidy(raw, catalogue, geography, "big.csv", max_per_kind=5)
    problems = exc.value.problems
    assert len([p for p in problems if "kolumn geo_code" in p and p.startswith("rad")]) == 5
    assert len([p for p in problems if "dubblerad rad" in p]) == 5
    assert any(p.startswith("… och 245 rader till") and "geo_code" in p for p in problems)
    assert any(p.startswith("… och") and "dubblerad" in p for p in problems)
    assert len(problems) <= 12


# --------------------------------------------------------------------------- XLSX as a person sees it

XCOLS = ["indicator", "geo_code", "year", "sex", "group", "age_band", "value", "numerator", "denominator",
         "margin", "status", "source", "example"]
XROW = ["behorighet_yrkesprogram", "1081", 2024, "T", "utrikes", "åk9", 0.6125, 49, 80, None, None,
        "Skolverket", "false"]


def _book(path, sheets, hidden=(), percent=True):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        if title in hidden:
            ws.sheet_state = "hidden"
        if percent and rows and rows[0] == XCOLS:
            for row in ws.iter_rows(min_row=2, min_col=7, max_col=7):
                for c in row:
                    c.number_format = "0.00%"
    wb.active = len(wb.sheetnames) - 1
    wb.save(path)
    return path


def test_xlsx_reads_the_visible_sheet_with_percentages(tmp_path, catalogue, geography):
    old = [XCOLS, ["sysselsattningsgrad", "1081", 2019, "T", "utrikes", "20-64", 12.0, None, None, None, None, "x", "false"]]
    p = _book(tmp_path / "b.xlsx", {"Gammal": old, "Data": [XCOLS, XROW]}, hidden={"Gammal"})
    df = load_tidy(p, catalogue, geography)
    assert df["indicator"].tolist() == ["behorighet_yrkesprogram"]  # not the hidden first sheet
    assert df["value"].tolist() == [61.25]  # 61,25 % as shown, not 0.6125


def test_xlsx_several_plausible_sheets_are_listed_and_sheet_picks_one(tmp_path, catalogue, geography):
    from analysis.errors import AnalysisError

    p = _book(tmp_path / "b.xlsx", {"2023": [XCOLS, XROW], "2024": [XCOLS, XROW]})
    with pytest.raises(AnalysisError, match=r"flera flikar.*2023, 2024.*--sheet"):
        load_tidy(p, catalogue, geography)
    assert len(load_tidy(p, catalogue, geography, sheet="2024")) == 1
    with pytest.raises(AnalysisError, match="fliken 'saknas' finns inte; flikar: 2023, 2024"):
        load_tidy(p, catalogue, geography, sheet="saknas")


def test_xlsx_merged_and_formula_cells_without_value_are_reported(tmp_path, catalogue, geography):
    from openpyxl import load_workbook

    row2 = list(XROW)
    row3 = list(XROW)
    row3[3] = "K"
    p = _book(tmp_path / "b.xlsx", {"Data": [XCOLS, row2, row3]})
    wb = load_workbook(p)
    ws = wb["Data"]
    ws["G3"] = "=49/80"  # a formula openpyxl saves without a cached value
    ws.merge_cells("L2:L3")
    wb.save(p)
    with pytest.raises(DataValidationError) as exc:
        load_tidy(p, catalogue, geography)
    text = "\n".join(exc.value.problems)
    assert "rad 2–3, kolumn L: sammanfogade celler (L2:L3)" in text
    assert "rad 3, kolumn value: formeln '=49/80' har inget sparat värde" in text
