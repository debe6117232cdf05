"""Coverage: an indicator, area or year without rows is "uppgift saknas" with its reason and how to get it;
example rows stay the default län's demonstration; a new indicator needs only its catalogue entry and data."""

import json

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from analysis.present import report as present
from analysis.data.build import build_dataset
from analysis.domain.catalogue import load_catalogue
from analysis.cli import app
from analysis.config import load_config
from analysis.compute.coverage import demonstration_only, missing, missing_for_area
from analysis.domain.geography import load_geography
from analysis.compute.results import load_results, missing_indicators

BAS = {"sysselsattningsgrad", "arbetsloshet"}


def test_kommun_outside_the_default_lan_has_real_bas_and_says_what_is_missing(tidy, catalogue, geography):
    gone = {m.indicator: m for m in missing_for_area(catalogue, "2580", 2024, tidy, geography, "10")}
    assert not BAS & set(gone)  # Luleå has its real BAS figures
    assert set(gone) == set(catalogue.ids()) - BAS
    assert gone["ohalsotal"].geo_code == "0025"  # län-only indicator: Region Norrbotten
    assert gone["god_halsa"].geo_code == "2580"  # by kommun only for Dalarna (Region Dalarna's oversample)
    sfi = gone["sfi_minst_tva_kurser"]
    assert "inga uppgifter för Luleå 2024" in sfi.reason and "Blekinge län" in sfi.reason
    assert "`analysis fetch --county 25`" in sfi.how and "Kolada N18409" in sfi.how and "`analysis import" in sfi.how
    school = gone["behorighet_yrkesprogram"]
    assert "kan inte hämtas automatiskt från Skolverket" in school.how and "`analysis import" in school.how
    assert "fetch" not in school.how


def test_default_lan_misses_only_what_no_source_gives_it(tidy, catalogue, geography):
    """Blekinge's demonstration: example values where a source exists; health by birth region has real figures
    only for Dalarna and riket, ohälsotal by birth region none: both said plainly, never invented."""
    gone = {m.indicator: m for m in missing_for_area(catalogue, "1081", 2024, tidy, geography, "10")}
    assert set(gone) == {"god_halsa", "ohalsotal"}
    assert "kan inte hämtas automatiskt från Folkhälsomyndigheten" in gone["god_halsa"].how


def test_a_survey_year_before_the_report_year_is_shown_not_missing(tidy, catalogue, geography):
    assert missing(catalogue.get("god_halsa"), "2080", 2024, tidy, geography, "10") is None  # latest: 2021
    assert missing(catalogue.get("valdeltagande_kf"), "1081", 2024, tidy, geography, "10") is None  # 2022 election
    early = missing(catalogue.get("god_halsa"), "2080", 2013, tidy, geography, "10")
    assert early is not None and "2014–2021" in early.reason


def test_year_before_the_series_starts(tidy, catalogue, geography):
    m = missing(catalogue.get("sysselsattningsgrad"), "1083", 2019, tidy, geography, "10")
    assert "serien börjar 2020" in m.reason and "från och med 2020" in m.how


def test_example_rows_are_only_the_default_lans_demonstration(tidy, geography):
    lulea = demonstration_only(tidy, geography, "25")
    assert not lulea["example"].any()  # riket's example rows were made for Blekinge's demonstration
    assert len(lulea) == (~tidy["example"]).sum()
    assert demonstration_only(tidy, geography, "10").equals(tidy)


@pytest.mark.slow
def test_a_missing_indicator_renders_as_uppgift_saknas(monkeypatch):
    shown = []
    monkeypatch.setattr(present, "show_markdown", shown.append)
    monkeypatch.setattr(present, "show_figure", lambda *a, **k: pytest.fail("no chart without data"))
    monkeypatch.setattr(present, "show_table", lambda *a, **k: pytest.fail("no table without data"))
    report = present.Report("1083", 2019, static_images=False)
    report.indicator("sysselsattningsgrad")
    text = "\n".join(shown)
    assert "**Uppgift saknas.** Serien börjar 2020" in text and ".callout-note" in text


NEW_INDICATOR = {
    "id": "arbetsloshet_totalt",
    "title": "Arbetslöshet 20–64 år, hela befolkningen (BAS)",
    "short_title": "Arbetslöshet, alla",
    "focus_area": "arbete",
    "goal": "Minska skillnaden i arbetslöshet bland utrikes- och inrikes födda.",
    "definition": "Andel av arbetskraften 20–64 år som är arbetslös enligt BAS, hela befolkningen.",
    "unit": "procent", "decimals": 1, "direction": "lower_is_better", "comparison": "regional",
    "population": "Arbetskraften 20–64 år", "age_band": "20-64",
    "groups": {"total": {"label": "arbetskraften 20–64 år", "series": "bas_arbl_tot"}},
    "source": {"producer": "SCB", "statistic": "Befolkningens arbetsmarknadsstatus (BAS), AM0210"},
    "levels": ["lan", "riket"], "sex_split": False, "min_change": 1.0,
}


@pytest.fixture()
def with_new_indicator(project):
    """The project copy with one more indicator in the catalogue: no example profile, no code."""
    raw = yaml.safe_load(project.catalogue_path.read_text(encoding="utf-8"))
    raw["indicators"].append(NEW_INDICATOR)
    project.catalogue_path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    load_catalogue.cache_clear()
    load_geography.cache_clear()
    yield project
    load_catalogue.cache_clear()
    load_geography.cache_clear()


@pytest.mark.slow
def test_new_indicator_is_a_catalogue_entry_plus_its_data(with_new_indicator, tmp_path, monkeypatch):
    project = with_new_indicator
    built = build_dataset(project)  # no example profile: no example rows, no error
    assert "arbetsloshet_totalt" not in set(built.table["indicator"])
    rows = [("0010", 2022, 6.3), ("0000", 2022, 5.2), ("0010", 2021, 7.7), ("0000", 2021, 6.5)]
    src = tmp_path / "bas_arbl_lan.csv"
    pd.DataFrame([{"indicator": "arbetsloshet_totalt", "geo_code": c, "year": y, "sex": "T", "group": "total",
                   "age_band": "20-64", "value": v, "status": "", "source": "SCB, BAS (test)", "example": "false"}
                  for c, y, v in rows]).to_csv(src, index=False)
    monkeypatch.setenv("ANALYSIS_ROOT", str(project.root))
    load_config.cache_clear()
    r = CliRunner().invoke(app, ["import", str(src), "--producer", "SCB"])
    assert r.exit_code == 0, r.output
    results = load_results(year=2022, county="10", config=project)
    report = present.Report("1081", 2022, static_images=False, results=results)
    ind = report.catalogue.get("arbetsloshet_totalt")
    assert report.missing(ind) is None and report.shown_code(ind) == "0010"
    assert "Blekinge län 6,3\u00a0%" in report.headline(ind) and "Riket 5,2\u00a0%" in report.headline(ind)
    r = CliRunner().invoke(app, ["gaps", "-m", "1081", "--year", "2022", "--sex", "T", "--format", "json"])
    assert r.exit_code == 0, r.output
    shown = [x for x in json.loads(r.output) if x["indicator"] == "arbetsloshet_totalt"]
    assert [(x["geo_code"], x["value_subject"], x["value_reference"]) for x in shown] == [("0010", 6.3, 5.2)]
    later = present.Report("1081", 2024, static_images=False, results=load_results(year=2024, config=project))
    assert "uppgifter för Blekinge län 2021–2022, men inte för 2024" in later.missing(ind).reason


@pytest.mark.slow
def test_kalmar_report_shows_its_real_figures_and_says_how_to_get_the_rest(monkeypatch):
    shown = []
    monkeypatch.setattr(present, "show_markdown", shown.append)
    monkeypatch.setattr(present, "show_figure", lambda *a, **k: None)
    monkeypatch.setattr(present, "show_table", lambda *a, **k: None)
    kalmar = present.Report("0880", 2024, static_images=False)  # Kalmar län, outside the default län
    assert "utrikes födda 68,8\u00a0%, inrikes födda 84,5\u00a0%" in kalmar.headline(kalmar.catalogue.get(
        "sysselsattningsgrad"))
    assert not kalmar.results.tidy["example"].any()
    kalmar.indicator("sfi_minst_tva_kurser")
    text = "\n".join(shown)
    assert "**Uppgift saknas.** Datamängden har inga uppgifter för Kalmar 2024" in text
    assert "`analysis fetch --county 08`" in text and "`analysis import FIL" in text


@pytest.mark.slow
def test_gaps_cli_lists_each_missing_indicator_with_how_to_get_it(catalogue):
    r = CliRunner().invoke(app, ["gaps", "--municipality", "0880", "--year", "2024"])
    assert r.exit_code == 0, r.output
    flat = " ".join(r.output.split())
    assert "−15,7 pe (sämre)" in flat  # Kalmar's real employment gap (utrikes − inrikes)
    assert f"Uppgift saknas för {len(catalogue) - len(BAS)} indikator(er):" in flat
    assert ("Ohälsotal 20–64 år efter födelseregion (Kalmar län 2024): datamängden har inga uppgifter för "
            "Kalmar län 2024. Uppgifterna kan inte hämtas automatiskt") in flat  # no example values anywhere
    assert "`analysis fetch --county 08`" in flat and "EXEMPEL" not in flat


@pytest.mark.slow
def test_a_year_without_any_rows_is_uppgift_saknas_in_reports_and_an_error_in_gaps(catalogue):
    """The reports (and their notebooks) say "uppgift saknas" and why for every indicator; `analysis gaps`,
    which has nothing to compare, says so in one line and exits with the user-error code (issue 22)."""
    results = load_results(year=2013, county="10")
    assert not (results.tidy["year"] == 2013).any()
    gone = missing_indicators(results, "1083")
    assert len(gone) == len(catalogue)
    reasons = " ".join(m.reason for m in gone)
    assert "serien börjar 2020, så det finns inga uppgifter för 2013" in reasons
    assert "det finns bara exempelvärden för Sölvesborg 2019–2024, men inte för 2013" in reasons
    r = CliRunner().invoke(app, ["gaps", "--municipality", "1083", "--year", "2013"])
    assert r.exit_code == 2, r.output
    span = f"{results.tidy['year'].min()}–{results.tidy['year'].max()}"  # the years the data file holds
    assert f"inga uppgifter för 2013 för Sölvesborg (1083), länet eller riket (data finns för {span})" in r.output
