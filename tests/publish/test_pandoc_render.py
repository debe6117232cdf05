"""The pandoc+Typst path renders from the document's own front matter and honours the markup Quarto reads."""
import datetime as dt
import subprocess

import pytest
import yaml

from analysis.publish.accessibility import pdf_figures, pdf_ua_problems
from analysis.publish.pandoc_render import render
from analysis.publish.qmd import document_options, write_kit

BODY = """
## Arbete

![Sysselsättningsgrad, Ronneby](figurer/fig-x.png){#fig-x width=100% fig-alt="Linjediagram över sysselsättningsgrad: 59,2 % år 2024."}

| År | Ronneby – utrikes födda |
|:------|:--------|
| 2024 | 59,2 % |

: Uppgifterna i diagrammet {#tbl-x}
"""


@pytest.fixture()
def doc(root, tmp_path):
    """A report source in a folder with no _quarto.yml anywhere above it that matters: options are its own."""
    from PIL import Image

    (tmp_path / "figurer").mkdir()
    Image.new("RGB", (60, 30), "white").save(tmp_path / "figurer" / "fig-x.png")
    meta = {"title": "Integrationsuppföljning 2024: Ronneby", "date": dt.date(2026, 12, 1),
            **document_options(root, tmp_path)}
    write_kit(root, tmp_path)  # the headers the front matter includes, beside the document
    qmd = tmp_path / "rapport.qmd"
    qmd.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + BODY, encoding="utf-8")
    (tmp_path.parent / "_assets").mkdir(exist_ok=True)
    (tmp_path.parent / "_assets" / "plotly.min.js").write_text("/* plotly.js v0 stand-in – åäö */", encoding="utf-8")
    return qmd


def test_pdf_a4_sv_se_pdf_ua_with_alt_text_and_captions(doc):
    pdf = render(doc, "typst")
    assert pdf_ua_problems(pdf) == []  # includes /Lang == sv-SE
    assert pdf_figures(pdf) == ["Linjediagram över sysselsättningsgrad: 59,2 % år 2024."]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Figur 1: Sysselsättningsgrad, Ronneby" in text and "Tabell 1: Uppgifterna i diagrammet" in text
    assert "1 december 2026" in text and "Innehåll" in text


def test_html_self_contained_with_swedish_date_and_toc(doc):
    html = render(doc, "html").read_text(encoding="utf-8")
    assert 'lang="sv-SE"' in html and "1 december 2026" in html and "Innehåll" in html
    # the script's bytes are written between the page's halves: once, whole, in UTF-8 like the page around it
    assert html.count("<script>/* plotly.js v0 stand-in – åäö */</script>") == 1 and "_assets/" not in html
    assert "analysis: include-in-header" not in html


def test_typst_float_bug_compiles_again_without_floats(tmp_path):
    """typst 0.15.1's PDF/UA export stops on some layouts of floats ("internal error: parent group", seen on two
    county reports): the same document is compiled again with `floats: nej`. Simulated here by a document that
    stops with that message while floats are on; any other error is still an error."""
    from analysis.errors import AnalysisError
    from analysis.present import brand
    from analysis.publish.pandoc_render import FLOAT_TAGGING_BUG, typst_pdf

    fonts = [str(d) for d in brand.font_dirs()]
    typ = tmp_path / "a.typ"
    typ.write_text('#if sys.inputs.at("floats", default: "ja") == "ja" { panic("' + FLOAT_TAGGING_BUG + '") }\n'
                   "Text.\n", encoding="utf-8")
    typst_pdf(typ, tmp_path / "a.pdf", tmp_path, fonts, [])
    assert (tmp_path / "a.pdf").stat().st_size > 0
    typ.write_text('#panic("något annat")\n', encoding="utf-8")
    with pytest.raises(AnalysisError, match="något annat"):
        typst_pdf(typ, tmp_path / "b.pdf", tmp_path, fonts, [])


def test_embedded_cell_read_as_nbformat_reads_it(tmp_path):
    """A notebook is read once per batch without nbformat's validation: sources and outputs stored as lists of
    lines (as nbformat and papermill write them) come back joined, as ``nbformat.read`` gives them."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from analysis.publish.pandoc_render import embed_outputs

    cell = new_code_cell("#| label: fokus\nx = 1\nx", outputs=[new_output(
        "display_data", data={"text/markdown": "**Rad ett**\n\nRad två\n", "text/plain": "x"})])
    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=[cell]), path)
    assert '"#| label: fokus\\n",' in path.read_text(encoding="utf-8")  # stored as lines
    md = embed_outputs(path, "fokus", "typst", tmp_path / "media", [0])
    assert "**Rad ett**\n\nRad två" in md


def test_a_notebook_just_written_is_embedded_from_memory_as_from_its_file(tmp_path):
    """render.py hands each executed notebook it writes to pandoc_render (remember): its embeds come from it, in
    the form it was written (text as lists of lines), equal to what reading the file gives."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from analysis.publish import pandoc_render
    from analysis.publish.localpaths import clean_notebook, write_notebook

    cell = new_code_cell("#| label: fokus\nx = 1\nx", outputs=[new_output(
        "display_data", data={"text/markdown": "**Rad ett**\n\nRad två\n", "text/html": "<p>ett</p>\n<p>två</p>",
                              "text/plain": "x"})])
    written = clean_notebook(new_notebook(cells=[cell]), tmp_path, tmp_path)
    path = tmp_path / "nb.ipynb"
    write_notebook(path, written)
    from_file = [pandoc_render.embed_outputs(path, "fokus", to, tmp_path / "m", [0], []) for to in ("typst", "html")]
    pandoc_render._NOTEBOOKS.clear()
    pandoc_render.remember(path, written)
    assert isinstance(written["cells"][0]["source"], list)  # as written: lines
    assert [pandoc_render.embed_outputs(path, "fokus", to, tmp_path / "m", [0], []) for to in ("typst", "html")] \
        == from_file
    # taken from memory, not from the file: the remembered notebook is what is embedded
    written["cells"][0]["outputs"][0]["data"]["text/markdown"] = ["i minnet"]
    assert pandoc_render.embed_outputs(path, "fokus", "typst", tmp_path / "m", [0]) == "i minnet"
    pandoc_render._NOTEBOOKS.clear()
