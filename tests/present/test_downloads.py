"""Downloads: CSV (Swedish Excel settings) and XLSX with a notes sheet per table; one workbook per report."""

import dataclasses

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.present.downloads import (
    Grid,
    TableNotes,
    _sheet_name,
    as_numbers,
    read_csv,
    report_workbook,
    sheet_name,
    slugify,
    write_table,
)
from analysis.present.model import Download


def test_table_as_csv_and_xlsx_with_notes(tmp_path):
    data = pd.DataFrame({"Område": ["Sölvesborg", "Kalmar"], "Kod": ["1083", "0880"], "Värde (%)": [61.04, None],
                         "Symbol": ["", ".."]})
    links = write_table(tmp_path, "test", data, TableNotes("Sysselsättning", "Källa: SCB; egen bearbetning",
                                                           "Andel sysselsatta.", "procent", example=True))
    assert links == {"csv": "data/test.csv", "xlsx": "data/test.xlsx"}
    raw = (tmp_path / "test.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "61,04".encode() in raw and b";" in raw
    assert b'"=""0880"""' in raw  # the CSV field ="0880": Excel opens the code as text, the leading zero stays
    wb = load_workbook(tmp_path / "test.xlsx")
    assert wb.sheetnames == ["Data", "Noter"]
    assert wb["Data"]["C2"].value == pytest.approx(61.04)  # a number, not text
    notes = {r[0]: r[1] for r in wb["Noter"].iter_rows(min_row=2, values_only=True)}
    assert notes["Källa"] == "Källa: SCB; egen bearbetning" and notes["Definition"] == "Andel sysselsatta."
    assert "Symbol .." in notes and "Exempeldata" in notes
    assert wb["Data"]["E1"].value == "Exempeldata" and wb["Data"]["E2"].value == "ja"  # marked in the data too


def _pandas_read(path):
    """A table's CSV as a reader opens it with pandas (codes as ="0880": text without the wrapper)."""
    data = pd.read_csv(path, sep=";", decimal=",", dtype={"Kod": str}, encoding="utf-8-sig")
    data["Kod"] = data["Kod"].str.removeprefix('="').str.removesuffix('"')
    return data


def _described(slug: str, notes: TableNotes, order=()) -> Download:
    """A table as the report model describes it (what report_workbook reads instead of side files)."""
    return Download(slug=slug, csv=f"data/{slug}.csv", xlsx=f"data/{slug}.xlsx", **dataclasses.asdict(notes),
                    order=list(order))


def test_report_workbook_has_every_table_and_a_contents_sheet(tmp_path):
    tables = {}
    for i, name in enumerate(["b", "a"]):
        notes = TableNotes(f"Tabell {name}", "SCB")
        write_table(tmp_path, name, pd.DataFrame({"Kod": ["0880"], "x": [i]}), notes, order=(i,))
        tables[name] = _described(name, notes, (i,))
    assert not list(tmp_path.glob("*.json"))  # no description beside the files: it is in the report model
    wb = load_workbook(report_workbook(tmp_path, tmp_path / "alla.xlsx", [tables["b"], tables["a"]]))
    assert wb.sheetnames == ["Innehåll och noter", "Tabell b", "Tabell a"]
    assert wb["Tabell b"]["A2"].value == "0880"  # codes stay text
    # the CSV's source column is not repeated on each sheet: the contents sheet names the source once
    assert [c.value for c in wb["Tabell b"][1]] == ["Kod", "x"] and wb["Innehåll och noter"]["C2"].value == "SCB"
    # the model's (reading) order is the workbook's order
    wb = load_workbook(report_workbook(tmp_path, tmp_path / "alla.xlsx", [tables["a"], tables["b"]]))
    assert wb.sheetnames == ["Innehåll och noter", "Tabell a", "Tabell b"]
    assert report_workbook(tmp_path, tmp_path / "ingen.xlsx", []) is None


def test_a_table_without_rows_never_crashes_the_workbook(tmp_path):
    tom, full, gammal = TableNotes("Tom tabell", "SCB"), TableNotes("Full", "SCB"), TableNotes("Gammal", "SCB")
    write_table(tmp_path, "tom", pd.DataFrame(), tom, order=(0,))
    write_table(tmp_path, "full", pd.DataFrame({"Kod": ["1081"], "x": [1]}), full, order=(1,))
    (tmp_path / "gammal.csv").write_bytes(b"")  # an empty file left by an older run
    wb = load_workbook(report_workbook(tmp_path, tmp_path / "alla.xlsx", [
        _described("tom", tom), _described("full", full), _described("gammal", gammal)]))
    assert wb.sheetnames == ["Innehåll och noter", "Tom tabell", "Full", "Gammal"]
    assert wb["Tom tabell"]["A2"].value.startswith("uppgift saknas")
    assert wb["Gammal"]["A2"].value.startswith("uppgift saknas")


def test_formatted_tables_are_written_as_numbers(tmp_path):
    nbsp, minus = "\u00a0", "\u2212"
    table = pd.DataFrame({"År": ["2023", "2024"], "Ronneby": [f"78,5{nbsp}%", ".."],
                          "Skillnad, procentenheter": [f"{minus}10,1", "+2,4"], "Bedömning": ["↑ bättre", "? okänd"],
                          "Kod": ["0010", "1081"]})
    assert as_numbers(Grid.of(table)).header == ["År", "Ronneby (%)", "Skillnad, procentenheter", "Bedömning", "Kod"]
    write_table(tmp_path, "t", table, TableNotes("T", "SCB"))
    wb = load_workbook(tmp_path / "t.xlsx")
    ws = wb["Data"]
    assert ws["A2"].value == 2023 and ws["B2"].value == pytest.approx(78.5) and ws["B3"].value == ".."
    assert ws["C2"].value == pytest.approx(-10.1) and ws["D2"].value == "↑ bättre"
    assert ws["E2"].value == "0010" and ws["E2"].data_type == "s"  # codes are text
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert '2023;78,5;-10,1;↑ bättre;"=""0010""";SCB' in text  # the source on every row, last
    assert text.splitlines()[0].endswith(";Källa") and ws.max_column == 5  # the XLSX says it in "Noter"
    back = _pandas_read(tmp_path / "t.csv")  # as a reader opens it with pandas
    assert back["Kod"].tolist() == ["0010", "1081"] and back["Ronneby (%)"].tolist()[0] == "78,5"
    ours = read_csv(tmp_path / "t.csv")  # as the report workbook reads it back
    assert ours.column("Kod") == ["0010", "1081"] and ours.column("Skillnad, procentenheter") == [-10.1, 2.4]
    assert ours.column("År") == [2023, 2024] and ours.column("Ronneby (%)") == ["78,5", ".."]


def test_sheet_names_are_cut_at_whole_words():
    used: set[str] = set()
    a = _sheet_name("01 Sysselsättningsgrad 20–64 år, Ronneby jämfört med länet", used)
    b = _sheet_name("01 Sysselsättningsgrad 20–64 år, Ronneby jämfört med länet", used)
    assert a == "01 Sysselsättningsgrad 20–64" and len(a) <= 31  # not "… 20–64 å"
    assert b != a and len(b) <= 31 and b.endswith("(2)")
    assert _sheet_name("Måluppfyllelse 2024 för Karlshamns kommun", set()) == "Måluppfyllelse 2024"  # not "… för"


def test_sheet_names_stand_alone(catalogue):
    names = [sheet_name(f"{i.id}-{kind}", i) for i in catalogue
             for kind in ("diagram", "kon", "placering", "jamforelse", "kommungrupper")]
    assert len(set(names)) == len(names) and all(len(n) <= 31 for n in names)
    assert "Sysselsättningsgrad, utveckling" in names and "Yrkesbehörighet, kön" in names
    assert sheet_name("maluppfyllelse") == "Måluppfyllelse" and sheet_name("handlingsplan-mal-5") == (
        "Handlingsplanen, mål 5")


def test_report_workbook_keeps_numbers_beside_their_symbols(tmp_path):
    minus = "\u2212"
    table = pd.DataFrame({"Kommun": ["Ronneby", "Olofström", "Karlshamn"],
                          "Skillnad, procentenheter": [f"{minus}5,7", "..", "+2,4"],
                          "Läge, tal": ["12,0", ".", "3"], "Bedömning": ["bättre", "–", "sämre"]})
    notes = TableNotes("Tabell: skillnader", "SCB", sheet="Skillnader")
    write_table(tmp_path, "t", table, notes)
    ws = load_workbook(report_workbook(tmp_path, tmp_path / "alla.xlsx", [_described("t", notes)]))["Skillnader"]
    header = [c.value for c in ws[1]]
    assert header == ["Kommun", "Skillnad, procentenheter", "Skillnad, procentenheter, symbol", "Läge, tal",
                      "Läge, tal, symbol", "Bedömning"]
    assert ws["B2"].value == pytest.approx(-5.7) and ws["B2"].data_type == "n"
    assert ws["B3"].value is None and ws["C3"].value == ".." and ws["C2"].value is None
    assert ws["D3"].value is None and ws["E3"].value == "." and ws["D4"].value == 3
    assert ws["F3"].value == "–"  # a text column keeps its symbols in place


def test_a_value_from_another_year_is_a_number_with_its_year_beside_it(tmp_path):
    """The county's "Utveckling sedan basåret": the column 2024 held "−21,2 (2022)" for an election indicator, so
    the whole column stayed text in the workbook ("−20,0", "'+12,6" with the formula guard)."""
    minus = "\u2212"
    table = pd.DataFrame({"Indikator": ["Sysselsättningsgrad", "Arbetslöshet", "Valdeltagande"],
                          "2024": [f"{minus}20,0", "+12,6", f"{minus}21,2 (2022)"]})
    notes = TableNotes("Tabell: utveckling", "SCB", sheet="Utveckling")
    write_table(tmp_path, "u", table, notes)
    ws = load_workbook(report_workbook(tmp_path, tmp_path / "alla.xlsx", [_described("u", notes)]))["Utveckling"]
    assert [c.value for c in ws[1]] == ["Indikator", "2024", "2024, avser år"]
    assert [ws.cell(r, 2).value for r in (2, 3, 4)] == [pytest.approx(-20.0), pytest.approx(12.6),
                                                       pytest.approx(-21.2)]
    assert all(ws.cell(r, 2).data_type == "n" for r in (2, 3, 4))
    assert [ws.cell(r, 3).value for r in (2, 3, 4)] == [None, None, 2022]
    csv = (tmp_path / "u.csv").read_text(encoding="utf-8-sig")
    assert "-21,2;2022;SCB" in csv and "'+" not in csv  # the year as a year (was "2022,0")


def test_downloads_use_the_one_slugify():
    import analysis.text

    assert slugify is analysis.text.slugify  # one slugify (tests/test_text.py), shared with data's Kolada fetch


@pytest.mark.e2e
def test_rendered_report_links_its_downloads(ronneby):
    folder = ronneby.job.final_dir
    html = (folder / "rapport.html").read_text(encoding="utf-8")
    assert 'href="data/1081-sysselsattningsgrad-diagram.csv"' in html
    assert 'href="data/1081-sysselsattningsgrad-diagram.xlsx"' in html
    assert 'href="rapport-tabeller.xlsx"' in html
    data = _pandas_read(folder / "data" / "1081-sysselsattningsgrad-diagram.csv")
    row = data[(data["Kod"] == "1081") & (data["År"] == 2024) & (data["Grupp"] == "utrikes födda")]
    ins = data[(data["Kod"] == "1081") & (data["År"] == 2024) & (data["Grupp"] == "inrikes födda")]
    assert round(ins["Värde (%)"].item() - row["Värde (%)"].item(), 1) == 24.4  # the real figures
    wb = load_workbook(folder / "rapport-tabeller.xlsx", read_only=True)
    assert wb.sheetnames[0] == "Innehåll och noter" and len(wb.sheetnames) > 10
