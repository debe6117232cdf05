"""The brand's Typst header, compiled with the real typst binding: how tables and floating charts share pages."""
import subprocess

import pytest

from analysis.present import brand
from analysis.publish.pandoc_render import typst_pdf


def _pages_with(tmp_path, rows: int, lines_before: int) -> list[dict]:
    """Compile text, a floating chart and its data table of ``rows`` rows; per page, which rows and captions."""
    cells = "".join(f"[{2000 + i}], [{i} %],\n" for i in range(rows))
    body = (f"#lorem({lines_before})\n\n#figure(rect(width: 100%, height: 300pt), caption: [Diagrammet])\n\n"
            f"#figure(table(columns: 2, table.header([År], [Värde]), {cells}), caption: [Uppgifterna], kind: table)\n")
    typ = tmp_path / "a.typ"
    typ.write_text(brand.typst_header() + "\n" + body, encoding="utf-8")
    typst_pdf(typ, tmp_path / "a.pdf", tmp_path, [str(d) for d in brand.font_dirs()], [])
    out = []
    for page in range(1, 4):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(tmp_path / "a.pdf"), "-"],
                              capture_output=True, text=True).stdout
        out.append({"rows": [i for i in range(rows) if str(2000 + i) in text], "chart": "Diagrammet" in text,
                    "caption": "Uppgifterna" in text})
    return out


def test_a_short_table_follows_its_chart_whole(tmp_path):
    """The chart does not fit under the text and floats to the next page; its six-row data table, which would
    start under the text and go on after the chart (as Ronneby's Tabell 3 did around Figur 1), moves with it."""
    p1, p2, _ = _pages_with(tmp_path, 6, 630)
    assert p1 == {"rows": [], "chart": False, "caption": False}
    assert p2 == {"rows": list(range(6)), "chart": True, "caption": True}


@pytest.mark.parametrize("rows", [brand.SHORT_TABLE_ROWS + 1, 40])
def test_a_long_table_still_breaks(tmp_path, rows):
    """A table longer than SHORT_TABLE_ROWS still breaks across pages (its header repeated): no page left empty."""
    p1, p2, _ = _pages_with(tmp_path, rows, 630)
    assert p1["caption"] and p1["rows"] and p2["rows"]


def _words(tmp_path, body: str) -> list[list[tuple[str, float]]]:
    """Compile ``body`` after the brand's header; per page, its words with their top y in pt."""
    import re

    typ = tmp_path / "b.typ"
    typ.write_text(brand.typst_header() + "\n" + body, encoding="utf-8")
    typst_pdf(typ, tmp_path / "b.pdf", tmp_path, [str(d) for d in brand.font_dirs()], [])
    xml = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "b.pdf"), "-"], capture_output=True,
                         text=True).stdout
    return [[(w, float(y)) for y, w in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>([^<]*)</word>', page)]
            for page in re.findall(r"<page .*?</page>", xml, re.S)]


def _y(page, word):
    return next(y for w, y in page if w == word)


def test_a_chart_that_fits_stays_under_its_heading(tmp_path):
    """A chart that fits the rest of its page stays in the text under its section's heading (left to
    `placement: auto`, Typst floated it to the top of the page, above the heading: Ronneby's Figur 2)."""
    pages = _words(tmp_path, "#lorem(60)\n\n= Rubriken\n\n#lorem(40)\n\n"
                             "#figure(rect(width: 100%, height: 200pt), caption: [Diagrammet])\n\nEfteråt.\n")
    assert len(pages) == 1
    assert _y(pages[0], "Rubriken") < _y(pages[0], "Diagrammet") < _y(pages[0], "Efteråt.")


def test_a_chart_that_does_not_fit_floats_and_the_text_fills_the_page(tmp_path):
    """A chart that does not fit the rest of its page goes to the top of the next page, and the text after it
    fills this one (no page half empty); with `floats: nej` it would stay in the text."""
    pages = _words(tmp_path, "#lorem(400)\n\n#figure(rect(width: 100%, height: 400pt), caption: [Diagrammet])\n\n"
                             "Efteråt.\n")
    assert len(pages) == 2
    assert "Efteråt." in [w for w, _ in pages[0]] and "Diagrammet" in [w for w, _ in pages[1]]
    assert _y(pages[1], "Diagrammet") < 500  # at the top of page 2 (its caption under a 400 pt chart)


def test_kalmar_example_report_has_no_chart_above_its_heading(tmp_path):
    """Kalmar's county report from example data (tests/fixtures/typst/README.md): with the figures measured from a
    marker that a float drawn above it had pushed down, Figur 7 and 10 were drawn above their own headings."""
    from pathlib import Path

    from analysis.publish.pdfcheck import page_flow

    body = (Path(__file__).parents[1] / "fixtures" / "typst" / "kalmar-lan-exempeldata-body.typ").read_text(
        encoding="utf-8")
    typ = tmp_path / "kalmar.typ"
    typ.write_text(body.replace("{HEADER}", brand.typst_header()), encoding="utf-8")
    typst_pdf(typ, tmp_path / "kalmar.pdf", tmp_path, [str(d) for d in brand.font_dirs()], [])
    assert page_flow(tmp_path / "kalmar.pdf") == []
