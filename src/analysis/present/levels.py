"""Comparison levels beside kommun, län and riket: a registry, name -> component.

The report's body (:class:`analysis.present.report.Report`) asks every registered level, in order, for what
it adds at fixed places: a line under the headline figures, a sentence in the narrative, lines in the trend
chart (with their style), a note under the chart and in its download, a column of the goal overview, a
place among other kommuner, an overview section, and the county report's view. A level answers with
nothing where it has nothing (:class:`LevelComponent`'s defaults). The kommungrupp
(:mod:`analysis.present.comparison`) is one entry; a second level is one more entry and its component::

    register(ComparisonLevel("region", dash="dot", symbol="square", colour="#777777", component=RegionLevel))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


class LevelComponent:
    """What one comparison level shows in one report. Made per report (``component(report)``)."""

    #: the level's name in a chart title: "…, Ronneby jämfört med <versus>, länet och riket"
    versus: str = ""

    def __init__(self, report):
        self.report = report

    def headline(self, ind) -> str:
        """A line under the indicator's headline figures ("" for none)."""
        return ""

    def sentence(self, ind) -> str:
        """A sentence in the indicator's narrative ("" for none)."""
        return ""

    def series(self, ind) -> list:
        """Trend-chart lines: (label, group, level name, rows by year), drawn after the kommun's own."""
        return []

    def chart_note(self, ind) -> str:
        """A note under the trend chart (markdown, "" for none)."""
        return ""

    def download_notes(self, ind) -> list[str]:
        """Notes for the trend chart's download."""
        return []

    def overview_cell(self, ind) -> dict[str, str]:
        """Columns of the goal overview for the indicator's row (``ind`` None: a row without an indicator)."""
        return {}

    def show_position(self, ind) -> None:
        """Parts after the trend chart and its table (e.g. a place among other kommuner)."""

    def show_overview(self) -> None:
        """Parts after the goal overview."""

    def show_county(self, ind) -> None:
        """Parts of the county report's indicator section, after its map."""


@dataclass(frozen=True)
class ComparisonLevel:
    name: str  # the level's name in the trend chart's series (e.g. "kommungrupp")
    dash: str  # its trend line: plotly dash ("dashdot") …
    symbol: str  # … marker symbol ("triangle-up") …
    colour: str  # … and colour where the chart shows totals
    component: Callable[[object], LevelComponent]


COMPARISON_LEVELS: dict[str, ComparisonLevel] = {}


def register(level: ComparisonLevel) -> ComparisonLevel:
    COMPARISON_LEVELS[level.name] = level
    return level


def unregister(name: str) -> None:
    COMPARISON_LEVELS.pop(name, None)


def components(report) -> list[LevelComponent]:
    """The registered levels' components for ``report`` (made once per report and registry content)."""
    key = tuple(COMPARISON_LEVELS)
    cached = report.__dict__.get("_level_components")
    if cached is None or cached[0] != key:
        cached = (key, [level.component(report) for level in COMPARISON_LEVELS.values()])
        report.__dict__["_level_components"] = cached
    return cached[1]


def component(report, name: str) -> LevelComponent:
    """The component of the registered level ``name`` for ``report`` (``report.level(name)``)."""
    return dict(zip(COMPARISON_LEVELS, components(report)))[name]


def with_level_series(report, ind, series: list) -> list:
    """A trend chart's series with every comparison level's lines right after the kommun's own."""
    extra = [s for level in components(report) for s in level.series(ind)]
    if not extra:
        return series
    n_own = sum(1 for s in series if s[2] == "kommun")
    return series[:n_own] + extra + series[n_own:]
