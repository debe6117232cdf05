"""The handlingsplan's files (analysis.data.handlingsplan): template, reading, validation, import, loading."""

import openpyxl
import pandas as pd
import pytest

from handlingsplan_files import GOOD, fill, make_template, with_hidden_copy

from analysis.data.handlingsplan import import_plan, load_plan, load_plan_file, plan_dir
from analysis.data.provenance import load_snapshot
from analysis.domain.handlingsplan import goal_choice, load_spec
from analysis.domain.strategy import load_strategy
from analysis.errors import DataValidationError


@pytest.fixture()
def template(root, catalogue, tmp_path):
    return make_template(root, catalogue, tmp_path / "mall.xlsx")


def test_template_has_goal_and_status_lists_and_instructions(template, root):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["Instruktioner", "Handlingsplan", "Listor"]
    ws, lists = wb["Handlingsplan"], wb["Listor"]
    spec = load_spec(root)
    assert [c.value for c in ws[1]] == [c["label"] for c in spec.columns]
    goals = [lists.cell(row=i, column=1).value for i in range(2, 7)]
    assert goals == [goal_choice(g) for g in load_strategy("10", root).goals]
    assert [lists.cell(row=i, column=2).value for i in range(2, 6)] == ["genomförd", "pågår", "ej påbörjad", "inställd"]
    lists_by_range = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists_by_range["B2:B301"] == "Listor!$A$2:$A$6" and lists_by_range["E2:E301"] == "Listor!$B$2:$B$5"
    instructions = " ".join(str(c.value) for row in wb["Instruktioner"].iter_rows() for c in row if c.value)
    assert "analysis handlingsplan import" in instructions and "Samarbete mellan offentliga aktörer" in instructions


def test_filled_template_reads_back(template, root, catalogue, tmp_path):
    plan = load_plan_file(fill(template, tmp_path / "ok.xlsx", GOOD), load_strategy("10", root), catalogue)
    assert plan["goal"].tolist() == ["samarbete", "arbete"]
    assert plan["status"].tolist() == ["genomford", "pagar"]
    assert plan["year"].tolist() == [2024, 2024] and plan["line"].tolist() == [2, 3]


def test_every_problem_with_line_and_column(template, root, catalogue, tmp_path):
    bad = GOOD + [(2024, "6. Bostäder", "", "Ronneby kommun", "klar", "", "valdeltagande_riksdag"),
                  ("tjugo", "1", "Språkcafé", "Ronneby kommun", "pågår", "", None),
                  (2031, "1", "Språkcafé", "", "pågår", "", None)]
    with pytest.raises(DataValidationError) as err:
        load_plan_file(fill(template, tmp_path / "bad.xlsx", bad), load_strategy("10", root), catalogue)
    problems = err.value.problems
    assert problems[0].startswith("rad 4, kolumn B (Strategiskt mål): '6. Bostäder' är inte ett mål")
    assert "rad 4, kolumn C (Aktivitet): uppgift saknas (obligatorisk)" in problems
    assert any(p.startswith("rad 4, kolumn E (Status): 'klar' är inte en giltig status") for p in problems)
    assert any(p.startswith("rad 4, kolumn G (Indikator): 'valdeltagande_riksdag'") for p in problems)
    assert any(p.startswith("rad 5, kolumn A (År): 'tjugo' är inte ett år") for p in problems)
    assert "rad 6, kolumn A (År): 2031 ligger utanför strategins period 2023–2026" in problems
    assert "rad 6, kolumn D (Ansvariga organisationer): uppgift saknas (obligatorisk)" in problems
    assert len(problems) == 7


def test_missing_column_is_named(root, catalogue, tmp_path):
    path = tmp_path / "plan.csv"
    pd.DataFrame({"År": [2024], "Strategiskt mål": ["1"], "Aktivitet": ["x"]}).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match='kolumnen "Ansvariga organisationer" saknas'):
        load_plan_file(path, load_strategy("10", root), catalogue)


def test_import_keeps_provenance_and_wins_over_the_example(project, template, tmp_path):
    example = load_plan("10", 2024, project)
    assert example.example and len(example.rows) > 3
    rep = import_plan(fill(template, tmp_path / "plan.xlsx", GOOD), "10", producer="Beredningsgruppen", config=project)
    assert rep.snapshot.parent == plan_dir(project, "10") and rep.rows == 2 and rep.years == [2024]
    snap = load_snapshot(rep.snapshot)
    assert snap.meta["producer"] == "Beredningsgruppen" and snap.meta["example"] is False
    plan = load_plan("10", 2024, project)
    assert not plan.example and plan.rows["activity"].tolist() == ["Gemensam lägesbild", "Arbetsgivarträff"]
    assert load_plan("10", 2023, project) is None


def test_invalid_import_keeps_nothing(project, template, tmp_path):
    before = sorted(plan_dir(project, "10").iterdir())
    with pytest.raises(DataValidationError):
        import_plan(fill(template, tmp_path / "bad.xlsx", [(2024, "9", "x", "y", "klar", "", None)]), "10",
                    config=project)
    assert sorted(plan_dir(project, "10").iterdir()) == before


@pytest.mark.slow
def test_cli_template_check_and_import(project, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from analysis.cli import app

    monkeypatch.setenv("ANALYSIS_ROOT", str(project.root))
    runner = CliRunner()
    out = tmp_path / "mall.xlsx"
    r = runner.invoke(app, ["handlingsplan", "mall", "--county", "10", "--output", str(out)])
    assert r.exit_code == 0 and out.is_file(), r.output
    bad = fill(out, tmp_path / "bad.xlsx", GOOD + [(2024, "6. Bostäder", "", "Ronneby kommun", "klar", "", None)])
    r = runner.invoke(app, ["handlingsplan", "import", str(bad), "--county", "10"])
    assert r.exit_code != 0 and "Traceback" not in r.output
    assert "rad 4, kolumn E (Status): 'klar' är inte en giltig status" in r.output
    good = fill(out, tmp_path / "good.xlsx", GOOD)
    r = runner.invoke(app, ["handlingsplan", "kontrollera", str(good), "--county", "10"])
    assert r.exit_code == 0 and "2 aktiviteter" in r.output, r.output
    monkeypatch.chdir(tmp_path)  # paths under the working folder are shown relative to it
    r = runner.invoke(app, ["handlingsplan", "import", str(good), "--county", "10", "--producer", "Beredningsgruppen"])
    assert r.exit_code == 0 and "2 aktiviteter för 2024" in r.output, r.output
    assert "Inläst good.xlsx" in r.output and str(tmp_path) not in r.output.replace("\n", ""), r.output
    assert "Rapporterna för 2024 visar planen" in r.output and "ingen rapport kan byggas" not in r.output
    assert not load_plan("10", 2024, project).example
    later = fill(out, tmp_path / "later.xlsx", [(2026, *GOOD[0][1:])])
    r = runner.invoke(app, ["handlingsplan", "import", str(later), "--county", "10"])
    assert r.exit_code == 0, r.output
    assert "visar planen" not in r.output and "ingen rapport kan byggas för det året ännu" in r.output, r.output


def test_the_visible_sheet_is_read_and_a_hidden_one_reported(template, root, catalogue, tmp_path):
    hidden = [(2024, "3", "Dold aktivitet", "Ronneby kommun", "pågår", "", None)]
    strategy = load_strategy("10", root)
    for rename in (None, "Handlingsplan (2)"):
        path = with_hidden_copy(template, tmp_path / f"p{bool(rename)}.xlsx", GOOD, hidden, rename)
        plan = load_plan_file(path, strategy, catalogue)
        assert plan["activity"].tolist() == ["Gemensam lägesbild", "Arbetsgivarträff"]
        assert any("är dold och lästes inte" in n for n in plan.attrs["notes"]), plan.attrs
        chosen = load_plan_file(path, strategy, catalogue, sheet="Handlingsplan" if rename else "Gammal plan")
        assert chosen["activity"].tolist() == ["Dold aktivitet"]  # --sheet chooses, hidden or not


def test_only_a_hidden_plan_sheet_is_an_error_that_says_so(template, root, catalogue, tmp_path):
    path = fill(template, tmp_path / "h.xlsx", GOOD)
    wb = openpyxl.load_workbook(path)
    wb["Handlingsplan"].sheet_state = "hidden"
    wb.save(path)
    with pytest.raises(Exception, match="dold flik"):
        load_plan_file(path, load_strategy("10", root), catalogue)


def test_import_keeps_the_sheet_it_read(project, template, tmp_path):
    hidden = [(2024, "3", "Dold aktivitet", "Ronneby kommun", "pågår", "", None)]
    path = with_hidden_copy(template, tmp_path / "p.xlsx", GOOD, hidden, "Handlingsplan (2)")
    rep = import_plan(path, "10", config=project)
    assert rep.notes and load_snapshot(rep.snapshot).meta["sheet"] == "Handlingsplan (2)"
    plan = load_plan("10", 2024, project)
    assert "Dold aktivitet" not in plan.rows["activity"].tolist() and len(plan.rows) == 2


def test_cli_sheet_option_and_hidden_note(project, template, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from analysis.cli import app

    monkeypatch.setenv("ANALYSIS_ROOT", str(project.root))
    hidden = [(2024, "3", "Dold aktivitet", "Ronneby kommun", "pågår", "", None)]
    path = with_hidden_copy(template, tmp_path / "p.xlsx", GOOD, hidden)
    r = CliRunner().invoke(app, ["handlingsplan", "kontrollera", str(path), "--county", "10"])
    assert r.exit_code == 0 and "2 aktiviteter" in r.output and "'Gammal plan' är dold" in r.output, r.output
    r = CliRunner().invoke(app, ["handlingsplan", "kontrollera", str(path), "--county", "10", "--sheet", "Gammal plan"])
    assert r.exit_code == 0 and "1 aktiviteter" in r.output, r.output


def test_template_lists_indicator_names_and_reads_them_back(template, root, catalogue, tmp_path):
    lists = openpyxl.load_workbook(template)["Listor"]
    names = [lists.cell(row=i, column=3).value for i in range(2, 2 + len(list(catalogue)))]
    assert names == [i.title for i in catalogue] and "sysselsattningsgrad" not in names
    rows = [(*GOOD[1][:-1], "Sysselsättningsgrad 20–64 år"), (*GOOD[1][:-1], "arbetsloshet")]
    plan = load_plan_file(fill(template, tmp_path / "names.xlsx", rows), load_strategy("10", root), catalogue)
    assert plan["indicator"].tolist() == ["sysselsattningsgrad", "arbetsloshet"]
