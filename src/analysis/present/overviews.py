"""Builders of the two overview tables: the goal overview of a kommun's or county's report ("Måluppfyllelse")
and the county report's status overview (the län's development and the kommuner's, per strategic goal).

Each row is a small record of already formatted cells gathered from the results; the builders here turn the
rows into the shown table, its download and its caption, and read neither the results nor a report, so the
tables can be built (and tested) from rows made by hand. The section functions at the end (the goal overview,
the county's status and trend overviews, a focus area's goal and the strategy's further focus areas) take the
report, gather the rows and show the parts; the report's notebook methods call them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.compute.gaps import UNKNOWN
from analysis.domain.catalogue import Indicator
from analysis.present import fmt, narrative
from analysis.present.display import show_markdown, show_table
from analysis.present.escape import md_text as md  # free text from YAML and plans: literal
from analysis.present.handlingsplan import show_activities_only_note
from analysis.present.levels import components
from analysis.present.narrative import status_word

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


# --------------------------------------------------------------------------- the sections (of a report)


def measure_label(ind: Indicator) -> str:
    """What a row of a mixed table compares: "skillnad utrikes födda − inrikes födda" or "nivå (ingen …)"."""
    if ind.is_native:
        return f"skillnad {ind.group_label('utrikes')} − {ind.group_label('inrikes')}"
    return "nivå (ingen jämförelsegrupp bland inrikes födda)"


def goal_line(strategy, goal) -> str:
    """"**Mål 1:** the goal in the strategy's words" (a focus area's goal, quoted in two sections)."""
    return f"**{md(strategy.goal_heading(goal))}:** {md(goal.goal)}"


def _goals(report):
    """Per strategic goal: (goal, its overview cell, its indicators, the plan's (what, status, kind) for a goal
    without indicators, else None): where both overview tables start."""
    from analysis.present.handlingsplan import overview_cells

    for goal in report.results.strategy.goals:
        cell = report.results.strategy.goal_cell(goal)
        inds = goal.indicators(report.catalogue)
        yield goal, cell, inds, (None if inds else overview_cells(report.plan, goal, report.year))


def goal(report, focus_area: str) -> None:
    """A focus area's goal in the strategy's words, with its source (or where it is quoted, or that there is none)."""
    goal = report.results.strategy.goal_for(focus_area)
    if goal is None:
        show_markdown(f"*{md(report.results.strategy.name)} har inget mål för detta fokusområde.*")
        return
    if not report.results.strategy.numbered_goals and goal.focus_areas and focus_area != goal.focus_areas[0]:
        first = report.catalogue.focus_areas[goal.focus_areas[0]]  # one goal kept whole: quoted once, under its
        show_markdown(f"*{goal.title} – se avsnittet {first}.*")  # first focus area
        return
    show_markdown(f"{goal_line(report.results.strategy, goal)}\n\n*Källa: {md(report.results.strategy.source_document)}.*")


def goal_overview(report) -> None:
    """Summary: every strategy goal with its indicators' gap and status for the area, län and riket."""
    rows = []
    for _goal, cell, inds, plan in _goals(report):
        if plan:
            what, status, kind = plan
            rows.append(GoalRow(cell, what, "länets handlingsplan", status, kind, levels=report._level_cells(None)))
        for ind in inds:
            code = report.shown_code(ind)
            gap = report.gap_row(ind, code)
            if ind.birth_regions:  # no pooled born-abroad group: each group's value, latest survey year
                from analysis.present import birth_regions

                level = birth_regions.overview_cell(report, ind, code)
                # no single number: "." (not applicable) beside the groups' values, ".." where there are none
                rows.append(GoalRow(cell, ind.short_title, level, birth_regions.NOT_JUDGED,
                                    report.data_kind_latest(ind, code), ".." if level == ".." else ".",
                                    "per födelseregion (se avsnittet)", report._level_cells(ind)))
                continue
            if ind.shows_latest and report.data_year(ind) != report.year:
                gap = report._row("gaps", ind, geo_code=code, year=report.data_year(ind), sex="T",
                              comparison="inrikes" if ind.is_native else "lan")
            if ind.is_native:
                level = ".." if gap is None else f"skillnad {fmt.gap(gap['gap'], ind.diff_unit, status=gap['status'])}"
                number = ".." if gap is None else fmt.number(gap["gap"], ind.decimals, status=gap["status"])
                measure = f"skillnad, {ind.diff_unit}"
            else:
                v, s = report.value(ind, code, "total")
                level, number, measure = (fmt.with_unit(v, ind.unit, status=s),
                                          fmt.number(v, ind.decimals, status=s), f"nivå, {ind.unit}")
            if code != report.code:
                level += f" ({report.geo.area(code).name})"
            rows.append(GoalRow(cell, ind.short_title, level, status_word(report.trend_row(ind, code), ind),
                                report.data_kind_latest(ind, code) if ind.shows_latest else report.data_kind(ind, [code]),
                                number, measure, report._level_cells(ind)))
    caption = goal_caption(report.area.official, report.year, report.results.baseline_year)
    one_goal = not report.results.strategy.numbered_goals and len(report.results.strategy.goals) == 1
    table, download = goal_table(rows, one_goal)
    show_table(table, caption, report.download("maluppfyllelse", download, report.notes(None, caption)))
    show_activities_only_note(report)
    if report.results.has_example_data:
        show_markdown("::: {.callout-warning}\n**Rapporten innehåller exempeldata.** Rader markerade "
                      "\"Exempeldata\" bygger på genererade värden, inte verklig statistik.\n:::")
    for level in components(report):
        level.show_overview()


def more_focus_areas(report, shown: list[str]) -> None:
    """The strategy's focus areas that the notebooks do not show in sections of their own (``shown``),
    each with a heading and its indicators (Kalmar: Social sammanhållning). Nothing for other strategies."""
    areas = [a for g in report.results.strategy.goals for a in g.focus_areas if a not in shown]
    if not areas:  # the embedded cell still has an output; it shows nothing
        show_markdown("<!-- inga fler fokusområden i strategin -->")
    for area in dict.fromkeys(areas):
        goal = report.results.strategy.goal_for(area)
        show_markdown(f"## {report.catalogue.focus_areas[area]}")
        show_markdown(goal_line(report.results.strategy, goal))
        if goal.followed_up_outside_statistics:
            show_markdown(f"*{md(goal.followed_up_outside_statistics)}*")
        for ind in report.catalogue.in_focus_area(area):
            report.indicator(ind)


def status_overview(report) -> None:
    """Per strategic goal: the län's status and how many kommuner got better or worse."""
    rows = []
    for _goal, cell, inds, plan in _goals(report):
        if plan:
            rows.append(StatusRow(cell, *plan))
        for ind in inds:
            kommuner = []
            if "kommun" in ind.levels:
                kommuner = [t["status"] if (t := report.trend_row(ind, k.code)) is not None else UNKNOWN
                            for k in report.kommuner]
            rows.append(StatusRow(cell, ind.short_title, status_word(report.trend_row(ind, report.code), ind),
                                  report.data_kind(ind, [a.code for a in report.areas(ind)][:-1]), kommuner,
                                  county_only="kommun" not in ind.levels))
    one_goal = not report.results.strategy.numbered_goals and len(report.results.strategy.goals) == 1
    caption = status_caption(report.year, report.results.baseline_year,
                             report.results.strategy.goals[0].title if one_goal else None)
    table = status_table(rows, one_goal)
    show_table(table, caption, report.download("maluppfyllelse-lan", table, report.notes(None, caption)))
    # one sentence per goal: the strategy's own words where it has them, the general note only otherwise
    only = [g for g in report.results.strategy.goals if g.activities_only(report.catalogue)]
    if any(not g.followed_up_outside_statistics for g in only):
        show_activities_only_note(report)
    for goal in report.results.strategy.goals:
        if goal.followed_up_outside_statistics:
            show_markdown(f"*{md(report.results.strategy.goal_short(goal))}: {md(goal.followed_up_outside_statistics)}*")


def trend_overview(report) -> None:
    """The county report's table of development: per indicator the baseline year's and the report year's value."""
    rows = []
    for ind in report.catalogue:
        tr = report.trend_row(ind, report.code)
        if tr is None:
            continue
        unit = ind.diff_unit if tr["measure"] == "skillnad" else ind.unit_symbol
        signed = tr["measure"] == "skillnad"

        def cell(value, year, column):  # election and survey years: the measurement's own year beside it
            text = fmt.number(value, ind.decimals, signed=signed)
            return text + (f" ({int(year)})" if int(year) != column and not pd.isna(value) else "")

        rows.append({
            "Indikator": ind.short_title,
            "Mått": measure_label(ind),
            f"{report.results.baseline_year}": cell(tr["value_baseline"], tr["baseline_year"], report.results.baseline_year),
            f"{report.year}": cell(tr["value_year"], tr["year"], report.year),
            # the change's unit only where it is not the row's unit (a level in % changes in procentenheter)
            "Förändring": fmt.number(tr["change"], ind.decimals, signed=True)
            + ("" if pd.isna(tr["change"]) or ind.diff_unit == unit else f" {ind.diff_unit}"),
            "Enhet": unit,
            "Bedömning": status_word(tr, ind),
            "Data": "Exempeldata" if tr["example"] else "Verklig",
        })
    caption = (f"{report.area.name}: {narrative.trend_span(report.results.baseline_year, report.year)} "
               "Kolumnen Mått säger på varje rad vad som jämförs; skillnad = första gruppen minus den andra.")
    table = pd.DataFrame(rows)
    show_table(table, caption, report.download("utveckling", table, report.notes(None, caption), part=1))
