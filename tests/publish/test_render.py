"""End-to-end: execute the notebooks with papermill and render real reports (HTML and PDF)."""
import dataclasses
import re
import shutil
import subprocess

import nbformat

import pandas as pd
import pytest

from analysis.data.build import build_dataset
from analysis.data.contract import write_tidy
from analysis.publish.render import plan, prepare_assets, run_job

pytestmark = pytest.mark.e2e


def squash(text: str) -> str:
    """PDF text with hyphenation and line breaks undone, NBSP as space."""
    text = text.replace("\u00ad\n", "").replace("\u00ad", "").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text)


def test_html_report(ronneby):
    html = (ronneby.job.final_dir / "rapport.html").read_text(encoding="utf-8")
    assert 'lang="sv-SE"' in html
    assert "Integrationsuppföljning 2024: Ronneby" in html
    assert "24,4\u00a0procentenheter" in html  # the real 2024 employment gap, Swedish format
    assert "Exempeldata" in html  # marker where example data are used
    assert "Plotly.newPlot" in html
    # self-contained: plotly.js inlined exactly once, nothing loaded from elsewhere (works copied alone, offline)
    assert html.count("* plotly.js v") == 1 and "_assets/plotly.min.js" not in html
    assert not re.search(r'<script[^>]+src="(?!data:)', html) and not re.search(r'<link[^>]+href="http', html)


def test_pdf_report(ronneby):
    pdf = ronneby.job.final_dir / "rapport.pdf"
    text = squash(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    assert "Integrationsuppföljning 2024: Ronneby" in text
    assert "skillnad −24,4 procentenheter" in text  # one sign: utrikes − inrikes
    assert "Exempeldata" in text
    for word in ("Hälsa", "Svenska språket", "Måluppfyllelse", "Sysselsättningsgrad"):
        assert word in text
    media = list((ronneby.job.final_dir / "figurer").glob("fig-*.svg"))
    assert media, "static charts missing from the PDF"
    for path in media:  # drawn from the chart specs by analysis.present.svgchart, not by plotly.js in Chromium
        svg = path.read_text(encoding="utf-8")
        assert svg.startswith("<svg") and "<title>" in svg and 'class="main-svg"' not in svg, path.name


def test_generated_source_has_labelled_figures_and_tables(ronneby, tmp_path):
    """What Quarto reads for the PDF (text/markdown outputs): figures with fig-alt and labels, labelled tables."""
    from analysis.publish.pandoc_render import expand, split_front_matter

    folder = ronneby.job.final_dir
    front, body = split_front_matter((folder / "rapport.qmd").read_text(encoding="utf-8"))
    md = expand(body, folder, "typst", tmp_path / "media")
    figures = re.findall(r"!\[([^\]]*)\]\(([^)]+)\)\{([^}]*)\}", md)
    assert len(figures) >= 8 and not (tmp_path / "media").exists()  # every chart a markdown figure, none bare
    for caption, path, attrs in figures:
        assert caption and len(caption) < 120  # short visible caption
        assert re.search(r"#fig-[a-z0-9-]+", attrs) and re.search(r'fig-alt="[^"]{40,}"', attrs)
        assert (folder / path).is_file()
    separators = re.findall(r"^\|(?::-+\|)+$", md, re.M)
    captions = re.findall(r"^: .+ \{#tbl-[a-z0-9-]+\}$", md, re.M)
    assert separators and len(captions) == len(separators)
    labels = re.findall(r"\{#((?:fig|tbl)-[a-z0-9-]+)", md)
    assert len(labels) == len(set(labels))  # unique cross-reference labels
    assert "![" not in expand(body, folder, "html", tmp_path / "media")  # HTML takes the interactive charts


def test_the_published_report_carries_its_model_and_no_side_files(ronneby):
    """rapport-modell.json: every table and figure of the report with its download; no data/*.json."""
    from analysis.present import model as m

    folder = ronneby.job.final_dir
    built = m.read(folder)
    assert built.kind == "kommun" and built.code == "1081" and built.flags.example_data and built.flags.real_data
    assert not list((folder / "data").glob("*.json"))
    tables, figures = built.parts(m.Table), built.parts(m.Figure)
    assert len(tables) >= 8 and len(figures) >= 8 and len(built.parts(m.Headline)) >= 4
    assert all(f.spec and f.spec["kind"] in ("line", "bar", "strip") and len(f.alt) > 40 for f in figures)
    assert {d.slug for d in built.downloads} == {t.download for t in tables if t.download}
    for d in built.downloads:
        assert (folder / d.csv).is_file() and (folder / d.xlsx).is_file()
    assert (folder / built.workbook).is_file()
    qmd = (folder / "rapport.qmd").read_text(encoding="utf-8")
    for cell in built.parts(m.Cell):
        assert f"notebooks/{cell.notebook}.ipynb#{cell.cell}" in qmd
    html = (folder / "rapport.html").read_text(encoding="utf-8")
    assert all(f'id="{t.label}"' in html for t in tables)


def test_kalmar_kommun_with_leading_zero(config, out_config, tmp_path):
    """Test data for Kalmar län made here (generated example data), rendered for 0880 Kalmar."""
    data = tmp_path / "kalmar.csv"
    write_tidy(build_dataset(config, county="08").table, data)
    [job] = plan(["0880"], None, 2024, ("html",), data=data, config=out_config)
    assert job.code == "0880"
    prepare_assets(out_config.output_path, 2024)  # what a run does first (the test may run alone)
    result = run_job(job)
    assert result.ok, result.error
    html = (job.final_dir / "rapport.html").read_text(encoding="utf-8")
    assert "Integrationsuppföljning 2024: Kalmar" in html and "kommunkod 0880" in html
    assert "Kalmar län" in html and "Integrationsstrategi för Kalmar län" in html
    assert job.final_dir.name == "0880"


def test_failed_notebook_fails_only_its_report_and_keeps_old_output(config, out_config, tmp_path):
    [job] = plan(["1060"], None, 2024, ("html",), config=out_config)
    # A notebook that raises: the report fails, the earlier report stays, no temporary folder is left.
    root = tmp_path / "root"
    shutil.copytree(config.root / "notebooks", root / "notebooks")
    for name in ("data", "reports", "analysis.yml", "_quarto.yml", "_brand.yml"):
        src = config.root / name
        (root / name).symlink_to(src, target_is_directory=src.is_dir())
    nb = nbformat.read(root / "notebooks" / "sammanfattning.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise ValueError('trasig notebook')"))
    nbformat.write(nb, root / "notebooks" / "sammanfattning.ipynb")
    job = dataclasses.replace(job, root=root)
    job.final_dir.mkdir(parents=True, exist_ok=True)
    (job.final_dir / "rapport.html").write_text("previous good report", encoding="utf-8")
    result = run_job(job)
    assert not result.ok
    assert "sammanfattning.ipynb" in result.error and "trasig notebook" in result.error
    assert (job.final_dir / "rapport.html").read_text(encoding="utf-8") == "previous good report"
    assert not list(job.final_dir.parent.glob(".tmp-*"))


def test_missing_report_year_is_one_error_before_any_work(config, out_config, tmp_path):
    data = tmp_path / "old.csv"
    tidy = pd.read_csv(config.data_path, dtype=str, keep_default_na=False)
    tidy[tidy["year"] != "2024"].to_csv(data, index=False)  # the report year is missing
    fresh = dataclasses.replace(config, output_dir=tmp_path / "out")
    [job] = plan(["1060"], None, 2024, ("html",), data=data, config=fresh)
    result = run_job(job)
    assert not result.ok and "inga uppgifter för 2024" in result.error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["fokusomrade", "sammanfattning", "lan"])
def test_notebook_runs_with_defaults(root, tmp_path, name):
    import papermill as pm

    out = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(str(root / "notebooks" / f"{name}.ipynb"), str(out), parameters={"static_images": False},
                        kernel_name="python3", progress_bar=False, cwd=str(root))
    import nbformat

    nb = nbformat.read(out, as_version=4)
    labelled = [c for c in nb.cells if c.cell_type == "code" and "#| label:" in c.source]
    assert labelled and all(c.outputs for c in labelled)


def test_committed_notebooks_have_no_outputs(root):
    import nbformat

    for path in (root / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1
        # literals only in the parameters cell
        for line in params[0].source.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                assert re.match(r'^\w+ = ("[^"]*"|\d+|True|False)\s*(#.*)?$', line), line
