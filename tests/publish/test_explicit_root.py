"""A report is built from its job's project folder, passed explicitly: ANALYSIS_ROOT is only a user's override
for a command run outside the project, and nothing of a render depends on it or on the working folder."""
import dataclasses

import pytest

from analysis.present import model as m


@pytest.mark.e2e
def test_a_county_report_is_built_with_a_wrong_override_and_from_another_folder(config, tmp_path, monkeypatch):
    from analysis.publish.render import plan, prepare_assets, run_job

    out = dataclasses.replace(config, output_dir=tmp_path / "rapporter")
    (job,) = [j for j in plan([], "10", 2024, ("html", "pdf"), config=out) if j.kind == "lan"]
    prepare_assets(out.output_path, 2024)
    elsewhere = tmp_path / "annanstans"
    elsewhere.mkdir()
    # any implicit look-up of the project in this process now fails (no analysis.yml there), and so would one
    # in a kernel that inherited the variable; the working folder holds no project either
    monkeypatch.setenv("ANALYSIS_ROOT", str(elsewhere))
    monkeypatch.chdir(elsewhere)
    result = run_job(job)
    assert result.ok, result.error
    folder = job.final_dir
    assert {"rapport.html", "rapport.pdf", "arsredovisning.docx", "arsredovisning.txt"} <= {p.name for p in folder.iterdir()}
    model = m.read(folder)
    [doc] = model.documents  # the årsredovisning, composed in present, written by publish from the model
    assert doc.markdown.startswith("# Text till årsredovisningen 2024") and doc.files["text"] == "arsredovisning.txt"
    assert "Om texten" in (folder / "arsredovisning.txt").read_text(encoding="utf-8")
    images = [f.image for f in model.parts(m.Figure) if f.image]
    assert images and all((folder / i).is_file() for i in images)  # every chart file the PDF needed
