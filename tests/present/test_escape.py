"""Free text into Markdown (→ HTML and Typst) and spreadsheets: nothing becomes live markup or a formula."""

import re
import shutil

import pandas as pd
import pypandoc
import pytest
from openpyxl import load_workbook

from analysis.present.downloads import TableNotes, report_workbook, write_table
from analysis.present.escape import cell_text, md_code, md_text, safe_cells
from analysis.data.provenance import all_snapshots
from analysis.present.reportmeta import colophon

EVIL = [
    "<img src=x onerror=alert(1)>.csv",
    "x`<img src=x onerror=alert(1)>`.csv",          # a backtick would close a plain code span
    "a|b`{=html}<script>alert(1)</script>",           # raw HTML attribute after a code span
    "`{=typst}#panic(\"x\")` [länk](javascript:alert(1)) *fet* $x$ @ref #rubrik",
    "{{< include /etc/passwd >}}",
]


def _convert(md):
    return (pypandoc.convert_text(md, "html", format="markdown"),
            pypandoc.convert_text(md, "typst", format="markdown"))


@pytest.mark.parametrize("text", EVIL)
def test_markdown_escapes_stay_text_in_html_and_typst(text):
    md = f"Underlag: {md_code(text)} och {md_text(text)}.\n\n| fil | x |\n|---|---|\n| {md_code(text, in_table=True)} | 1 |\n"
    html, typ = _convert(md)
    for live in ("<img", "<script", "<a ", "<em>", "<strong>", "<math"):
        assert live not in html, html
    outside_raw = re.sub(r'#raw\("(?:[^"\\]|\\.)*"\)', "", typ)
    assert not re.search(r"(?<!\\)#panic", outside_raw), typ  # no live Typst code
    assert html.count("<td>") == 2  # the table keeps its two cells


def test_colophon_does_not_let_a_data_file_name_become_html(tmp_path, root):
    evil = tmp_path / "x`<img src=x onerror=alert(1)>`.csv"
    shutil.copy(root / "data" / "tidy" / "integration.csv", evil)
    text = colophon(root, all_snapshots(root / "data" / "raw"), evil, "pandoc+typst")
    html, _ = _convert(text)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\",\"klicka\")", "'=HYPERLINK(\"http://x\",\"klicka\")"), ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("Ronneby", "Ronneby"), (-2.5, -2.5),
    ("–", "–"), ("..", ".."),
])
def test_cell_text_neutralises_formulas(value, expected):
    assert cell_text(value) == expected


def test_downloads_never_hold_a_formula(tmp_path):
    data = pd.DataFrame({"Område": ["=cmd|' /C calc'!A0", "Ronneby"], "Värde": [-1.5, 61.0],
                         "@Not": ["+x", "ok"]})
    notes = TableNotes(title="=1+1", source="@källa", definition="-def")
    links = write_table(tmp_path / "data", "t", data, notes)
    wb = load_workbook(tmp_path / links["xlsx"])
    cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    texts = [v for v in cells if isinstance(v, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in texts), texts
    assert -1.5 in cells  # numbers stay numbers
    csv = (tmp_path / links["csv"]).read_text(encoding="utf-8-sig")
    assert "'=cmd" in csv and "\n=cmd" not in csv and ";=cmd" not in csv
    book = report_workbook(tmp_path / "data", tmp_path / "alla.xlsx")
    wb = load_workbook(book)
    texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in texts), texts


def test_safe_cells_keeps_numbers():
    df = safe_cells(pd.DataFrame({"a": [1, -2], "b": ["-x", "y"]}))
    assert df["a"].tolist() == [1, -2] and df["b"].tolist() == ["'-x", "y"]
