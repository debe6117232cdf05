"""The year's index page names the reports that contain example data (no rendering needed)."""
import dataclasses
import json

from analysis.present import model
from analysis.publish.render import write_index


def test_index_marks_reports_with_example_data(config, tmp_path):
    cfg = dataclasses.replace(config, output_dir=tmp_path)
    for code, example in (("1081", True), ("1060", False)):
        d = tmp_path / "2024" / code
        (d / "data").mkdir(parents=True)
        (d / "rapport.html").write_text("x", encoding="utf-8")
        flags = model.Flags(example_data=example, real_data=not example)
        model.write(model.ReportModel("kommun", code, 2024, "t", "s", "p", flags), d)  # the flag is the model's
        (d / "data" / "t.json").write_text(json.dumps({"slug": "t", "example": True}), encoding="utf-8")  # ignored
    page = write_index(tmp_path, 2024, cfg).read_text(encoding="utf-8")
    items = [line for line in page.splitlines() if line.startswith("<li>")]  # the list of reports
    ronneby = next(line for line in items if "Ronneby" in line)
    olofstrom = next(line for line in items if "Olofström" in line)
    assert "EXEMPELDATA" in ronneby and "EXEMPELDATA" not in olofstrom


def test_sections_follow_the_strategy_goals(root, catalogue):
    from analysis.present.reportbuild import focus_sections
    from analysis.domain.strategy import load_strategy

    heads = [line for line in focus_sections("kommun", load_strategy("10"), catalogue, root).splitlines()
             if line.startswith("## ")]
    assert heads == ["## Svenska språket", "## Hälsa", "## Arbete", "## Utbildning"]  # Blekinge: goals 1–4
    lan = focus_sections("lan", load_strategy("08"), catalogue, root)
    assert lan.index("## Arbete") < lan.index("## Utbildning") < lan.index("## Svenska språket")  # Kalmar: 1, 2
