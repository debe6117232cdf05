import pytest

from analysis.errors import AnalysisError
from analysis.strategy import load_strategy


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


def test_unknown_county_is_explained(root):
    with pytest.raises(AnalysisError, match="Ingen strategifil för län 12"):
        load_strategy("12", root)
