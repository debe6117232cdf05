"""The handlingsplan in the reports (analysis.present.handlingsplan, through Report and CountyReport).

The last two tests are the county report's further focus areas (beside the plan in the county report)."""

import pandas as pd
import pytest

from handlingsplan_files import GOOD, fill, make_template

from analysis.data.handlingsplan import import_plan, load_plan


@pytest.fixture()
def template(root, catalogue, tmp_path):
    return make_template(root, catalogue, tmp_path / "mall.xlsx")


@pytest.fixture()
def shown(monkeypatch):
    import analysis.present.display as display

    bundles = []
    monkeypatch.setattr(display, "_display", lambda bundle, metadata=None: bundles.append(bundle))
    return bundles


@pytest.mark.slow
def test_county_section_counts_by_status_per_goal(shown):
    from analysis.present.county_report import CountyReport
    from analysis.present.report import show

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
    from analysis.present.county_report import CountyReport
    from analysis.present.report import show

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
    from analysis.present.county_report import CountyReport
    from analysis.present.report import show

    show(CountyReport("08", 2024, static_images=False).action_plan())
    assert "analysis handlingsplan mall --county 08" in shown[0]["text/markdown"]
    assert "Kalmar län" in shown[0]["text/markdown"]


@pytest.mark.slow
def test_activity_tables_get_pdf_column_widths(shown):
    from analysis.present.county_report import CountyReport
    from analysis.present.report import show
    from analysis.present.handlingsplan import ACTIVITY_WIDTHS

    show(CountyReport("10", 2024, static_images=False).action_plan())
    table = next(b["text/markdown"] for b in shown if b.get("text/markdown", "").startswith("| Aktivitet"))
    dashes = [len(c) - 1 for c in table.splitlines()[1].strip("|").split("|")]
    assert dashes == [round(100 * w / sum(ACTIVITY_WIDTHS)) for w in ACTIVITY_WIDTHS]


@pytest.mark.slow
def test_free_text_stays_literal_in_the_report(project, template, tmp_path, shown, monkeypatch):
    from analysis.present.county_report import CountyReport
    from analysis.present.report import show

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
def test_a_renamed_goal_costs_only_its_rows(project, template, tmp_path):
    import yaml

    from analysis.domain.strategy import load_strategy as strategies
    from analysis.present.county_report import CountyReport

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


@pytest.mark.slow
def test_a_long_plan_is_cut_in_the_report_and_whole_in_the_download(project, template, tmp_path):
    from analysis.compute.results import load_results
    from analysis.present.display import Download, Table
    from analysis.present.county_report import CountyReport

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


@pytest.mark.slow
def test_kalmar_social_sammanhallning_says_how_to_get_valdeltagande(shown):
    from analysis.present.county_report import CountyReport
    from analysis.present.report import show

    show(CountyReport("08", 2024, static_images=False).more_focus_areas(["arbete", "utbildning", "sprak", "halsa"]))
    md = "\n".join(b.get("text/markdown", "") for b in shown)
    assert "## Social sammanhållning" in md and "### Valdeltagande i kommunfullmäktigevalet" in md
    assert "Uppgift saknas" in md and "analysis fetch --county 08" in md and "U65861, U65860" in md
    assert "\u00a0%" not in md  # no figure shown: none exists offline, none is invented


def test_blekinge_has_no_extra_focus_areas(shown):
    from analysis.present.county_report import CountyReport
    from analysis.present.report import show

    show(CountyReport("10", 2024, static_images=False).more_focus_areas(["arbete", "utbildning", "sprak", "halsa"]))
    assert [b["text/markdown"] for b in shown] == ["<!-- inga fler fokusområden i strategin -->"]
