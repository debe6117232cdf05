import pandas as pd

from analysis import narrative

NBSP = "\u00a0"


def test_gap_sentence(catalogue):
    ind = catalogue.get("sysselsattningsgrad")
    row = pd.Series({"gap": -24.4, "status": ""})
    assert narrative.gap_sentence(ind, "Ronneby", 2024, row) == (
        f"I Ronneby var sysselsättningsgraden 2024 24,4{NBSP}procentenheter lägre bland utrikes födda än bland inrikes födda."
    )
    assert "kan skillnaden" in narrative.gap_sentence(ind, "Olofström", 2024, pd.Series({"gap": float("nan"), "status": ".."}))


def test_trend_sentence_never_claims_change_within_mdc(catalogue):
    ind = catalogue.get("sysselsattningsgrad")
    base = {"measure": "skillnad", "baseline_year": 2022, "mdc": 2.0, "reason": ""}
    better = narrative.trend_sentence(ind, pd.Series({**base, "status": "bättre", "change": -2.4}))
    assert better == f"Skillnaden har minskat med 2,4{NBSP}procentenheter sedan 2022, en förbättring."
    same = narrative.trend_sentence(ind, pd.Series({**base, "status": "oförändrad", "change": -1.2}))
    assert "minskat" not in same and "oförändrad" in same
    unknown = narrative.trend_sentence(ind, pd.Series({**base, "status": "kan inte bedömas", "change": float("nan"),
                                                       "reason": "serien bryts"}))
    assert unknown == "Utvecklingen sedan basåret kan inte bedömas (serien bryts)."
