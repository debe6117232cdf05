import pandas as pd

from analysis.present import narrative

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
    base = {"measure": "skillnad", "baseline_year": 2022, "mdc": 2.0, "reason": "",
            "value_baseline": 26.8, "value_year": 24.4}
    better = narrative.trend_sentence(ind, pd.Series({**base, "status": "bättre", "change": -2.4}))
    assert better == f"Skillnaden har minskat med 2,4{NBSP}procentenheter sedan 2022, en förbättring."
    same = narrative.trend_sentence(ind, pd.Series({**base, "status": "oförändrad", "change": -1.2}))
    assert same == (f"Skillnaden har minskat med 1,2{NBSP}procentenheter sedan 2022, vilket räknas som oförändrat: "
                    f"gränsen för oförändrad är ±2,0{NBSP}procentenheter.")
    row = pd.Series({**base, "status": "oförändrad", "change": -1.2})
    assert narrative.trend_label(ind, row) == f"→ oförändrad (−1,2; gräns ±2,0{NBSP}procentenheter)"
    assert narrative.status_line(ind, row).endswith(f"(gränsen för oförändrad är ±2,0{NBSP}procentenheter)")
    unknown = narrative.trend_sentence(ind, pd.Series({**base, "status": "kan inte bedömas", "change": float("nan"),
                                                       "reason": "serien bryts"}))
    assert unknown == "Utvecklingen sedan basåret kan inte bedömas (serien bryts)."


def test_last_year_against_the_trend_is_said(catalogue):
    ind = catalogue.get("sysselsattningsgrad")  # higher is better; the gap utrikes − inrikes is negative
    row = pd.Series({"measure": "skillnad", "baseline_year": 2022, "year": 2024, "mdc": 2.0, "reason": "",
                     "value_baseline": -26.8, "value_year": -22.0, "change": 4.8, "status": "bättre"})
    said = narrative.last_year_sentence(ind, row, previous=-20.5)  # 2023 → 2024: the gap grew again
    assert said == f"Det senaste året, 2023–2024, gick det åt andra hållet: skillnaden har ökat med 1,5{NBSP}procentenheter."
    assert narrative.last_year_sentence(ind, row, previous=-23.0) == ""  # the same direction: nothing to add
    assert narrative.last_year_sentence(ind, row, previous=None) == ""


def test_rounding_note_and_period_note(catalogue):
    ind = catalogue.get("sysselsattningsgrad")
    assert narrative.rounding_note(ind, 68.44, 83.36, -14.92) != ""  # 68,4 − 83,4 = −15,0 beside −14,9
    assert narrative.rounding_note(ind, 68.4, 83.4, -15.0) == ""

    class S:
        period = (2023, 2026)
    assert "utanför strategiperioden 2023–2026" in narrative.period_note(S, 2022, 2019)
    assert "inte efter basåret 2022" in narrative.period_note(S, 2022, 2019)
    assert narrative.period_note(S, 2022, 2024) == ""


def test_not_significant_and_too_little_data_say_so_with_the_mdc(catalogue):
    ind = catalogue.get("behorighet_yrkesprogram")
    row = pd.Series({"measure": "skillnad", "baseline_year": 2022, "reason": "", "mdc": 9.1, "change": 6.6,
                     "value_baseline": 9.4, "value_year": 16.0, "status": "ingen statistiskt säkerställd förändring"})
    sentence = narrative.trend_sentence(ind, row)
    assert sentence.startswith(f"Skillnaden har ökat med 6,6{NBSP}procentenheter sedan 2022, men förändringen är inte "
                               "statistiskt säkerställd")
    assert f"±9,1{NBSP}procentenheter" in sentence
    assert "oförändrad" not in narrative.status_line(ind, row).lower()
    assert narrative.trend_label(ind, row) == f"≈ ingen statistiskt säkerställd förändring (±9,1{NBSP}procentenheter)"
    small = row.copy()
    small["status"], small["reason"], small["mdc"] = "kan inte bedömas", "för litet underlag", 36.2
    assert narrative.trend_label(ind, small) == "? kan inte bedömas – för litet underlag"
    assert "±36,2" in narrative.status_line(ind, small) and "för litet underlag" in narrative.trend_sentence(ind, small)


def test_gap_that_changes_side_is_not_called_smaller(catalogue):
    ind = catalogue.get("arbetsloshet")
    row = pd.Series({"measure": "skillnad", "baseline_year": 2022, "reason": "", "mdc": 1.0, "change": -3.0,
                     "value_baseline": 1.0, "value_year": -2.0, "status": "bättre"})
    assert "bytt riktning" in narrative.trend_sentence(ind, row)
