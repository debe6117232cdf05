"""The county report for Integrationsrådet: every kommun side by side with the län and riket, the status and
trend overviews, the handlingsplan's implementation and the text for the årsredovisning.

:class:`CountyReport` is the thin object ``notebooks/lan.ipynb`` calls; it is a :class:`~analysis.present.report.Report`
of the län with the county's own indicator section and sections.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.compute.results import Results
from analysis.domain.catalogue import Indicator
from analysis.present import builders, chartspec
from analysis.present.display import Parts, presents, show, show_chart, show_markdown, show_table  # noqa: F401
from analysis.present.report import Report


class CountyReport(Report):
    """The county report for Integrationsrådet: every kommun side by side with the län and riket."""

    def __init__(self, county: str, year: int, data_path: str | None = None, static_images: bool = True,
                 downloads_dir: str | None = None, figures_dir: str | None = None, include_plotlyjs: bool = True,
                 results_path: str | None = None, results: Results | None = None):
        from analysis.domain.geography import load_geography
        from analysis.present.params import check_code

        lan = load_geography().county(check_code("county", county))
        super().__init__(lan.code, year, data_path=data_path, static_images=static_images,
                         downloads_dir=downloads_dir, figures_dir=figures_dir, include_plotlyjs=include_plotlyjs,
                         results_path=results_path, results=results)
        self.kommuner = self.geo.kommuner_in(lan.county)

    def areas(self, ind: Indicator) -> list:
        areas = [k for k in self.kommuner if "kommun" in ind.levels]
        return areas + [self.area, self.geo.area("0000")]

    def shows_example(self, ind: Indicator, codes: list[str]) -> bool:
        """Whether a table of ``codes`` (its kommuner, the län, riket) shows example values in the report year,
        though the län's own rows (:meth:`is_example`) may have none."""
        return self.is_example(ind) or self.data_kind(ind, codes) == "Exempeldata"

    def areas_words(self, ind: Indicator) -> str:
        """What a county chart or table of ``areas`` shows: "länets kommuner, länet och riket" or "länet och riket"."""
        return "länets kommuner, länet och riket" if "kommun" in ind.levels else "länet och riket"

    def side_by_side(self, ind: Indicator) -> pd.DataFrame:
        """One row per area (:func:`analysis.present.builders.side_by_side`)."""
        areas = []
        for a in self.areas(ind):
            cmp = None if ind.is_native else ("lan" if a.level == "kommun" else "riket")
            f = self.figures(ind, a.code, comparison=cmp, name=a.name, level=a.level)
            f.data_kind = self.data_kind(ind, [a.code])
            areas.append(f)
        return builders.side_by_side(ind, self.results.baseline_year, areas)

    def gap_figure(self, ind: Indicator) -> tuple[go.Figure, str]:
        spec = self.gap_spec(ind)
        return chartspec.to_plotly(spec), spec.alt

    def gap_spec(self, ind: Indicator) -> chartspec.ChartSpec:
        """Bars sorted by value (missing last); the län and riket highlighted by colour, pattern and label
        (:func:`analysis.present.builders.gap_spec`)."""
        bars = []
        for a in self.areas(ind):
            if ind.is_native:
                g = self.gap_row(ind, a.code)
                v = None if g is None or g["status"] else float(g["gap"])
            else:
                v, s = self.value(ind, a.code, "total")
                v = None if s or pd.isna(v) else float(v)
            bars.append((a.name, v, a.level, self.margin(ind, a.code)))
        example = self.data_kind(ind, [a.code for a in self.areas(ind)]) == "Exempeldata"
        return builders.gap_spec(ind, self.year, bars, example)

    @presents
    def indicator(self, ind: Indicator | str) -> Parts:
        ind = self.catalogue.get(ind) if isinstance(ind, str) else ind
        gone = [self.missing(ind, a.code) for a in self.areas(ind)[:-1]]
        # no figures: neither the län nor any of its kommuner has any
        if self._shown_apart(ind, gone[-1] if all(m is not None for m in gone) else None):
            return
        shown, report_year = self.data_year(ind), self.year
        self.year = shown  # the latest election or survey up to the report year (else the report year itself)
        try:
            builders.county_section(self, ind, report_year)
        finally:
            self.year = report_year

    @presents
    def status_overview(self) -> Parts:
        """Per strategic goal: the län's status and how many kommuner got better or worse."""
        from analysis.present import overviews

        overviews.status_overview(self)

    @presents
    def action_plan(self) -> Parts:
        """Section "Handlingsplanens genomförande": per goal, counts by status and the activities."""
        from analysis.present import handlingsplan

        handlingsplan.action_plan(self)

    @presents
    def trend_overview(self) -> Parts:
        """The län's development per indicator from the baseline year to the report year."""
        from analysis.present import overviews

        overviews.trend_overview(self)

    def annual_report_text(self):
        """The text for the government's annual report (:func:`analysis.present.annual.annual_text`)."""
        from analysis.present import annual

        return annual.annual_text(self)

    def annual_sources(self) -> list[str]:
        """The sources of the real figures the county's årsredovisning text rests on."""
        from analysis.present import annual

        return annual.annual_sources(self)

    @presents
    def annual_report(self) -> Parts:
        """The årsredovisning text in the report: real sentences per goal, then example sentences in a marked box."""
        from analysis.present import annual

        annual.show_annual(self)

