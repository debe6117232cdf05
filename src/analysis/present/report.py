"""Presentation for the notebooks: headlines, goal status, charts and tables from library results.

Nothing here computes a gap: every number comes from :mod:`analysis.compute.results` (one computation path).
The methods marked ``@presents`` return :class:`~analysis.present.display.Parts` (text, charts, tables) and show
nothing themselves: the notebook displays them (last expression of a cell, or ``show(...)``), so an analyst can
inspect and change them first. How the objects become notebook outputs is :mod:`analysis.present.display`.

:class:`Report` is the thin object the notebooks call: it selects from the results, and its section methods are
one-liners over the builders (:mod:`~analysis.present.builders`, :mod:`~analysis.present.overviews`,
:mod:`~analysis.present.handlingsplan`, :mod:`~analysis.present.annual`); comparison levels such as the
kommungrupp are components (``report.level(name)``, :mod:`analysis.present.levels`). The county report is
:mod:`analysis.present.county_report`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from analysis.present import chartspec, fmt
from analysis.compute import coverage
from analysis.domain.catalogue import Indicator
from analysis.present.escape import md_text as md  # free text from YAML, plans and imports: literal
from analysis.present.display import Download, Parts, configure, presents, show, show_chart, show_figure, show_markdown, show_table  # noqa: F401
from analysis.present.downloads import TableNotes, sheet_name, slugify, write_table
from analysis.present.comparison import GROUP_LEVEL  # noqa: F401 - registers the kommungrupp level
from analysis.present.levels import LevelComponent, components, with_level_series
from analysis.present.levels import component as level_component
from analysis.present import narrative
from analysis.present.narrative import status_line, status_word
from analysis.compute.results import Results, load_results
from analysis.present import builders


def _gap_pair(row) -> tuple[float, str] | None:
    """(gap, status) of a gaps row, or None."""
    return None if row is None else (row["gap"], row["status"])


class Report:
    """Presentation of one area's results (kommun or län) for the notebooks."""

    def __init__(self, code: str, year: int, data_path: str | None = None, static_images: bool = True,
                 results: Results | None = None, downloads_dir: str | None = None, figures_dir: str | None = None,
                 include_plotlyjs: bool = True, results_path: str | None = None):
        """``results_path``: the computed results (artefact folder written by ``analysis render``); the
        report then only reads them. Without it the results are computed from ``data_path``."""
        from analysis.present.params import check_code

        check_code("municipality" if not isinstance(code, str) or len(code) == 4 else "county", code)
        from analysis.domain.geography import load_geography

        # a code, or a name as on the command line ("Kalmar", "Solvesborg"): the CLI's Geography.find
        area = load_geography().find(code)
        code = area.code
        if results is None and results_path:
            from analysis.compute.artefact import open_results

            results = open_results(results_path, code, year)
        self.results = results or load_results(year=year, county=area.county, data=data_path or None)
        self.area = area
        self.code = code
        self.year = int(year)
        self.static = static_images
        self.downloads = Path(downloads_dir) if downloads_dir else None
        configure(static_images=static_images, figures_dir=figures_dir, include_plotlyjs=include_plotlyjs)
        self.geo = self.results.geography
        self.catalogue = self.results.catalogue

    @property
    def plan(self):
        """The län's handlingsplan for the report year (:mod:`analysis.data.handlingsplan`), or None."""
        if not hasattr(self, "_plan"):
            from analysis.errors import AnalysisError

            self._plan_error = ""
            try:
                self._plan = self.results.plan(self.area.county)
            except (AnalysisError, OSError, ValueError) as exc:  # a broken plan costs its section, not the report
                self._plan, self._plan_error = None, str(exc).splitlines()[0]
        return self._plan

    # -- selection (no arithmetic) ------------------------------------------------------------

    def shown_code(self, ind: Indicator) -> str:
        """The area whose values are shown: the kommun, or its län when the indicator has no kommun level."""
        if self.area.level == "kommun" and "kommun" not in ind.levels and "lan" in ind.levels:
            return self.area.county_code
        return self.code

    def chain(self, ind: Indicator) -> list:
        start = self.shown_code(ind)
        return self.geo.comparison_areas(start)

    def level(self, name: str) -> LevelComponent:
        """The component of a comparison level (:mod:`analysis.present.levels`), e.g. ``level("kommungrupp")``."""
        return level_component(self, name)

    def _level_cells(self, ind: Indicator | None) -> dict[str, str]:
        """The goal overview's columns of every comparison level (the kommungrupp's: ``Kommungruppen``)."""
        return {k: v for level in components(self) for k, v in level.overview_cell(ind).items()}

    def _rows(self, table: str, ind: Indicator, **where) -> pd.DataFrame:
        """The indicator's rows of a results table where every column named equals its value (read-only)."""
        return self.results.rows(table, ind.id, **where)

    def _row(self, table: str, ind: Indicator, **where):
        """The first row of :meth:`_rows`, or None (read-only)."""
        return self.results.row(table, ind.id, **where)

    def _once(self, name: str, ind: Indicator, make):
        """``make()`` computed once per indicator for this report (selections read several times)."""
        cache = self.__dict__.setdefault("_once_cache", {})
        if (name, ind.id) not in cache:
            cache[(name, ind.id)] = make()
        return cache[(name, ind.id)]

    def tidy(self, ind: Indicator) -> pd.DataFrame:
        return self._rows("tidy", ind)

    def gap_row(self, ind: Indicator, code: str, sex: str = "T", comparison: str | None = None):
        comparison = comparison or ("inrikes" if ind.is_native else ("lan" if len(code) == 4 and not code.startswith("00") else "riket"))
        return self._row("gaps", ind, geo_code=code, year=self.year, sex=sex, comparison=comparison)

    def trend_row(self, ind: Indicator, code: str, sex: str = "T"):
        return self._row("trends", ind, geo_code=code, sex=sex)

    def previous(self, ind: Indicator, code: str) -> float | None:
        """The measure the trend judges (the gap, or the level without a native group) the year before the report
        year, or None where it is missing or hidden."""
        if ind.is_native:
            row = self._row("gaps", ind, geo_code=code, year=self.year - 1, sex="T", comparison="inrikes")
            return None if row is None or row["status"] != "" or pd.isna(row["gap"]) else float(row["gap"])
        v, s = self.value(ind, code, "total", year=self.year - 1)
        return None if s or pd.isna(v) else float(v)

    def margin(self, ind: Indicator, code: str, sex: str = "T") -> float | None:
        """The 95 % margin of error of what the county's bars show for an area (the gap: √(m_utrikes² + m_inrikes²),
        two independent samples; else the level's own), or None where the data have none."""
        groups = ("utrikes", "inrikes") if ind.is_native else ("total",)
        rows = [self._row("tidy", ind, geo_code=code, group=g, sex=sex, year=self.year) for g in groups]
        margins = [None if r is None or pd.isna(r.get("margin")) else float(r["margin"]) for r in rows]
        if any(m is None for m in margins):
            return None
        return sum(m * m for m in margins) ** 0.5

    def trend_text(self, ind: Indicator, code: str) -> str:
        """The trend sentence since the baseline, and the last year's direction where it runs against it."""
        from analysis.present import narrative

        row = self.trend_row(ind, code)
        last = narrative.last_year_sentence(ind, row, self.previous(ind, code))
        return narrative.trend_sentence(ind, row) + (f" {last}" if last else "")

    def missing(self, ind: Indicator, code: str | None = None) -> coverage.Missing | None:
        """Why the shown area (or ``code``) has no figures for the report year, or None when it has rows."""
        return coverage.missing(ind, code or self.shown_code(ind), self.year, self.tidy(ind), self.geo,
                                self.results.config.county)

    @presents
    def missing_note(self, ind: Indicator, missing: coverage.Missing) -> Parts:
        """"Uppgift saknas" with its reason and how to get the figures, in place of headline, chart and tables."""
        show_markdown(f"::: {{.callout-note}}\n**{coverage.MISSING_TITLE}.** {missing.reason[:1].upper()}"
                      f"{missing.reason[1:]}. {missing.how}\n:::")

    def is_example(self, ind: Indicator) -> bool:
        return self._once("example", ind, lambda: any(
            bool(self._rows("tidy", ind, geo_code=a.code)["example"].any()) for a in self.chain(ind)))

    def data_kind(self, ind: Indicator, codes: list[str] | None = None) -> str:
        """"Exempeldata", "Verklig" or "Saknas" for the report year's rows of ``codes`` (default: the shown area)."""
        parts = [self._rows("tidy", ind, geo_code=c, year=self.year) for c in (codes or [self.shown_code(ind)])]
        if any(p["example"].any() for p in parts):
            return "Exempeldata"
        return "Verklig" if any(p["value"].notna().any() for p in parts) else "Saknas"

    def data_kind_latest(self, ind: Indicator, code: str) -> str:
        """:meth:`data_kind` for the year the indicator is shown for (election and survey years)."""
        report_year = self.year
        self.year = self.data_year(ind)
        try:
            return self.data_kind(ind, [code])
        finally:
            self.year = report_year

    def value(self, ind: Indicator, code: str, group: str, sex: str = "T", year: int | None = None):
        sel = self._row("tidy", ind, geo_code=code, group=group, sex=sex, year=year or self.year)
        return (sel["value"], sel["status"]) if sel is not None else (float("nan"), "..")

    # -- text -----------------------------------------------------------------------------------

    def headline(self, ind: Indicator) -> str:
        code = self.shown_code(ind)
        name = self.geo.area(code).name
        if ind.is_native:
            u, su = self.value(ind, code, "utrikes")
            i, si = self.value(ind, code, "inrikes")
            gap = self.gap_row(ind, code)
            diff = fmt.gap(gap["gap"], ind.diff_unit, status=gap["status"]) if gap is not None else ".."
            rounding = "" if gap is None or gap["status"] or su or si else narrative.rounding_note(ind, u, i, gap["gap"])
            margin = None if gap is None or gap["status"] else self.margin(ind, code)
            text = (
                f"**{ind.short_title} {self.year}:** {ind.group_label('utrikes')} "
                f"{fmt.with_unit(u, ind.unit, status=su)}, {ind.group_label('inrikes')} "
                f"{fmt.with_unit(i, ind.unit, status=si)} – skillnad {diff}{rounding}"
            )
            if gap is not None and gap["status"] == "" and gap["worse_off"] in ("subject", "reference"):
                who = ind.group_label("utrikes") if gap["worse_off"] == "subject" else ind.group_label("inrikes")
                text += f" (sämre för {who})"
            if margin is not None:  # survey data: the gap's margin of error (95 %)
                text += f", felmarginal ±{fmt.difference(margin, ind.diff_unit, ind.decimals)}"
        else:
            parts = []
            for a in self.chain(ind):
                v, s = self.value(ind, a.code, "total")
                parts.append(f"{a.name} {fmt.with_unit(v, ind.unit, status=s)}")
            text = f"**{ind.short_title} {self.year}:** " + ", ".join(parts)
        text = text.replace(f"**{ind.short_title} {self.year}:**", f"**{ind.short_title} {self.year}, {name}:**", 1)
        if code != self.code:
            text += (f"\n\nUppgiften finns bara på länsnivå. Värdena gäller **{name}**, inte "
                     f"{self.area.name}.")
        return text

    def status(self, ind: Indicator, code: str | None = None, sex: str = "T") -> str:
        code = code or self.shown_code(ind)
        return status_line(ind, self.trend_row(ind, code, sex))

    # -- chart and its table ---------------------------------------------------------------------

    def series(self, ind: Indicator) -> list[tuple[str, str, str, pd.DataFrame]]:
        """(label, group, level, rows by year) for every line of the trend chart (made once per indicator:
        the chart, its description and its two tables read it). Read-only."""
        return self._once("series", ind, lambda: self._series(ind))

    def _series(self, ind: Indicator) -> list[tuple[str, str, str, pd.DataFrame]]:
        out = []
        groups = ["utrikes", "inrikes"] if ind.is_native else ["total"]
        for area in self.chain(ind):
            for grp in groups:
                rows = self._rows("tidy", ind, geo_code=area.code, group=grp, sex="T")
                rows = rows[rows["year"] <= self.year].sort_values("year")
                if rows.empty:
                    continue
                label = f"{area.name} – {ind.group_label(grp)}" if ind.is_native else area.name
                out.append((label, grp, area.level, rows))
        return with_level_series(self, ind, out)

    def trend_figure(self, ind: Indicator) -> go.Figure:
        return chartspec.to_plotly(self.trend_spec(ind))

    def trend_spec(self, ind: Indicator) -> chartspec.ChartSpec:
        """The trend chart: the area's, its comparison levels', the län's and riket's lines over the years
        (:func:`analysis.present.builders.trend_spec`)."""
        return builders.trend_spec(ind, self.series(ind), self.geo.area(self.shown_code(ind)).level)

    def trend_title(self, ind: Indicator) -> str:
        """The trend chart's caption (:func:`analysis.present.builders.trend_title`)."""
        area = self.geo.area(self.shown_code(ind))
        return builders.trend_title(ind, area.name, area.level, self.series(ind),
                                    [(level.versus, level.series(ind)) for level in components(self)])

    def chart_alt(self, ind: Indicator) -> str:
        return builders.trend_alt(ind, self.series(ind))

    def chart_table(self, ind: Indicator) -> pd.DataFrame:
        """The numbers behind the trend chart, formatted in Swedish."""
        return builders.trend_table(ind, self.series(ind))

    def figures(self, ind: Indicator, code: str, sex: str = "T", comparison: str | None = None,
                name: str = "", level: str = "") -> builders.Figures:
        """One area's figures for the report year, selected from the results (what the tables print).
        ``comparison``: the gap's comparison (default: utrikes − inrikes, else the area against the next level)."""
        native = ind.is_native
        return builders.Figures(
            name=name or self.geo.area(code).name, level=level or self.geo.area(code).level,
            utrikes=self.value(ind, code, "utrikes", sex) if native else (float("nan"), ".."),
            inrikes=self.value(ind, code, "inrikes", sex) if native else (float("nan"), ".."),
            total=(float("nan"), "..") if native else self.value(ind, code, "total", sex),
            gap=_gap_pair(self.gap_row(ind, code, sex, comparison=comparison)),
            margin=self.margin(ind, code, sex) if native else None,
            development=status_word(self.trend_row(ind, code, sex), ind))

    def headline_figures(self, ind: Indicator) -> dict:
        """The headline's figures for the report model (:class:`analysis.present.model.Headline`): the shown
        area's values, gap, margin and development in the shown year."""
        from dataclasses import asdict

        code = self.shown_code(ind)
        figures = self.figures(ind, code)
        figures.data_kind = self.data_kind(ind, [code])
        return {"indicator": ind.id, "area": code, "year": self.year, "unit": ind.unit, "figures": asdict(figures)}

    def sex_table(self, ind: Indicator) -> pd.DataFrame | None:
        code = self.shown_code(ind)
        present_sexes = set(self._rows("tidy", ind, geo_code=code, year=self.year)["sex"])
        if not ind.sex_split or not {"K", "M"} <= present_sexes:
            return None
        return builders.sex_table(ind, self.results.baseline_year, self.geo.area(code).name,
                                  {sex: self.figures(ind, code, sex) for sex in ("K", "M", "T")})

    def sex_examples(self, ind: Indicator) -> list[bool]:
        """Whether each row of :meth:`sex_table` (Kvinnor, Män, Totalt) shows example values."""
        code = self.shown_code(ind)
        return [bool(self._rows("tidy", ind, geo_code=code, year=self.year, sex=sex)["example"].any())
                for sex in ("K", "M", "T")]

    def chart_data(self, ind: Indicator) -> pd.DataFrame:
        """The chart's numbers for download: one row per area, group and year, values as numbers."""
        return builders.trend_data(ind, self.series(ind))

    def notes(self, ind: Indicator | None, title: str, extra: list[str] | None = None) -> TableNotes:
        if ind is None:
            return TableNotes(title, "Sammanställning av rapportens indikatorer; se respektive indikators källa. "
                                     "Egen bearbetning.", example=self.results.has_example_data, extra=extra or [])
        example = self.is_example(ind)
        source = "Exempeldata – inte verklig statistik" if example else self.results.attribution(ind)
        return TableNotes(title, source, ind.definition, ind.unit, example, extra or [])

    def download(self, slug: str, data: pd.DataFrame, notes: TableNotes, ind: Indicator | None = None,
                 part: int = 0) -> Download | None:
        """The table's CSV/XLSX, written when the chart or table linking them is displayed (and the report
        collects downloads)."""
        if data.empty:
            return None  # nothing to download: the report says "uppgift saknas" instead
        order = (self.catalogue.ids().index(ind.id) if ind is not None else -1, part)
        name = slugify(f"{self.area.code}-{slug}")
        notes = notes if notes.sheet else replace(notes, sheet=sheet_name(slug, ind))
        folder = self.downloads
        return Download(name, lambda: None if folder is None else write_table(folder, name, data, notes, order),
                        notes=notes, order=order)

    # -- shared pieces ------------------------------------------------------------------------------

    def _intro(self, ind: Indicator) -> None:
        show_markdown(f"### {md(ind.title)}")
        if self.is_example(ind):
            show_markdown(f"::: {{.callout-warning}}\n{builders.EXAMPLE_NOTE}\n:::")

    def _mark(self, ind: Indicator, caption: str) -> str:
        """A table caption with the example-data mark in front when the table shows example values."""
        return builders.marked(caption, self.is_example(ind))

    def _source_note(self, ind: Indicator) -> None:
        source = "Exempeldata – inte verklig statistik" if self.is_example(ind) else self.results.attribution(ind)
        show_markdown(f"*{md(ind.definition)}* {md(source)}.")

    # -- what the notebooks call -------------------------------------------------------------------

    @presents
    def goal(self, focus_area: str) -> Parts:
        """The strategy's goal for a focus area, quoted with its source."""
        from analysis.present import overviews

        overviews.goal(self, focus_area)

    def data_year(self, ind: Indicator) -> int:
        """The year an indicator is shown for: the report year, or for one measured only in election or survey
        years the latest such year with figures up to it (e.g. the 2022 election in a 2024 report)."""
        if not ind.shows_latest:
            return self.year
        rows = self._rows("tidy", ind, geo_code=self.shown_code(ind))
        years = rows.loc[rows["year"] <= self.year, "year"]
        return int(years.max()) if len(years) else self.year

    def _shown_apart(self, ind: Indicator, gone: coverage.Missing | None) -> bool:
        """An indicator's section without figures (``gone`` says why) or by birth region (values with their
        intervals, as the source groups them); whether it was shown so."""
        if gone is not None:
            show_markdown(f"### {md(ind.title)}")
            self.missing_note(ind, gone)
            show_markdown(f"*{md(ind.definition)}* Källa: {md(ind.producer)}, {md(ind.source['statistic'])}.")
            return True
        if ind.birth_regions:
            from analysis.present import birth_regions

            birth_regions.show(self, ind)
            return True
        return False

    @presents
    def indicator(self, ind: Indicator | str) -> Parts:
        ind = self.catalogue.get(ind) if isinstance(ind, str) else ind
        if self._shown_apart(ind, self.missing(ind)):
            return
        shown, report_year = self.data_year(ind), self.year
        if shown != report_year:  # e.g. the latest election: every part of the indicator shows its year
            self.year = shown
            try:
                show_markdown(f"### {ind.title}")
                show_markdown(f"*Senaste val: {shown}. Valdeltagandet mäts bara valår (vart fjärde år); "
                              f"rapportåret är {report_year}.*" if ind.election_years else
                              f"*Senaste mätning: {shown}; rapportåret är {report_year}.*")
                builders.indicator_section(self, ind, intro=False)
            finally:
                self.year = report_year
            return
        builders.indicator_section(self, ind)

    def narrative(self, ind: Indicator) -> str:
        """One or two generated sentences for the shown area (see :mod:`analysis.present.narrative`)."""
        from analysis.present import narrative

        code = self.shown_code(ind)
        name = self.geo.area(code).name
        if ind.is_native:
            first = narrative.gap_sentence(ind, name, self.year, self.gap_row(ind, code))
        else:
            v, st = self.value(ind, code, "total")
            cmp = "lan" if self.geo.area(code).level == "kommun" else "riket"
            first = narrative.level_sentence(ind, name, self.year, v, st, self.gap_row(ind, code, comparison=cmp),
                                             "länet" if cmp == "lan" else "riket")
        group = " ".join(text for level in components(self) if (text := level.sentence(ind)))
        return first + (f" {group}" if group else "") + " " + self.trend_text(ind, code)

    @presents
    def focus_area(self, focus_area: str) -> Parts:
        for ind in self.catalogue.in_focus_area(focus_area):
            self.indicator(ind)

    @presents
    def goal_overview(self) -> Parts:
        """Summary: every strategy goal with its indicators' gap and status for the area, län and riket."""
        from analysis.present import overviews

        overviews.goal_overview(self)

    @presents
    def more_focus_areas(self, shown: list[str]) -> Parts:
        """The strategy's focus areas the notebooks do not show in sections of their own (``shown``)."""
        from analysis.present import overviews

        overviews.more_focus_areas(self, shown)

    @presents
    def kommun_activities(self) -> Parts:
        """The activities of the län's handlingsplan that name this kommun as responsible."""
        from analysis.present import handlingsplan

        handlingsplan.kommun_activities(self)

def __getattr__(name: str):
    """``from analysis.present.report import CountyReport`` still works: the class is in
    :mod:`analysis.present.county_report` (imported on first use, it imports this module)."""
    if name == "CountyReport":
        from analysis.present.county_report import CountyReport

        return CountyReport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
