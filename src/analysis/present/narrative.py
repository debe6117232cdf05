"""Generated Swedish sentences from the results and the status rules.

A change is only called an improvement or deterioration when the trend status says it is larger than the
minimum detectable change. The trend words (status line, table cells, sentences) are all written here, from
the one rule in :func:`analysis.compute.gaps.judge`.
"""

from __future__ import annotations

import pandas as pd

from analysis.present import fmt
from analysis.domain.catalogue import Indicator
from analysis.compute.gaps import BETTER, NOT_SIGNIFICANT, TOO_LITTLE_DATA, UNCHANGED, UNKNOWN, WORSE

STATUS_ICON = {BETTER: "↑", WORSE: "↓", UNCHANGED: "→", NOT_SIGNIFICANT: "≈", UNKNOWN: "?"}


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


def _pm(ind: Indicator, value) -> str:
    return f"±{fmt.difference(value, ind.diff_unit, ind.decimals)}"


def change_words(ind: Indicator, trend_row: pd.Series) -> str:
    """"skillnaden har minskat med 2,4 procentenheter" (the gap's size, whatever its sign) or
    "värdet har ökat med 3,1 procentenheter"."""
    change = float(trend_row["change"])
    amount = fmt.difference(change, ind.diff_unit, ind.decimals)
    if trend_row["measure"] == "skillnad":
        d0, d1 = float(trend_row["value_baseline"]), float(trend_row["value_year"])
        if d0 * d1 < 0:
            return f"skillnaden har bytt riktning (ändring {amount})"
        if round(change, ind.decimals) == 0:
            return "skillnaden är densamma"
        return f"skillnaden har {'minskat' if abs(d1) < abs(d0) else 'ökat'} med {amount}"
    if round(change, ind.decimals) == 0:
        return "värdet är detsamma"
    return f"värdet har {'ökat' if change > 0 else 'minskat'} med {amount}"


def trend_label(ind: Indicator, trend_row: pd.Series | None) -> str:
    """Short form for table cells: "↑ bättre", "≈ ingen statistiskt säkerställd förändring (±9,1 procentenheter)",
    "? kan inte bedömas – för litet underlag"."""
    status = UNKNOWN if trend_row is None else trend_row["status"]
    text = f"{STATUS_ICON[status]} {status}"
    if trend_row is None:
        return text
    if status == NOT_SIGNIFICANT:
        text += f" ({_pm(ind, trend_row['mdc'])})"
    elif status == UNKNOWN and trend_row["reason"] == TOO_LITTLE_DATA:
        text += f" – {TOO_LITTLE_DATA}"
    return text


def status_line(ind: Indicator, trend_row: pd.Series | None) -> str:
    """The "Måluppfyllelse" line: arrow, judgement since the baseline and what changed by how much."""
    if trend_row is None:
        return f"{STATUS_ICON[UNKNOWN]} Kan inte bedömas: uppgift saknas"
    status, base = trend_row["status"], int(trend_row["baseline_year"])
    icon = STATUS_ICON[status]
    if status == UNKNOWN:
        if trend_row["reason"] == TOO_LITTLE_DATA:
            return (f"{icon} Kan inte bedömas – {TOO_LITTLE_DATA}: den minsta påvisbara förändringen är "
                    f"{_pm(ind, trend_row['mdc'])}")
        return f"{icon} Kan inte bedömas" + (f" ({trend_row['reason']})" if trend_row["reason"] else "")
    words = change_words(ind, trend_row)
    if status == UNCHANGED:
        return (f"{icon} Oförändrad sedan {base}: {words} (högst "
                f"{fmt.difference(ind.min_change, ind.diff_unit, ind.decimals)} räknas som oförändrad)")
    if status == NOT_SIGNIFICANT:
        return (f"{icon} Ingen statistiskt säkerställd förändring sedan {base}: {words}, inom den minsta "
                f"påvisbara förändringen {_pm(ind, trend_row['mdc'])}")
    return f"{icon} {status.capitalize()} sedan {base}: {words}"


def trend_sentence(ind: Indicator, trend_row: pd.Series | None) -> str:
    """"Skillnaden har minskat med 2,4 procentenheter sedan 2022, en förbättring." — never a change within the MDC."""
    if trend_row is None or trend_row["status"] == UNKNOWN:
        if trend_row is not None and trend_row["reason"] == TOO_LITTLE_DATA:
            return (f"Utvecklingen sedan basåret kan inte bedömas – {TOO_LITTLE_DATA} (den minsta påvisbara "
                    f"förändringen är {_pm(ind, trend_row['mdc'])}).")
        reason = "" if trend_row is None or not trend_row["reason"] else f" ({trend_row['reason']})"
        return f"Utvecklingen sedan basåret kan inte bedömas{reason}."
    base = int(trend_row["baseline_year"])
    what = "Skillnaden" if trend_row["measure"] == "skillnad" else "Värdet"
    if trend_row["status"] == UNCHANGED:
        return f"{what} är {'oförändrad' if what == 'Skillnaden' else 'oförändrat'} sedan {base}."
    words = change_words(ind, trend_row)
    if trend_row["status"] == NOT_SIGNIFICANT:
        return (f"{_upper_first(words)} sedan {base}, men förändringen är inte statistiskt säkerställd "
                f"(minsta påvisbara förändring {_pm(ind, trend_row['mdc'])}).")
    judged = "en förbättring" if trend_row["status"] == BETTER else "en försämring"
    return f"{_upper_first(words)} sedan {base}, {judged}."


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


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
