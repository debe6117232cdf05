"""The handlingsplan (the strategy's one-year action plan) as declared: columns, statuses, goal matching, the plan.

One row per activity: year, strategy goal, activity, responsible organisation(s), status, comment and an
optional catalogue indicator. Columns, statuses and every Swedish text are declared in
``data/handlingsplan/handlingsplan.yml`` (:class:`Spec`).

This module is the declaration only; the plan's stages live where they belong:

* :mod:`analysis.data.handlingsplan` writes the XLSX template, reads and validates a filled file, imports it
  with provenance and loads a county's plan for a year (:class:`Plan`);
* :mod:`analysis.present.handlingsplan` turns a plan into the report's tables, captions and sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis import yamlio
from analysis.config import project_root
from analysis.domain.catalogue import Catalogue
from analysis.domain.geography import fold
from analysis.domain.strategy import Goal, Strategy

SPEC_FILE = Path("data/handlingsplan/handlingsplan.yml")


# --------------------------------------------------------------------------- declaration


@dataclass(frozen=True)
class Spec:
    raw: dict

    @property
    def columns(self) -> list[dict]:
        return self.raw["columns"]

    @property
    def ids(self) -> list[str]:
        return [c["id"] for c in self.columns]

    def label(self, col: str) -> str:
        return next(c["label"] for c in self.columns if c["id"] == col)

    @property
    def required(self) -> list[str]:
        return [c["id"] for c in self.columns if c.get("required")]

    @property
    def statuses(self) -> list[dict]:
        return self.raw["statuses"]

    def status_label(self, status_id: str) -> str:
        return next(s["label"] for s in self.statuses if s["id"] == status_id)

    def status_plural(self, status_id: str) -> str:
        return next(s["plural"] for s in self.statuses if s["id"] == status_id)

    def msg(self, key: str, **kw) -> str:
        return self.raw["messages"][key].format(**kw)


@lru_cache(maxsize=4)
def load_spec(root: Path | None = None) -> Spec:
    root = root or project_root()
    return Spec(yamlio.read(root / SPEC_FILE))


def goal_choice(goal: Goal) -> str:
    """How a goal appears in the drop-down list and in the file: "5. Samarbete mellan offentliga aktörer"."""
    return f"{goal.number}. {goal.title}"


def norm(text: str) -> str:
    """Text as compared when matching a cell: folded (case, accents) and single-spaced."""
    return re.sub(r"\s+", " ", fold(str(text))).strip()


def goal_lookup(strategy: Strategy) -> dict[str, str]:
    out = {}
    for g in strategy.goals:
        for form in (goal_choice(g), str(g.number), g.id, g.title, f"mål {g.number}", f"{g.number} {g.title}"):
            out[norm(form)] = g.id
    return out


def indicator_choice(ind) -> str:
    """How an indicator appears in the template's drop-down list and in the file: its title, not its id."""
    return ind.title


def indicator_lookup(catalogue: Catalogue) -> dict[str, str]:
    """Title, short title or id (any case, accents optional) -> the indicator's id."""
    return {norm(form): i.id for i in catalogue for form in (i.id, i.short_title, indicator_choice(i))}


def status_lookup(spec: Spec) -> dict[str, str]:
    return {norm(form): s["id"] for s in spec.statuses for form in (s["label"], s["id"])}



# --------------------------------------------------------------------------- the plan


@dataclass
class Plan:
    """A county's handlingsplan for one year, as shown in the reports."""

    county: str
    year: int
    rows: pd.DataFrame  # year, goal, activity, responsible, status, comment, indicator, line
    example: bool
    meta: dict
    file: Path
    spec: Spec
    #: rows of the file left out because their goal is no longer in the strategy (one line each, Swedish)
    stale: tuple[str, ...] = ()

    def for_goal(self, goal_id: str) -> pd.DataFrame:
        return self.rows[self.rows["goal"] == goal_id]

    def counts(self, goal_id: str | None = None) -> dict[str, int]:
        rows = self.rows if goal_id is None else self.for_goal(goal_id)
        vc = rows["status"].value_counts()
        return {s["id"]: int(vc.get(s["id"], 0)) for s in self.spec.statuses}

    def status_summary(self, goal_id: str | None = None) -> str:
        """"2 genomförda, 1 pågår, 1 ej påbörjade" (only statuses that occur); "inga aktiviteter"."""
        parts = [f"{n} {self.spec.status_plural(s) if n != 1 else self.spec.status_label(s)}"
                 for s, n in self.counts(goal_id).items() if n]
        return ", ".join(parts) if parts else "inga aktiviteter"

    def responsible_names(self, row) -> list[str]:
        return [p.strip() for p in str(row["responsible"]).split(self.spec.raw["separator"]) if p.strip()]

    def for_kommun(self, kommun_name: str) -> pd.DataFrame:
        """Activities naming the kommun among the responsible (or all the län's kommuner)."""
        everyone = {norm(w) for w in self.spec.raw["all_kommuner"]}
        name = norm(kommun_name)
        pattern = re.compile(rf"(^|[^a-z]){re.escape(name)}s?([^a-z]|$)")  # "Karlshamns kommun"

        def names_kommun(row) -> bool:
            return any(norm(p) in everyone or pattern.search(norm(p)) for p in self.responsible_names(row))

        return self.rows[self.rows.apply(names_kommun, axis=1)] if len(self.rows) else self.rows
