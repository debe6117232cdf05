import copy

import pytest
import yaml

from analysis.domain.catalogue import CATALOGUE_FILE, SCHEMA_FILE, catalogue_problems, parse_catalogue
from analysis.errors import AnalysisError


@pytest.fixture(scope="module")
def raw(root):
    return yaml.safe_load((root / CATALOGUE_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schema(root):
    return yaml.safe_load((root / SCHEMA_FILE).read_text(encoding="utf-8"))


def test_catalogue_is_valid(raw, schema):
    assert catalogue_problems(raw, schema) == []


def test_every_focus_area_has_an_indicator(catalogue):
    for area in ("arbete", "utbildning", "sprak", "halsa"):
        assert len(catalogue.in_focus_area(area)) >= 1, area


def test_required_indicators_and_sources(catalogue):
    syss = catalogue.get("sysselsattningsgrad")
    assert syss.source["kolada"] == ["N02268", "N02269"] and syss.higher_is_better and syss.is_native
    arbl = catalogue.get("arbetsloshet")
    assert arbl.source["kolada"] == ["N02282", "N02281"] and not arbl.higher_is_better
    assert catalogue.get("ohalsotal").unit == "dagar" and catalogue.get("ohalsotal").diff_unit == "dagar"
    sfi = catalogue.get("sfi_minst_tva_kurser")
    assert sfi.comparison == "regional" and "total" in sfi.groups
    health = catalogue.get("god_halsa")
    assert health.survey and health.birth_regions == ["utrikes_norden", "utrikes_europa", "utrikes_varlden"]
    assert "utrikes" not in health.groups  # the source has no pooled group
    assert syss.diff_unit == "procentenheter"


def test_attribution_never_cites_kolada(catalogue):
    for ind in catalogue:
        assert "egen bearbetning" in ind.attribution
        assert "Kolada" not in ind.attribution


def test_schema_reports_every_problem(raw, schema):
    broken = copy.deepcopy(raw)
    broken["indicators"][0]["unit"] = "promille"
    broken["indicators"][1]["direction"] = "up"
    del broken["indicators"][2]["goal"]
    problems = catalogue_problems(broken, schema)
    assert len(problems) == 3
    assert any("promille" in p for p in problems)
    assert any("'up'" in p for p in problems)
    assert any("'goal' is a required property" in p for p in problems)


def test_native_indicator_needs_both_groups(raw, schema):
    broken = copy.deepcopy(raw)
    del broken["indicators"][0]["groups"]["inrikes"]
    assert any("inrikes" in p for p in catalogue_problems(broken, schema))


def test_cross_checks(raw, schema):
    broken = copy.deepcopy(raw)
    broken["indicators"][1]["id"] = broken["indicators"][0]["id"]
    broken["indicators"][2]["focus_area"] = "bostad"
    problems = catalogue_problems(broken, schema)
    assert any("duplicate id" in p for p in problems)
    assert any("'bostad'" in p for p in problems)
    with pytest.raises(AnalysisError, match="problem"):
        parse_catalogue(broken, schema)


def test_valdeltagande_is_fetched_from_kolada_like_the_others(catalogue):
    from analysis.data.sources.kolada import series_map

    ind = catalogue.get("valdeltagande_kf")
    assert ind.focus_area == "social_sammanhallning" and ind.producer == "SCB"
    assert ind.levels == ("kommun", "lan", "riket") and ind.election_years  # län/riket from SCB TAB4268/TAB4255
    assert series_map(catalogue)["U65861"] == ("valdeltagande_kf", "utrikes")
    assert series_map(catalogue)["U65860"] == ("valdeltagande_kf", "inrikes")


def test_a_native_indicator_needs_utrikes_or_born_abroad_groups_not_both(raw, schema):
    broken = copy.deepcopy(raw)
    health = next(i for i in broken["indicators"] if i["id"] == "god_halsa")
    health["groups"]["utrikes"] = {"label": "utrikes födda", "series": "x"}
    assert any("either utrikes or the born-abroad groups" in p for p in catalogue_problems(broken, schema))
    for g in ("utrikes", "utrikes_norden", "utrikes_europa", "utrikes_varlden"):
        del health["groups"][g]
    assert any("needs the group utrikes or born-abroad groups" in p for p in catalogue_problems(broken, schema))


def test_election_year_indicators_are_measured_every_fourth_year(catalogue):
    vote = catalogue.get("valdeltagande_kf")
    assert [y for y in range(2015, 2027) if vote.measured_in(y)] == [2018, 2022, 2026]
    assert all(catalogue.get("arbetsloshet").measured_in(y) for y in range(2015, 2027))
