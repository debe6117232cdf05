"""Generated Swedish sentences from the results and the status rules.

A change is only called an increase or decrease when the trend status says it is larger than the
minimum detectable change; otherwise the text says it is unchanged, or that it cannot be judged.
"""

from __future__ import annotations

import pandas as pd

from . import fmt
from .catalogue import Indicator
from .gaps import BETTER, UNCHANGED, UNKNOWN


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def gap_sentence(ind: Indicator, area_name: str, year: int, gap_row: pd.Series | None) -> str:
    """"I Ronneby var sysselsättningsgraden 2024 24,4 procentenheter lägre bland utrikes födda än bland inrikes födda." """
    subject = ind.text_name or _lower_first(ind.short_title)
    if gap_row is None or gap_row["status"] != "" or pd.isna(gap_row["gap"]):
        return f"För {area_name} {year} kan skillnaden i {subject} inte redovisas (uppgift saknas eller är skyddad)."
    gap = float(gap_row["gap"])
    if round(gap, ind.decimals) == 0:
        return f"I {area_name} var {subject} {year} lika bland {ind.group_label('utrikes')} och {ind.group_label('inrikes')}."
    word = "högre" if gap > 0 else "lägre"
    return (
        f"I {area_name} var {subject} {year} {fmt.difference(gap, ind.diff_unit, ind.decimals)} {word} bland "
        f"{ind.group_label('utrikes')} än bland {ind.group_label('inrikes')}."
    )


def trend_sentence(ind: Indicator, trend_row: pd.Series | None) -> str:
    """"Skillnaden har minskat med 2,4 procentenheter sedan 2022." — never a change within the MDC."""
    if trend_row is None or trend_row["status"] == UNKNOWN:
        reason = "" if trend_row is None or not trend_row["reason"] else f" ({trend_row['reason']})"
        return f"Utvecklingen sedan basåret kan inte bedömas{reason}."
    what = "Skillnaden" if trend_row["measure"] == "skillnad" else "Värdet"
    base = int(trend_row["baseline_year"])
    if trend_row["status"] == UNCHANGED:
        return (
            f"{what} är i stort sett {'oförändrad' if what == 'Skillnaden' else 'oförändrat'} sedan {base}; förändringen är mindre än den minsta "
            f"påvisbara ({fmt.number(trend_row['mdc'], ind.decimals)} {ind.diff_unit})."
        )
    change = float(trend_row["change"])
    verb = "ökat" if change > 0 else "minskat"
    judged = "en förbättring" if trend_row["status"] == BETTER else "en försämring"
    return f"{what} har {verb} med {fmt.difference(change, ind.diff_unit, ind.decimals)} sedan {base}, {judged}."


def level_sentence(ind: Indicator, area_name: str, year: int, value: float, status: str,
                   cmp_row: pd.Series | None, cmp_name: str) -> str:
    """For indicators without a native group: "I Ronneby var andelen 52,0 % 2024, 3,1 procentenheter högre än i länet." """
    subject = ind.text_name or _lower_first(ind.short_title)
    if status or pd.isna(value):
        return f"För {area_name} {year} kan {subject} inte redovisas (uppgift saknas eller är skyddad)."
    text = f"I {area_name} var {subject} {fmt.with_unit(value, ind.unit, ind.decimals, table=False)} {year}"
    if cmp_row is None or cmp_row["status"] != "" or pd.isna(cmp_row["gap"]):
        return text + "."
    gap = float(cmp_row["gap"])
    if round(gap, ind.decimals) == 0:
        return text + f", lika som i {cmp_name}."
    word = "högre" if gap > 0 else "lägre"
    return text + f", {fmt.difference(gap, ind.diff_unit, ind.decimals)} {word} än i {cmp_name}."
