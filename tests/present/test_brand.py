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
