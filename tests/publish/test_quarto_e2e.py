"""Real Quarto renders Ronneby's report as the pandoc+Typst path does (runs only when `quarto` is on PATH).

Quarto cannot be installed from the package registries; it was verified with Quarto 1.10.18 built from its
public source (issue 21). Without `quarto` on PATH this test is skipped.
"""
import dataclasses
import re
import shutil
import subprocess

import pytest

from analysis.publish.accessibility import pdf_figures, pdf_ua_problems
from analysis.publish.pdfcheck import overlaps
from analysis.publish.render import plan, prepare_assets, run_job

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is not on PATH")]


def _report(config, renderer):
    [job] = plan(["1081"], None, 2024, ("html", "pdf"), config=config, renderer=renderer)
    assert job.renderer == {"quarto": "quarto", "pandoc": "pandoc+typst"}[renderer]
    prepare_assets(config.output_path, 2024)
    result = run_job(job)
    assert result.ok, result.error
    return job.final_dir


def _pages(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def _page_text(pdf, page):
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return re.sub(r"Sida \d+ av \d+", "Sida", text)  # the footer's page count may differ


def _tables(pdf):
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return {int(n) for n in re.findall(r"Tabell (\d+):", text)}


def test_quarto_gives_the_report_of_the_pandoc_path(config, tmp_path_factory):
    root_quarto_before = (config.root / ".quarto").exists()
    quarto = _report(dataclasses.replace(config, output_dir=tmp_path_factory.mktemp("quarto")), "quarto")
    pandoc = _report(dataclasses.replace(config, output_dir=tmp_path_factory.mktemp("pandoc")), "pandoc")

    q_pdf, p_pdf = quarto / "rapport.pdf", pandoc / "rapport.pdf"
    # one cover and one contents: Quarto adds no title page or TOC. The pages break a little differently (charts
    # float; Quarto boxes each image), so the count may differ by one page (17 and 16 for Ronneby, 2026-12-05)
    assert abs(_pages(q_pdf) - _pages(p_pdf)) <= 1
    assert _page_text(q_pdf, 1) == _page_text(p_pdf, 1)  # the same cover
    contents = [len(re.findall(r"^Innehåll$", _page_text(pdf, 2), re.M)) for pdf in (q_pdf, p_pdf)]
    assert contents == [1, 1]  # one table of contents, on page 2
    assert pdf_ua_problems(q_pdf) == []
    alts = pdf_figures(q_pdf)
    assert len(alts) == len(pdf_figures(p_pdf)) >= 8 and all(a.strip() for a in alts)
    assert _tables(q_pdf) == _tables(p_pdf) and len(_tables(q_pdf)) >= 10  # every table captioned and numbered
    assert overlaps(q_pdf) == []  # fonts found (font-paths), no word over the next column
    fonts = subprocess.run(["pdffonts", str(q_pdf)], capture_output=True, text=True, check=False).stdout
    assert "SourceSansPro" in fonts

    html = (quarto / "rapport.html").read_text(encoding="utf-8")
    assert 'lang="sv-SE"' in html and "Plotly.newPlot" in html
    assert not re.findall(r'<script[^>]+src="https?:', html)  # no CDN script
    assert "Innehåll" in html

    left = [p.name for p in quarto.rglob("*") if p.name == ".quarto" or p.name.endswith(("_files", ".out.ipynb"))]
    assert left == []
    assert (config.root / ".quarto").exists() == root_quarto_before  # nothing at the repository root


def test_real_quarto_renders_again_with_figures_in_place(tmp_path):
    """Typst 0.15.1's PDF/UA bug on floating figures, simulated in the header (as in test_pandoc_render): real
    Quarto fails with its message while figures float, and the report is rendered again with them in place."""
    from analysis.present import brand
    from analysis.publish.pandoc_render import FLOAT_TAGGING_BUG
    from analysis.publish.qmd import HEADER
    from analysis.publish.quarto_render import render

    header = tmp_path / HEADER["typst"]
    header.parent.mkdir(parents=True)
    header.write_text(f'{brand.FLOATS_ON}\n#if sys.inputs.at("floats", default: floats-default) == "ja" '
                      f'{{ panic("{FLOAT_TAGGING_BUG}") }}\n', encoding="utf-8")
    qmd = tmp_path / "rapport.qmd"
    qmd.write_text(f"---\nformat:\n  typst:\n    include-in-header:\n      - file: {HEADER['typst']}\n---\n\nText.\n",
                   encoding="utf-8")
    pdf = render(qmd, "typst")
    assert pdf.stat().st_size > 0 and brand.FLOATS_OFF in header.read_text(encoding="utf-8")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Text." in text
