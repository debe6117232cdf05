"""Per-län strategy files (``data/strategies/*.yml``): the goals a report follows up."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


from analysis import yamlio
from analysis.domain.catalogue import Catalogue, Indicator
from analysis.config import project_root
from analysis.errors import AnalysisError

REQUIRED = ("county", "name", "publisher", "baseline_year", "goals")


@dataclass(frozen=True)
class Goal:
    id: str
    number: int
    title: str
    goal: str
    focus_areas: tuple[str, ...]
    followed_up_outside_statistics: str | None = None
    #: followed up (also) through the handlingsplan's activities for the goal
    handlingsplan: bool = False

    def indicators(self, catalogue: Catalogue) -> list[Indicator]:
        return [i for area in self.focus_areas for i in catalogue.in_focus_area(area)]

    def activities_only(self, catalogue: Catalogue) -> bool:
        """True when no catalogue indicator follows the goal up: only the handlingsplan's activities do."""
        return not self.indicators(catalogue)


@dataclass(frozen=True)
class Strategy:
    county: str
    name: str
    publisher: str
    baseline_year: int
    goals: tuple[Goal, ...]
    period: tuple[int, int] | None = None
    council: str = "Integrationsrådet"
    source_document: str = ""
    purpose: str = ""
    default: bool = False  # the national default, used for a län without its own strategy file
    note: str = ""  # said plainly in the report when ``default`` (``{county_name}`` filled in)
    #: the goals are numbered strategic goals ("Strategiskt mål 3, Arbete"); false for one goal kept whole
    numbered_goals: bool = True

    def goal_for(self, focus_area: str) -> Goal | None:
        return next((g for g in self.goals if focus_area in g.focus_areas), None)

    def goal_heading(self, goal: Goal) -> str:
        """"Strategiskt mål 3, Arbete", or the goal's title where the strategy has one goal kept whole."""
        return f"Strategiskt mål {goal.number}, {goal.title}" if self.numbered_goals else goal.title

    def goal_cell(self, goal: Goal) -> str:
        """The goal in a table's first column: "3. Arbete", or the title of a goal kept whole."""
        return f"{goal.number}. {goal.title}" if self.numbered_goals else goal.title

    def goal_short(self, goal: Goal) -> str:
        """"Mål 3, Arbete", or the title of a goal kept whole."""
        return f"Mål {goal.number}, {goal.title}" if self.numbered_goals else goal.title


def parse_strategy(raw: dict, catalogue: Catalogue, origin: str = "strategy") -> Strategy:
    problems = [f"missing key {k!r}" for k in REQUIRED if k not in raw]
    goals = []
    for i, g in enumerate(raw.get("goals") or []):
        for key in ("id", "number", "title", "goal", "focus_areas"):
            if key not in g:
                problems.append(f"goals/{i}: missing key {key!r}")
        for area in g.get("focus_areas") or []:
            if area not in catalogue.focus_areas:
                problems.append(f"goals/{i}: focus area {area!r} is not in the catalogue")
        with_indicators = [a for a in g.get("focus_areas") or [] if catalogue.in_focus_area(a)]
        if not with_indicators and not g.get("handlingsplan"):
            problems.append(f"goals/{i}: a goal without catalogue indicators must be followed up through the "
                            "handlingsplan (handlingsplan: true)")
        if not problems:
            goals.append(Goal(**{**g, "focus_areas": tuple(g["focus_areas"])}))
    if problems:
        raise AnalysisError(f"{origin}: " + "; ".join(problems))
    return Strategy(
        county=str(raw["county"]).zfill(2),
        name=raw["name"],
        publisher=raw["publisher"],
        baseline_year=int(raw["baseline_year"]),
        goals=tuple(goals),
        period=tuple(raw["period"]) if raw.get("period") else None,
        council=raw.get("council", "Integrationsrådet"),
        source_document=raw.get("source_document", ""),
        purpose=raw.get("purpose", ""),
        default=bool(raw.get("default", False)),
        note=raw.get("note", ""),
        numbered_goals=bool(raw.get("numbered_goals", True)),
    )


DEFAULT_FILE = "nationell.yml"


def strategy_files(root: Path | None = None) -> list[Path]:
    """The regional strategy files (the national default is not one of them)."""
    root = root or project_root()
    return sorted(p for p in (root / "data" / "strategies").glob("*.yml") if p.name != DEFAULT_FILE)


@lru_cache(maxsize=16)
def load_strategy(county: str, root: Path | None = None) -> Strategy:
    """The strategy of a län, by länskod ("10", "08")."""
    from analysis.domain.catalogue import load_catalogue

    from analysis.domain.geography import load_geography

    root = root or project_root()
    county = str(county).zfill(2)
    load_geography(root).county(county)  # an unknown län: one Swedish line suggesting län
    catalogue = load_catalogue(root)
    found = []
    for path in strategy_files(root):
        raw = yamlio.read(path)
        found.append(str(raw.get("county", "?")).zfill(2))
        if found[-1] == county:
            return parse_strategy(raw, catalogue, str(path))
    default = root / "data" / "strategies" / DEFAULT_FILE
    if not default.is_file():
        raise AnalysisError(
            f"Ingen strategifil för län {county} i data/strategies/ (finns för: {', '.join(found) or 'inga'}) "
            f"och ingen nationell standardstrategi ({DEFAULT_FILE})."
        )
    raw = yamlio.read(default)
    publisher = default_publisher(county, raw.get("publisher"), root)
    strategy = parse_strategy({**raw, "county": county, "default": True, "publisher": publisher},
                              catalogue, str(default))
    return strategy


def default_publisher(county: str, template: str | None, root: Path) -> str:
    """Who publishes a report for a län without its own strategy: ``organisation`` in analysis.yml, else the
    national file's ``publisher`` with the län filled in ("Länsstyrelsen i Norrbottens län")."""
    from analysis.config import load_config
    from analysis.domain.geography import load_geography

    configured = load_config(root).organisation
    if configured:
        return configured
    county_name = load_geography(root).area("00" + county).official
    return (template or "Länsstyrelsen i {county_name}").format(county_name=county_name)
