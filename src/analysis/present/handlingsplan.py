"""The handlingsplan in the report: the tables, captions and sentences a plan is shown with (no display).

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
from analysis.present.escape import md_text


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
