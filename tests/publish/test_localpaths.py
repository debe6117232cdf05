"""No absolute local path in a published report (analysis.publish.localpaths)."""
import json
import subprocess
import zipfile

import pytest

from analysis.publish.localpaths import clean_notebook, strip_local_paths, write_notebook


def _nb(path, params: dict, meta: dict) -> None:
    source = "".join(f'{k} = "{v}"\n' for k, v in params.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": source, "metadata": {}, "outputs": [
        {"output_type": "stream", "name": "stdout", "text": [f"läste {params['data_path']}\n"]}]}],
        "metadata": {"papermill": meta}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")


def test_paths_become_relative_to_the_report_or_the_project(tmp_path):
    root = tmp_path / "projekt"
    work = root / "reports" / "2024" / ".tmp-123-1081"
    outside = tmp_path / "hemma" / "mina-data.csv"
    nb = work / "notebooks" / "arbete.ipynb"
    _nb(nb, {"data_path": outside, "results_path": root / ".cache" / "results" / "abc",
             "downloads_dir": work / "data", "figures_dir": work / "figurer", "other": f"{root}-2/x"},
        {"input_path": str(root / "notebooks" / "fokusomrade.ipynb"), "output_path": str(nb),
         "parameters": {"data_path": str(outside), "root": str(root)}})
    assert strip_local_paths(work, root, outside) == [nb]
    text = nb.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["metadata"]["papermill"] == {"input_path": "notebooks/fokusomrade.ipynb",
                                            "output_path": "notebooks/arbete.ipynb",
                                            "parameters": {"data_path": "mina-data.csv", "root": "."}}
    assert data["cells"][0]["source"] == ('data_path = "mina-data.csv"\nresults_path = ".cache/results/abc"\n'
                                          f'downloads_dir = "data"\nfigures_dir = "figurer"\nother = "{root}-2/x"\n')
    assert data["cells"][0]["outputs"][0]["text"] == ["läste mina-data.csv\n"]
    assert strip_local_paths(work, root, outside) == []  # nothing left to do


def test_an_executed_notebook_is_cleaned_in_memory_and_written_once_as_nbformat_would(tmp_path):
    """The run's path: papermill's notebook cleaned in memory, written once; the file holds what nbformat writes
    of the cleaned notebook (compact JSON, not nbformat's indent), and the notebook papermill returned is
    unchanged."""
    import nbformat

    root = tmp_path / "projekt"
    work = root / "reports" / "2024" / ".tmp-1-1081"
    nb = nbformat.v4.new_notebook(metadata={"papermill": {"input_path": str(root / "notebooks" / "x.ipynb"),
                                                          "output_path": None}})
    nb.cells = [nbformat.v4.new_code_cell(f'figures_dir = "{work}/figurer"\nx = 1', outputs=[
        nbformat.v4.new_output("stream", text=f"skrev {work}/data/a.csv\nklart\n")])]
    before = json.dumps(nb, sort_keys=True)
    clean = clean_notebook(nb, work, root)
    assert json.dumps(nb, sort_keys=True) == before  # a copy
    path = write_notebook(tmp_path / "x.ipynb", clean) and tmp_path / "x.ipynb"
    text = path.read_text(encoding="utf-8")
    assert str(tmp_path) not in text
    nbformat.validate(nbformat.reads(text, as_version=4))
    assert json.loads(text) == json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))  # nbformat's content
    assert text.endswith("}\n") and "\n" not in text[:-1]  # compact: one line
    read = json.loads(text)
    assert read["cells"][0]["source"] == ['figures_dir = "figurer"\n', "x = 1"]  # split into lines as nbformat does
    assert read["cells"][0]["outputs"][0]["text"] == ["skrev data/a.csv\n", "klart\n"]
    assert read["metadata"]["papermill"]["input_path"] == "notebooks/x.ipynb"


def test_the_published_qmd_keeps_no_font_paths(tmp_path):
    """Reports written outside the project: the fonts' path climbs out through the machine's folders."""
    work = tmp_path / "ut" / ".tmp-1-1081"
    work.mkdir(parents=True)
    qmd = work / "rapport.qmd"
    qmd.write_text("---\nformat:\n  typst:\n    papersize: a4\n    font-paths:\n"
                   "    - ../../../home/anna/projekt/.venv/fonts\n    template-partials:\n    - mall/t.typ\n---\n\n"
                   "Text som nämner font-paths:\n    - inte front matter\n", encoding="utf-8")
    assert strip_local_paths(work, tmp_path / "projekt") == [qmd]
    text = qmd.read_text(encoding="utf-8")
    assert "home/anna" not in text and "    # font-paths: " in text
    assert "    template-partials:\n    - mall/t.typ\n---\n" in text
    assert text.endswith("Text som nämner font-paths:\n    - inte front matter\n")  # the body as it was
    assert strip_local_paths(work, tmp_path / "projekt") == []


@pytest.mark.e2e
def test_nothing_published_holds_the_projects_absolute_path(ronneby, root):
    folder = ronneby.job.final_dir
    needles = [str(root.resolve()), str(ronneby.job.out_root.resolve())]
    found = []
    for p in folder.rglob("*"):
        if not p.is_file():
            continue
        if p.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(p) as z:
                blobs = [z.read(n) for n in z.namelist()]
        elif p.suffix == ".pdf":
            blobs = [subprocess.run(["pdftotext", str(p), "-"], capture_output=True, check=True).stdout, p.read_bytes()]
        else:
            blobs = [p.read_bytes()]
        found += [str(p.relative_to(folder)) for b in blobs for n in needles if n.encode() in b]
    assert not found, sorted(set(found))
