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
    elif status == UNCHANGED:  # the change a reader sees, and the rule that calls it unchanged
        text += (f" ({fmt.number(float(trend_row['change']), ind.decimals, signed=True)}; gräns "
                 f"{_pm(ind, ind.min_change)})")
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
        return f"{icon} Oförändrad sedan {base}: {words} ({unchanged_rule(ind)})"
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
        if round(float(trend_row["change"]), ind.decimals) == 0:
            return f"{what} är {'oförändrad' if what == 'Skillnaden' else 'oförändrat'} sedan {base}."
        return (f"{_upper_first(change_words(ind, trend_row))} sedan {base}, vilket räknas som oförändrat: "
                f"{unchanged_rule(ind)}.")
    words = change_words(ind, trend_row)
    if trend_row["status"] == NOT_SIGNIFICANT:
        return (f"{_upper_first(words)} sedan {base}, men förändringen är inte statistiskt säkerställd "
                f"(minsta påvisbara förändring {_pm(ind, trend_row['mdc'])}).")
    judged = "en förbättring" if trend_row["status"] == BETTER else "en försämring"
    return f"{_upper_first(words)} sedan {base}, {judged}."


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def unchanged_rule(ind: Indicator) -> str:
    """The rule behind "oförändrad", named where it applies: "gränsen för oförändrad är ±5,0 procentenheter"
    (the catalogue's min_change)."""
    return f"gränsen för oförändrad är {_pm(ind, ind.min_change)}"


def last_year_sentence(ind: Indicator, trend_row: pd.Series | None, previous: float | None) -> str:
    """"Det senaste året, 2023–2024, gick det åt andra hållet: skillnaden har ökat med 1,2 procentenheter." when
    the last year's change runs against a judged trend since the baseline (bättre or sämre); else ""."""
    if trend_row is None or trend_row["status"] not in (BETTER, WORSE) or previous is None or pd.isna(previous):
        return ""
    year, now = int(trend_row["year"]), float(trend_row["value_year"])
    if year - 1 <= int(trend_row["baseline_year"]):
        return ""
    change = now - float(previous)
    if round(change, ind.decimals) == 0:
        return ""
    improved = change < 0 if not ind.higher_is_better else change > 0
    if improved == (trend_row["status"] == BETTER):
        return ""
    last = pd.Series({"measure": trend_row["measure"], "value_baseline": float(previous), "value_year": now,
                      "change": change})
    words = change_words(ind, last)
    return f"Det senaste året, {year - 1}–{year}, gick det åt andra hållet: {words}."


def rounding_note(ind: Indicator, subject: float | None, reference: float | None, gap: float | None) -> str:
    """" (skillnaden är beräknad på oavrundade värden)" when the shown gap differs from the difference of the
    shown, rounded levels (68,4 and 83,4 beside −14,9); else ""."""
    if any(v is None or pd.isna(v) for v in (subject, reference, gap)):
        return ""
    d = ind.decimals
    if round(round(float(subject), d) - round(float(reference), d), d) == round(float(gap), d):
        return ""
    return " (skillnaden är beräknad på oavrundade värden)"


def period_note(strategy, baseline_year: int, year: int) -> str:
    """A plain warning when the report year lies outside the strategy's period or not after the baseline; else ""."""
    period = getattr(strategy, "period", None)
    parts = []
    if period and not (period[0] <= year <= period[1]):
        parts.append(f"Rapportåret {year} ligger utanför strategiperioden {period[0]}–{period[1]}.")
    if year <= baseline_year:
        subject = "Det" if parts else f"Rapportåret {year}"
        parts.append(f"{subject} ligger inte efter basåret {baseline_year}, så utvecklingen sedan basåret kan inte "
                     "bedömas; rapporten visar bara läget för året.")
    return " ".join(parts)


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


def trend_span(baseline_year: int, year: int) -> str:
    """The report's sentence on the period judged: "Utvecklingen bedöms från basåret 2022 till 2024."."""
    if year <= baseline_year:
        return (f"Utvecklingen sedan basåret {baseline_year} kan inte bedömas, eftersom rapportåret {year} inte "
                "ligger efter basåret.")
    return f"Utvecklingen bedöms från basåret {baseline_year} till {year}."


def status_word(trend_row, ind: Indicator | None = None) -> str:
    """"↑ bättre", "? kan inte bedömas" (no trend row); with ``ind`` also the ± figure or "för litet underlag"."""
    if ind is not None:
        return trend_label(ind, trend_row)
    status = UNKNOWN if trend_row is None else trend_row["status"]
    return f"{STATUS_ICON[status]} {status}"
