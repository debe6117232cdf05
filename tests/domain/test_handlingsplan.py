import openpyxl
import pandas as pd
import pytest

from analysis.errors import DataValidationError
from analysis.domain.handlingsplan import (
    goal_choice,
    import_plan,
    load_plan,
    load_plan_file,
    load_spec,
    plan_dir,
    write_template,
)
from analysis.data.provenance import load_snapshot
from analysis.domain.strategy import load_strategy

GOOD = [
    (2024, "5. Samarbete mellan offentliga aktörer", "Gemensam lägesbild", "Länsstyrelsen Blekinge; Migrationsverket",
     "genomförd", "", None),
    (2024, "3", "Arbetsgivarträff", "Arbetsförmedlingen; Olofströms kommun", "Pågår", "Två av tre träffar",
     "sysselsattningsgrad"),
]


def fill(template, path, rows):
    wb = openpyxl.load_workbook(template)
    ws = wb["Handlingsplan"]
    for i, r in enumerate(rows, start=2):
        for j, v in enumerate(r, start=1):
            ws.cell(row=i, column=j, value=v)
    wb.save(path)
    return path


@pytest.fixture()
def template(root, catalogue, tmp_path):
    return write_template(load_strategy("10", root), catalogue, tmp_path / "mall.xlsx", load_spec(root))


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


def test_example_plan_counts_and_kommun_activities(config):
    plan = load_plan("10", 2024, config)
    assert plan.example and "Exempeldata" in plan.meta["producer"]
    counts = plan.counts("samarbete")
    assert sum(counts.values()) == len(plan.for_goal("samarbete")) > 0
    assert plan.status_summary("samarbete").startswith(f"{counts['genomford']} genomförda")
    karlshamn = plan.for_kommun("Karlshamn")
    names = " ".join(karlshamn["responsible"])
    assert "Karlshamns kommun" in names and "Länets kommuner" in names
    assert not plan.for_kommun("Karlshamn")["responsible"].str.contains("^Region Blekinge$").any()


@pytest.fixture()
def shown(monkeypatch):
    import analysis.present.display as display

    bundles = []
    monkeypatch.setattr(display, "_display", lambda bundle, metadata=None: bundles.append(bundle))
    return bundles


@pytest.mark.slow
def test_county_section_counts_by_status_per_goal(shown):
    from analysis.present.report import CountyReport, show

    r = CountyReport("10", 2024, static_images=False)
    show(r.action_plan())
    md = [b.get("text/markdown", "") for b in shown]
    assert any("Exempeldata:" in m and "påhittad" in m for m in md)  # flagged where it shows
    assert "### Mål 5. Samarbete mellan offentliga aktörer" in md
    counts = next(m for m in md if m.startswith("| Mål"))
    plan = r.plan
    row5 = next(line for line in counts.splitlines() if line.startswith("| 5.\u00a0Samarbete"))  # a goal number, not a list (display._raw)
    cells = [c.strip() for c in row5.strip("|").split("|")]
    assert cells[1:6] == [str(plan.counts("samarbete")[s]) for s in ("genomford", "pagar", "ej_paborjad", "installd")] + [
        str(len(plan.for_goal("samarbete")))]
    assert cells[6] == "Exempeldata"


@pytest.mark.slow
def test_goal_5_status_comes_from_the_plan(shown):
    from analysis.present.report import CountyReport, show

    r = CountyReport("10", 2024, static_images=False)
    show(r.status_overview())
    table = shown[0]["text/markdown"]
    row5 = next(line for line in table.splitlines() if line.startswith("| 5.\u00a0Samarbete"))  # a goal number, not a list (display._raw)
    assert f"Handlingsplan 2024: {r.plan.status_summary('samarbete')}" in row5 and "Exempeldata" in row5
    assert "utanför statistiken" not in table
    # goal 5 has no indicator: the strategy's own words say how it is followed up, once (not the general note too)
    words = r.results.strategy.goals[4].followed_up_outside_statistics
    notes = [b.get("text/markdown", "") for b in shown[1:]]
    assert words and sum("Mål 5, Samarbete" in n and "handlingsplanens aktiviteter" in n for n in notes) == 1, notes
    assert not any("Följs bara upp genom handlingsplanens aktiviteter" in n for n in notes)


@pytest.mark.slow
def test_kommun_report_lists_its_activities(shown):
    from analysis.present.report import Report, show

    show(Report("1082", 2024, static_images=False).kommun_activities())
    table = next(b["text/markdown"] for b in shown if b["text/markdown"].startswith("| Mål"))
    assert "Lokalt jobbspår inom industri och logistik" in table  # "Karlshamns kommun; Arbetsförmedlingen"
    assert "Studiehandledning på modersmål" in table  # "Länets kommuner"
    assert "Hälsoinformation på flera språk" not in table  # Region Blekinge; Statens servicecenter


def test_county_without_plan_says_how_to_make_one(shown):
    from analysis.present.report import CountyReport, show

    show(CountyReport("08", 2024, static_images=False).action_plan())
    assert "analysis handlingsplan mall --county 08" in shown[0]["text/markdown"]
    assert "Kalmar län" in shown[0]["text/markdown"]


@pytest.mark.slow
def test_activity_tables_get_pdf_column_widths(shown):
    from analysis.present.report import ACTIVITY_WIDTHS, CountyReport, show

    show(CountyReport("10", 2024, static_images=False).action_plan())
    table = next(b["text/markdown"] for b in shown if b.get("text/markdown", "").startswith("| Aktivitet"))
    dashes = [len(c) - 1 for c in table.splitlines()[1].strip("|").split("|")]
    assert dashes == [round(100 * w / sum(ACTIVITY_WIDTHS)) for w in ACTIVITY_WIDTHS]


@pytest.mark.slow
def test_kalmar_social_sammanhallning_says_how_to_get_valdeltagande(shown):
    from analysis.present.report import CountyReport, show

    show(CountyReport("08", 2024, static_images=False).more_focus_areas(["arbete", "utbildning", "sprak", "halsa"]))
    md = "\n".join(b.get("text/markdown", "") for b in shown)
    assert "## Social sammanhållning" in md and "### Valdeltagande i kommunfullmäktigevalet" in md
    assert "Uppgift saknas" in md and "analysis fetch --county 08" in md and "U65861, U65860" in md
    assert "\u00a0%" not in md  # no figure shown: none exists offline, none is invented


def test_blekinge_has_no_extra_focus_areas(shown):
    from analysis.present.report import CountyReport, show

    show(CountyReport("10", 2024, static_images=False).more_focus_areas(["arbete", "utbildning", "sprak", "halsa"]))
    assert [b["text/markdown"] for b in shown] == ["<!-- inga fler fokusområden i strategin -->"]


@pytest.mark.slow
def test_free_text_stays_literal_in_the_report(project, template, tmp_path, shown, monkeypatch):
    from analysis.present.report import CountyReport, show

    monkeypatch.setenv("ANALYSIS_ROOT", str(project.root))
    evil = "<img src=x onerror=alert(1)> | *fet* {{< pagebreak >}}"
    import_plan(fill(template, tmp_path / "p.xlsx", [(2024, "5", evil, "Länsstyrelsen Blekinge", "pågår", "`x`", None)]),
                "10", producer="**Ingen fetstil**", config=project)
    show(CountyReport("10", 2024, static_images=False, data_path=str(project.data_path)).action_plan())
    table = next(b for b in shown if b.get("text/markdown", "").startswith("| Aktivitet"))
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\> \\| \\*fet\\* \\{\\{\\< pagebreak \\>\\}\\}" in table["text/markdown"]
    assert "&lt;img src=x" in table["text/html"] and "<img" not in table["text/html"]
    assert any("\\*\\*Ingen fetstil\\*\\*" in b.get("text/markdown", "") for b in shown)


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


# -- sheets and stale goals (issue 22, points 6 and 8) ----------------------------------------------------


def _with_hidden_copy(template, path, visible_rows, hidden_rows, rename_visible=None):
    """The template filled with ``visible_rows``, plus a hidden sheet "Handlingsplan" holding ``hidden_rows``
    (the visible one renamed when ``rename_visible``), as a person who copied a sheet and hid the old one."""
    fill(template, path, visible_rows)
    wb = openpyxl.load_workbook(path)
    ws = wb["Handlingsplan"]
    copy = wb.copy_worksheet(ws)
    for row in copy.iter_rows(min_row=2):
        for c in row:
            c.value = None
    for i, r in enumerate(hidden_rows, start=2):
        for j, v in enumerate(r, start=1):
            copy.cell(row=i, column=j, value=v)
    if rename_visible:
        ws.title, copy.title = rename_visible, "Handlingsplan"
    else:
        copy.title = "Gammal plan"
    copy.sheet_state = "hidden"
    wb.save(path)
    return path


def test_the_visible_sheet_is_read_and_a_hidden_one_reported(template, root, catalogue, tmp_path):
    hidden = [(2024, "3", "Dold aktivitet", "Ronneby kommun", "pågår", "", None)]
    strategy = load_strategy("10", root)
    for rename in (None, "Handlingsplan (2)"):
        path = _with_hidden_copy(template, tmp_path / f"p{bool(rename)}.xlsx", GOOD, hidden, rename)
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
    path = _with_hidden_copy(template, tmp_path / "p.xlsx", GOOD, hidden, "Handlingsplan (2)")
    rep = import_plan(path, "10", config=project)
    assert rep.notes and load_snapshot(rep.snapshot).meta["sheet"] == "Handlingsplan (2)"
    plan = load_plan("10", 2024, project)
    assert "Dold aktivitet" not in plan.rows["activity"].tolist() and len(plan.rows) == 2


@pytest.mark.slow
def test_a_renamed_goal_costs_only_its_rows(project, template, tmp_path):
    import yaml

    from analysis.domain.strategy import load_strategy as strategies
    from analysis.present.report import CountyReport

    import_plan(fill(template, tmp_path / "p.xlsx", GOOD), "10", config=project)
    path = project.root / "data" / "strategies" / "blekinge.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["goals"][4]["title"] = "Samverkan"  # goal 5 renamed after the import
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    strategies.cache_clear()
    plan = load_plan("10", 2024, project)
    assert plan.rows["goal"].tolist() == ["arbete"]  # the goal-3 row ("3") still matches
    assert len(plan.stale) == 1 and "rad 2" in plan.stale[0] and "Samarbete mellan offentliga aktörer" in plan.stale[0]
    from analysis.compute.results import load_results

    report = CountyReport("10", 2024, static_images=False, results=load_results(2024, "10", config=project))
    text = "\n".join(p.markdown for p in report.action_plan() if hasattr(p, "markdown") and isinstance(p.markdown, str))
    assert "Några aktiviteter visas inte" in text and "rad 2" in text
    strategies.cache_clear()


def test_cli_sheet_option_and_hidden_note(project, template, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from analysis.cli import app

    monkeypatch.setenv("ANALYSIS_ROOT", str(project.root))
    hidden = [(2024, "3", "Dold aktivitet", "Ronneby kommun", "pågår", "", None)]
    path = _with_hidden_copy(template, tmp_path / "p.xlsx", GOOD, hidden)
    r = CliRunner().invoke(app, ["handlingsplan", "kontrollera", str(path), "--county", "10"])
    assert r.exit_code == 0 and "2 aktiviteter" in r.output and "'Gammal plan' är dold" in r.output, r.output
    r = CliRunner().invoke(app, ["handlingsplan", "kontrollera", str(path), "--county", "10", "--sheet", "Gammal plan"])
    assert r.exit_code == 0 and "1 aktiviteter" in r.output, r.output


@pytest.mark.slow
def test_a_long_plan_is_cut_in_the_report_and_whole_in_the_download(project, template, tmp_path):
    from analysis.compute.results import load_results
    from analysis.present.display import Download, Table
    from analysis.present.report import CountyReport

    n = 300
    rows = [(2024, "3", f"Aktivitet {i}", "Ronneby kommun", "pågår", "", None) for i in range(n)]
    import_plan(fill(template, tmp_path / "lang.xlsx", rows), "10", config=project)
    report = CountyReport("10", 2024, static_images=False, downloads_dir=str(tmp_path / "dl"),
                          results=load_results(2024, "10", config=project))
    parts = report.action_plan()
    tables = [p for p in parts if isinstance(p, Table) and "Aktivitet" in p.data.columns]
    assert len(tables) == 1 and len(tables[0].data) == 25
    assert any(f"25 första av {n} aktiviteter" in p.markdown for p in parts if isinstance(getattr(p, "markdown", None), str))
    assert isinstance(tables[0].links, Download)
    links = tables[0].links.links()
    csv = pd.read_csv(tmp_path / "dl" / links["csv"].split("/")[-1], sep=";", encoding="utf-8-sig")
    assert len(csv) == n


def test_template_lists_indicator_names_and_reads_them_back(template, root, catalogue, tmp_path):
    lists = openpyxl.load_workbook(template)["Listor"]
    names = [lists.cell(row=i, column=3).value for i in range(2, 2 + len(list(catalogue)))]
    assert names == [i.title for i in catalogue] and "sysselsattningsgrad" not in names
    rows = [(*GOOD[1][:-1], "Sysselsättningsgrad 20–64 år"), (*GOOD[1][:-1], "arbetsloshet")]
    plan = load_plan_file(fill(template, tmp_path / "names.xlsx", rows), load_strategy("10", root), catalogue)
    assert plan["indicator"].tolist() == ["sysselsattningsgrad", "arbetsloshet"]
