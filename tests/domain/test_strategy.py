import pytest

from analysis.errors import AnalysisError
from analysis.domain.strategy import load_strategy


def test_blekinge_goals(root, catalogue):
    s = load_strategy("10", root)
    assert [g.id for g in s.goals] == ["sprak", "halsa", "arbete", "utbildning", "samarbete"]
    assert s.baseline_year == 2022
    arbete = s.goal_for("arbete")
    assert arbete.goal == "Minska skillnaden i arbetslöshet bland utrikes- och inrikes födda."
    assert {i.id for i in arbete.indicators(catalogue)} == {"sysselsattningsgrad", "arbetsloshet"}
    samarbete = s.goals[4]
    assert samarbete.focus_areas == () and samarbete.followed_up_outside_statistics


def test_kalmar_five_areas(root, catalogue):
    s = load_strategy("08", root)
    assert len(s.goals) == 5
    assert s.goal_for("sprak").id == s.goal_for("utbildning").id == "utbildning_sprak"
    assert "inrikes födda" in s.purpose


def test_county_without_file_gets_the_national_default(root, catalogue):
    s = load_strategy("25", root)  # Norrbotten has no strategy file
    assert s.default and s.county == "25"
    assert "regeringens mål för integrationspolitiken" in s.name
    assert "ingen egen regional integrationsstrategi" in s.note
    assert {a for g in s.goals for a in g.focus_areas} == {"arbete", "utbildning", "sprak", "halsa"}
    assert not load_strategy("10", root).default


def test_national_default_publisher_goal_and_source(root, catalogue):
    from pathlib import Path

    from analysis import yamlio

    s = load_strategy("25", root)
    assert s.publisher == "Länsstyrelsen i Norrbottens län"  # analysis.yml: organisation: null
    assert len(s.goals) == 1 and not s.numbered_goals  # the government's one goal, kept whole
    goal = s.goals[0]
    assert s.goal_heading(goal) == s.goal_cell(goal) == "Regeringens mål för integrationspolitiken"
    evidence = yamlio.load((Path(__file__).resolve().parents[1] / "fixtures" / "strategy"
                            / "regeringen_mal_for_integration.source.yml").read_text(encoding="utf-8"))
    assert " ".join(evidence["text"].split()).endswith(" ".join(goal.goal.split()))
    assert "Blekinge" not in s.source_document and "Regeringen" in s.source_document
    for text in (s.note, s.source_document, s.purpose):
        assert "data/" not in text and ".yml" not in text  # no repository path in the report
    blekinge = load_strategy("10", root)
    assert blekinge.publisher == "Länsstyrelsen Blekinge" and blekinge.goal_heading(blekinge.goals[2]) == (
        "Strategiskt mål 3, Arbete")


def test_configured_organisation_publishes(tmp_path, catalogue):
    import shutil

    from analysis.config import load_config

    root = load_config().root
    shutil.copytree(root / "data", tmp_path / "data")
    text = (root / "analysis.yml").read_text(encoding="utf-8").replace(
        "organisation: null", 'organisation: "Region Norrbotten, avdelningen för regional utveckling"')
    (tmp_path / "analysis.yml").write_text(text, encoding="utf-8")
    assert load_strategy("25", tmp_path).publisher == "Region Norrbotten, avdelningen för regional utveckling"


def test_missing_default_is_explained(tmp_path):
    import shutil

    from analysis.config import load_config

    shutil.copytree(load_config().root / "data", tmp_path / "data")
    (tmp_path / "data" / "strategies" / "nationell.yml").unlink()
    with pytest.raises(AnalysisError, match="Ingen strategifil för län 12"):
        load_strategy("12", tmp_path)


def test_every_goal_is_followed_up_by_indicators_or_the_handlingsplan(root, catalogue):
    for county in ("10", "08"):
        for g in load_strategy(county, root).goals:
            assert g.indicators(catalogue) or g.handlingsplan, (county, g.id)
    kalmar = {g.id: g for g in load_strategy("08", root).goals}
    assert kalmar["bostad_bosattning"].activities_only(catalogue)
    assert [i.id for i in kalmar["social_sammanhallning"].indicators(catalogue)] == ["valdeltagande_kf"]
    assert load_strategy("10", root).goals[4].activities_only(catalogue)


def test_goal_without_indicators_must_use_the_handlingsplan(root, catalogue):
    import yaml

    from analysis.domain.strategy import parse_strategy

    raw = yaml.safe_load((root / "data" / "strategies" / "blekinge.yml").read_text(encoding="utf-8"))
    raw["goals"][4].pop("handlingsplan")
    with pytest.raises(AnalysisError, match="goals/4: a goal without catalogue indicators must be followed up"):
        parse_strategy(raw, catalogue)
