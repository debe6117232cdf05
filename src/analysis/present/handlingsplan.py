"""The handlingsplan in the report: the tables, captions and sentences a plan is shown with, and the sections
that show them (:func:`action_plan` of the county report, :func:`kommun_activities` of a kommun's), each a
function of the report.

The words are declared under ``report`` in ``data/handlingsplan/handlingsplan.yml``; the plan itself comes from
:func:`analysis.data.handlingsplan.load_plan`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.domain.catalogue import Catalogue
from analysis.domain.handlingsplan import Plan, Spec, goal_choice, load_spec
from analysis.domain.strategy import Goal, Strategy
from analysis.present import fmt
from analysis.present.display import show_markdown, show_table
from analysis.present.downloads import TableNotes
from analysis.present.escape import md_text

#: Handlingsplan activity tables in the PDF: aktivitet, ansvariga, status, kommentar.
ACTIVITY_WIDTHS = [3.2, 2.8, 1.4, 2.6]


def _fmt_date(value) -> str:
    try:
        return fmt.date_long(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def report_text(spec: Spec, key: str, **kw) -> str:
    return spec.raw["report"][key].format(**kw).strip()


def source_line(plan: Plan, markdown: bool = False) -> str:
    """"Källa: producer: title (inläst …)"; ``markdown``: the importer's free text kept literal."""
    m = plan.meta
    lit = md_text if markdown else str
    return report_text(plan.spec, "source", producer=lit(m.get("producer", "")), title=lit(m.get("title", "")),
                       retrieved=_fmt_date(m.get("retrieved", "")))


def free_text_columns(plan: Plan) -> list[str]:
    """The activity table's columns that hold the plan's own text (escaped on their way into Markdown)."""
    cols = plan.spec.raw["report"]["columns"]
    return [cols["activity"], cols["responsible"], cols["comment"]]


def counts_table(plan: Plan, strategy: Strategy) -> pd.DataFrame:
    """One row per strategy goal: number of activities by status, and in total."""
    cols = plan.spec.raw["report"]["columns"]
    rows = []
    for g in strategy.goals:
        counts = plan.counts(g.id)
        rows.append({cols["goal"]: goal_choice(g),
                     **{plan.spec.status_label(s).capitalize(): n for s, n in counts.items()},
                     cols["total"]: sum(counts.values())})
    total = plan.counts()
    rows.append({cols["goal"]: cols["total"], **{plan.spec.status_label(s).capitalize(): n for s, n in total.items()},
                 cols["total"]: sum(total.values())})
    df = pd.DataFrame(rows)
    if plan.example:
        df[cols["data"]] = "Exempeldata"
    return df


def activities_table(plan: Plan, rows: pd.DataFrame, catalogue: Catalogue, strategy: Strategy | None = None) -> pd.DataFrame:
    """The activities as a reader sees them: status in words, the linked indicator in the comment.

    Few columns so that the PDF's table stays readable; an example plan says so in its caption."""
    cols = plan.spec.raw["report"]["columns"]
    known = {i.id: i.short_title for i in catalogue}
    goals = {g.id: goal_choice(g) for g in strategy.goals} if strategy else {}

    def comment(r) -> str:
        parts = [r["comment"]] if r["comment"] else []
        if r["indicator"]:
            parts.append(f"{cols['indicator']}: {known.get(r['indicator'], r['indicator'])}")
        return ". ".join(parts) or "–"

    return pd.DataFrame({
        **({cols["goal"]: rows["goal"].map(goals)} if strategy else {}),
        cols["activity"]: rows["activity"],
        cols["responsible"]: rows["responsible"].str.replace(plan.spec.raw["separator"], ",", regex=False),
        cols["status"]: rows["status"].map(plan.spec.status_label),
        cols["comment"]: rows.apply(comment, axis=1) if len(rows) else rows["comment"],
    }).reset_index(drop=True)


def caption(plan: Plan, key: str, **kw) -> str:
    """A table caption; an example plan's tables say so in the caption itself."""
    text = report_text(plan.spec, key, **kw)
    return text.rstrip(".") + f" {plan.spec.raw['report']['example_caption']}" if plan.example else text


def overview_cells(plan: Plan | None, goal: Goal, year: int) -> tuple[str, str, str]:
    """(indicator, status, data) cells for a goal in the goal overviews."""
    spec = plan.spec if plan else load_spec()
    indicator = report_text(spec, "overview_indicator")
    if plan is None:
        return indicator, report_text(spec, "overview_missing", year=year), "Saknas"
    return (indicator, report_text(spec, "overview_status", year=year, summary=plan.status_summary(goal.id)),
            "Exempeldata" if plan.example else "Verklig")


def activities_only_note(strategy: Strategy, catalogue: Catalogue, spec: Spec | None = None) -> str | None:
    """Which goals rest on the handlingsplan's activities only (no catalogue indicator), or None."""
    goals = [g for g in strategy.goals if g.activities_only(catalogue)]
    if not goals:
        return None
    names = ", ".join(f"mål {g.number} ({g.title})" for g in goals)
    return report_text(spec or load_spec(), "activities_only", goals=names)


# --------------------------------------------------------------------------- the sections


def _rows_limit(report) -> int:
    """How many activities per table the report shows (limits.plan_rows_per_goal)."""
    from analysis.data.limits import limits

    return int(limits(report.results.config)["plan_rows_per_goal"])


def _rows_shown(report, table: pd.DataFrame) -> pd.DataFrame:
    """A long list of activities is cut in the report (limits.plan_rows_per_goal); its download keeps all."""
    return table.head(_rows_limit(report))


def _rows_note(report, plan, table: pd.DataFrame) -> None:
    if len(table) > _rows_limit(report):
        show_markdown("*" + report_text(plan.spec, "truncated", shown=_rows_limit(report), n=len(table)) + "*")


def plan_notes(report) -> None:
    """Why the plan section is incomplete: rows left out (goal renamed since the import), or no plan read."""
    plan = report.plan
    if getattr(report, "_plan_error", ""):
        show_markdown("::: {.callout-warning}\n"
                      + report_text(load_spec(), "unreadable", error=md_text(report._plan_error), county=report.area.county)
                      + "\n:::")
    elif plan is not None and plan.stale:
        show_markdown(f"::: {{.callout-warning}}\n{report_text(plan.spec, 'stale')}\n\n"
                      + "\n".join(f"- {md_text(line)}" for line in plan.stale) + "\n:::")


def show_activities_only_note(report) -> None:
    """The general note on goals followed up by the plan's activities only, where the strategy has such goals."""
    note = activities_only_note(report.results.strategy, report.catalogue)
    if note:
        show_markdown(f"*{md_text(note)}*")


def kommun_activities(report) -> None:
    """The activities of the län's handlingsplan that name this kommun as responsible."""

    plan, lan = report.plan, report.geo.county(report.area.county)
    plan_notes(report)
    if plan is None:
        show_markdown(report_text(load_spec(), "missing", year=report.year, county=report.area.county,
                                  county_name=lan.official))
        return
    if plan.example:
        show_markdown(f"::: {{.callout-warning}}\n{report_text(plan.spec, 'example_note', county=plan.county)}\n:::")
    rows = plan.for_kommun(report.area.name)
    if rows.empty:
        show_markdown(report_text(plan.spec, "kommun_none", year=report.year, kommun=report.area.name))
    else:
        show_markdown(report_text(plan.spec, "kommun_intro", year=report.year, kommun=report.area.name))
        table = activities_table(plan, rows, report.catalogue, report.results.strategy)
        title = caption(plan, "kommun_caption", year=report.year, kommun=report.area.name)
        notes = TableNotes(title, source_line(plan), example=plan.example)
        show_table(_rows_shown(report, table), title, report.download("handlingsplan", table, notes),
                   widths=[2, *ACTIVITY_WIDTHS], free_text=free_text_columns(plan))
        _rows_note(report, plan, table)
    show_markdown(f"*{source_line(plan, markdown=True)}*")


def action_plan(report) -> None:
    """Section "Handlingsplanens genomförande": per goal, counts by status and the activities."""

    plan, s = report.plan, report.results.strategy
    plan_notes(report)
    if plan is None:
        show_markdown(report_text(load_spec(), "missing", year=report.year, county=report.area.county,
                                  county_name=report.area.official))
        return
    if plan.example:
        show_markdown(f"::: {{.callout-warning}}\n{report_text(plan.spec, 'example_note', county=plan.county)}\n:::")
    show_markdown(report_text(plan.spec, "intro", year=report.year, n=len(plan.rows),
                              summary=plan.status_summary(), council=md_text(s.council)))
    title = caption(plan, "counts_caption", year=report.year)
    table = counts_table(plan, s)
    notes = TableNotes(title, source_line(plan), example=plan.example)
    show_table(table, title, report.download("handlingsplan-status", table, notes))
    for n, goal in enumerate(s.goals, start=1):
        show_markdown("### " + (report_text(plan.spec, "goal_heading", number=goal.number, title=md_text(goal.title))
                                if s.numbered_goals else md_text(goal.title)))
        rows = plan.for_goal(goal.id)
        if rows.empty:
            show_markdown(report_text(plan.spec, "no_activities"))
            continue
        show_markdown(f"**{plan.status_summary(goal.id).capitalize()}.**")
        title = caption(plan, "table_caption", year=report.year, number=goal.number, title=goal.title)
        table = activities_table(plan, rows, report.catalogue)
        notes = TableNotes(title, source_line(plan), example=plan.example)
        show_table(_rows_shown(report, table), title,
                   report.download(f"handlingsplan-mal-{goal.number}", table, notes, part=n),
                   widths=ACTIVITY_WIDTHS, free_text=free_text_columns(plan))
        _rows_note(report, plan, table)
    show_markdown(f"*{source_line(plan, markdown=True)}*")
