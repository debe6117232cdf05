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
