"""Free text into Markdown (→ HTML and Typst) and spreadsheets: nothing becomes live markup or a formula."""
import dataclasses
import re
import shutil
from pathlib import Path

import pandas as pd
import pypandoc
import pytest
from openpyxl import load_workbook

from analysis.data.provenance import all_snapshots
from analysis.present.downloads import Grid, TableNotes, report_workbook, safe_cells, write_table
from analysis.present.escape import cell_text, md_code, md_text
from analysis.present.reportmeta import colophon

EVIL = [
    "<img src=x onerror=alert(1)>.csv",
    "x`<img src=x onerror=alert(1)>`.csv",          # a backtick would close a plain code span
    "a|b`{=html}<script>alert(1)</script>",           # raw HTML attribute after a code span
    "`{=typst}#panic(\"x\")` [länk](javascript:alert(1)) *fet* $x$ @ref #rubrik",
    "{{< include /etc/passwd >}}",
]


#: the PDF's filter in both renderers (reports/templates/callout.lua): callouts, and "..." kept as three dots
PDF_FILTER = str(Path(__file__).parents[2] / "reports" / "templates" / "callout.lua")


def _convert(md):
    return (pypandoc.convert_text(md, "html", format="markdown"),
            pypandoc.convert_text(md, "typst", format="markdown", filters=[PDF_FILTER]))


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
    described = {"slug": "t", "csv": links["csv"], "xlsx": links["xlsx"], **dataclasses.asdict(notes)}
    book = report_workbook(tmp_path / "data", tmp_path / "alla.xlsx", [described])
    wb = load_workbook(book)
    texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in texts), texts


def test_safe_cells_keeps_numbers():
    grid = safe_cells(Grid.of(pd.DataFrame({"a": [1, -2], "b": ["-x", "y"], "=c": [None, 1.5]})))
    assert grid.columns == [[1, -2], ["'-x", "y"], [None, 1.5]] and grid.header == ["a", "b", "'=c"]


# -- the same payloads in every field that reaches a report (issue 22, point 3) ------------------------------

#: hostile free text as a user or an attacker would type it into a strategy, catalogue, plan or import
PAYLOADS = [
    '"><img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">klicka</a>',
    "[x](javascript:alert(1))",
    "Se @word",
    '=HYPERLINK("http://x","y")',
    "#set page(fill: red)",
    "{{< include /etc/passwd >}}",
    "$x$ *fet* _kursiv_ // kommentar `kod`",
]
HOSTILE = " ".join(PAYLOADS)


def live_html(html: str) -> list[str]:
    """Elements and attributes a browser would act on that only the payloads could have made: an <img> with
    src=x, an event handler, a javascript: link (parsed as a browser parses, not searched as text; a text that
    broke out of plotly's <script> would show up as such an element)."""
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                    found.append(f"<{tag} {name}={value}>")
            if tag == "img" and dict(attrs).get("src") == "x":
                found.append("<img src=x>")

    Parser().feed(html)
    return found


def _live_markup(html: str, typ: str) -> list[str]:
    """What would be live in the HTML or Typst made from the text: tags, script links, Typst code, references."""
    found = live_html(html)
    found += [t for t in ("<em>fet</em>", "<em>kursiv</em>", "<code>kod</code>") if t in html]
    outside_raw = re.sub(r'#raw\("(?:[^"\\]|\\.)*"\)', "", typ)
    for pattern in (r"(?<!\\)#set", r"(?<![\\\w])@word", r"(?<!\\)\$x", r"(?<!\\)#include", r"(?<![\\/])//"):
        if re.search(pattern, outside_raw):
            found.append(pattern)
    return found


def _hostile_project(project):
    """The project copy with the payloads in the strategy, a catalogue title and definition, and an imported
    handlingsplan (activity, responsible, comment, producer, title)."""
    import yaml

    from analysis.data.handlingsplan import import_plan

    root = project.root
    path = root / "data" / "strategies" / "blekinge.yml"
    strategy = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("name", "publisher", "council", "source_document"):
        strategy[key] = f"{strategy[key]} {HOSTILE}"
    for goal in strategy["goals"]:
        goal["title"] = f"{goal['title']} {HOSTILE}"
        goal["goal"] = f"{goal['goal']} {HOSTILE}"
        goal["followed_up_outside_statistics"] = f"Följs upp. {HOSTILE}"
    path.write_text(yaml.safe_dump(strategy, allow_unicode=True), encoding="utf-8")
    cat_path = root / "data" / "catalogue" / "indicators.yml"
    catalogue = yaml.safe_load(cat_path.read_text(encoding="utf-8"))
    for ind in catalogue["indicators"]:
        if ind["id"] == "sysselsattningsgrad":
            ind["title"] = f"{ind['title']} {HOSTILE}"
            ind["definition"] = f"{ind['definition']} {HOSTILE}"
    cat_path.write_text(yaml.safe_dump(catalogue, allow_unicode=True), encoding="utf-8")
    plan = pd.read_csv(next((root / "data" / "raw" / "handlingsplan" / "lan-10").glob("*.csv")), dtype=str,
                       keep_default_na=False)
    plan["Strategiskt mål"] = [g.split(".")[0] for g in plan["Strategiskt mål"]]  # by number: titles changed
    for col in ("Aktivitet", "Kommentar"):
        plan[col] = plan[col] + " " + HOSTILE
    plan["Ansvariga organisationer"] = plan["Ansvariga organisationer"] + "; " + PAYLOADS[0]
    plan_file = root / "plan.csv"
    plan.to_csv(plan_file, index=False)
    import_plan(plan_file, "10", producer=f"Beredningsgruppen {HOSTILE}", title=f"Plan {HOSTILE}", config=project)
    return project


@pytest.mark.slow
def test_the_same_payloads_stay_text_in_every_field(project, tmp_path):
    from analysis.compute.results import load_results
    from analysis.present.display import Chart, Download, Table, Text
    from analysis.present.county_report import CountyReport
    from analysis.present.report import Report

    config = _hostile_project(project)
    results = load_results(2024, "10", config=config)
    kommun = Report("1081", 2024, results=results, static_images=False, downloads_dir=str(tmp_path / "k"))
    county = CountyReport("10", 2024, results=results, static_images=False, downloads_dir=str(tmp_path / "l"))
    parts = [*kommun.goal("arbete"), *kommun.indicator("sysselsattningsgrad"), *kommun.goal_overview(),
             *kommun.more_focus_areas(["arbete"]), *kommun.kommun_activities(),
             *county.goal_overview(), *county.action_plan(), *county.annual_report(),
             *county.indicator("sysselsattningsgrad")]
    markdown, html_parts = [], []
    for p in parts:
        if isinstance(p, Text):
            markdown.append(p.markdown)
        elif isinstance(p, Table):
            markdown.append(p.markdown())
            html_parts.append(p.html())
        elif isinstance(p, Chart):
            html_parts.append(p.html())
            markdown.append(p.markdown_figure("figurer/x.svg"))
        for value in vars(p).values():
            if isinstance(value, Download):
                value.links()
    text = "\n\n".join(markdown)
    assert "@word" in text.replace("\\@", "@")  # the payloads did reach the report
    html, typ = _convert(text)
    assert _live_markup(html, typ) == []
    assert "Se @word" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    for h in html_parts:  # HTML written directly (tables, figures): escaped
        assert live_html(h) == []
    # downloads: no text cell a spreadsheet would evaluate
    from openpyxl import load_workbook

    books = list((tmp_path / "k").glob("*.xlsx")) + list((tmp_path / "l").glob("*.xlsx"))
    assert books
    for book in books:
        for ws in load_workbook(book).worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert not (isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))), (book, c.value)
    for csv in list((tmp_path / "k").glob("*.csv")) + list((tmp_path / "l").glob("*.csv")):
        for line in csv.read_text(encoding="utf-8-sig").splitlines():
            cells = line.split(";")
            assert not any(c.startswith(("=H", "@", "+")) for c in cells), (csv, line)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_typst_text_and_string_keep_payloads_literal(payload, tmp_path):
    """Text put straight into Typst markup or a string: compiled by the real Typst, it is the same text."""
    import typst

    from analysis.present.escape import typst_string, typst_text

    src = tmp_path / "t.typ"
    src.write_text(f"{typst_text(payload)}\n\n#let s = {typst_string(payload)}\n#s\n", encoding="utf-8")
    pdf = typst.compile(str(src))
    assert pdf[:4] == b"%PDF"


def test_html_text_escapes_markup():
    from analysis.present.escape import html_text

    assert html_text(PAYLOADS[0]) == "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"


#: straight quotes, an apostrophe, dashes and dots as a strategy writer types them (pandoc's `smart` extension,
#: on by default in pandoc and Quarto, and Typst's own smart quotes and shorthands would typeset them)
TYPED = ['Målet "fler i arbete" nås', "kommunens 'egna' mål", "2024--2030", "a --- b", "arbete, språk...",
         "fyra....", "\"citat\" -- 'citat' ... slut"]


@pytest.mark.parametrize("text", TYPED)
@pytest.mark.parametrize("inline", [False, True])
def test_a_strategy_text_is_shown_exactly_as_written(text, inline, tmp_path):
    """No curly quotes, en/em dashes or ellipsis from pandoc's `smart` typography in the HTML, the plain text or
    the DOCX (the årsredovisning), nor curly quotes, dashes or ellipsis from Typst in the PDF (Typst's shorthand
    would draw "..." as "…": the PDF's filter writes escaped dots)."""
    import html as htmllib
    import subprocess
    import zipfile

    import typst

    md = f"Mål: {md_text(text, inline=inline)}\n"
    html, typ = _convert(md)
    shown = htmllib.unescape(re.sub(r"<[^>]+>", "", html)).strip()
    assert shown == f"Mål: {text}", html
    plain = pypandoc.convert_text(md, "plain", format="markdown", extra_args=["--columns=200"]).strip()
    assert plain == f"Mål: {text}", plain
    pypandoc.convert_text(md, "docx", format="markdown", outputfile=str(tmp_path / "t.docx"))
    xml = zipfile.ZipFile(tmp_path / "t.docx").read("word/document.xml").decode()
    runs = htmllib.unescape("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)))
    assert runs == f"Mål: {text}", runs
    src = tmp_path / "t.typ"
    src.write_text(typ, encoding="utf-8")
    (tmp_path / "t.pdf").write_bytes(typst.compile(str(src)))
    pdf_text = subprocess.run(["pdftotext", str(tmp_path / "t.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
    assert " ".join(pdf_text.split()) == f"Mål: {text}", (typ, pdf_text)
