"""Builders of the two overview tables: the goal overview of a kommun's or county's report ("Måluppfyllelse")
and the county report's status overview (the län's development and the kommuner's, per strategic goal).

Each row is a small record of already formatted cells that :class:`~analysis.present.report.Report` gathers
from the results; the builders here turn the rows into the shown table, its download and its caption. Nothing
here reads the results or a report, so the tables can be built (and tested) from rows made by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.present import fmt

#: the goal overview download's extra columns: "Läge" as a number, and what that number measures
LAGE_NUMBER, LAGE_MEASURE = "Läge, tal", "Läge, mått"
#: a cell that cannot have a value (a goal followed up by the plan has no group or kommun cell)
NOT_APPLICABLE = "."
#: the status overview's kommun cell of an indicator that exists for the län only
COUNTY_ONLY = "finns bara för länet"


@dataclass(frozen=True)
class GoalRow:
    """One row of the goal overview: a goal's indicator (or the plan's line for a goal without one)."""

    goal: str
    indicator: str
    level: str  # "Läge": the gap (or level) as the report says it
    development: str  # "Utveckling" since the baseline
    data: str  # "Verklig", "Exempeldata", …
    number: str = NOT_APPLICABLE  # "Läge" as a number, for the download
    measure: str = ""  # what the number is ("skillnad, procentenheter")
    levels: dict[str, str] = field(default_factory=dict)  # the comparison levels' cells ("Kommungruppen")


def goal_caption(area_official: str, year: int, baseline_year: int) -> str:
    return f"Måluppfyllelse {year} för {area_official}, utveckling sedan basåret {baseline_year}."


def goal_table(rows: list[GoalRow], one_goal: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the shown table, its download): Mål, Indikator, Läge, the comparison levels' columns, Utveckling, Data;
    the download has "Läge, tal" and "Läge, mått" after "Läge". Without the Mål column when the strategy has
    one goal kept whole (it is quoted in its first focus section instead)."""
    table = pd.DataFrame([{"Mål": r.goal, "Indikator": r.indicator, "Läge": r.level, **r.levels,
                           "Utveckling": r.development, "Data": r.data} for r in rows]).fillna(NOT_APPLICABLE)
    if one_goal:
        table = table.drop(columns="Mål")
    numbers = pd.DataFrame([{LAGE_NUMBER: r.number, LAGE_MEASURE: r.measure} for r in rows], index=table.index)
    at = list(table.columns).index("Läge") + 1
    download = pd.concat([table.iloc[:, :at], numbers, table.iloc[:, at:]], axis=1)
    return table, download


@dataclass(frozen=True)
class StatusRow:
    """One row of the county's status overview."""

    goal: str
    indicator: str
    county: str  # the län's development ("bättre", …) or the plan's status line
    data: str
    kommuner: list[str] | None = None  # each kommun's development; None: no kommun cell (the plan's line)
    county_only: bool = False  # the indicator exists for the län only


def kommun_counts(statuses: list[str]) -> str:
    """"3 bättre, 2 oförändrad" in the order the words first occur."""
    counts: dict[str, int] = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in counts.items())


def status_caption(year: int, baseline_year: int, one_goal_title: str | None = None) -> str:
    if one_goal_title:
        return f"Måluppfyllelse för {fmt.in_text(one_goal_title)}, utveckling {baseline_year}–{year}."
    return f"Måluppfyllelse per strategiskt mål, utveckling {baseline_year}–{year}."


def status_table(rows: list[StatusRow], one_goal: bool) -> pd.DataFrame:
    """Strategiskt mål, Indikator, Länet, Kommunerna (counts per development), Data."""
    def kommuner(r: StatusRow) -> str:
        if r.kommuner is None:
            return NOT_APPLICABLE
        return COUNTY_ONLY if r.county_only or not r.kommuner else kommun_counts(r.kommuner)

    table = pd.DataFrame([{"Strategiskt mål": r.goal, "Indikator": r.indicator, "Länet": r.county,
                           "Kommunerna": kommuner(r), "Data": r.data} for r in rows])
    return table.drop(columns="Strategiskt mål") if one_goal else table
