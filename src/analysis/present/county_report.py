"""The county report for Integrationsrådet: every kommun side by side with the län and riket, the status and
trend overviews, the handlingsplan's implementation and the text for the årsredovisning.

:class:`CountyReport` is the thin object ``notebooks/lan.ipynb`` calls; it is a :class:`~analysis.present.report.Report`
of the län with the county's own indicator section and sections.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.compute.gaps import UNKNOWN
from analysis.compute.results import Results
from analysis.domain.catalogue import Indicator
from analysis.present import builders, chartspec, fmt, narrative
from analysis.present.display import Parts, presents, show, show_chart, show_markdown, show_table  # noqa: F401
from analysis.present.downloads import TableNotes
from analysis.present.escape import md_text as md
from analysis.present.levels import components
from analysis.present.report import ACTIVITY_WIDTHS, Report, measure_label, status_word


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
        if all(m is not None for m in gone):  # neither the län nor any of its kommuner has figures
            show_markdown(f"### {md(ind.title)}")
            self.missing_note(ind, gone[-1])
            show_markdown(f"*{md(ind.definition)}* Källa: {md(ind.producer)}, {md(ind.source['statistic'])}.")
            return
        if ind.birth_regions:  # groups by birth region as the source has them: values with their intervals
            from analysis.present import birth_regions

            birth_regions.show(self, ind)
            return
        shown, report_year = self.data_year(ind), self.year
        self.year = shown  # the latest election or survey up to the report year (else the report year itself)
        try:
            self._county_indicator_body(ind, report_year)
        finally:
            self.year = report_year

    def _county_indicator_body(self, ind: Indicator, report_year: int) -> None:
        self._intro(ind)
        if self.year != report_year:
            show_markdown(f"*Senaste {'val' if ind.election_years else 'mätning'}: {self.year}; rapportåret är "
                          f"{report_year}.*")

        show_markdown(self.headline(ind) + "\n\n" + self.trend_text(ind, self.code),
                      headline=self.headline_figures(ind))
        spec = self.gap_spec(ind)
        caption = self._mark(ind, f"{ind.title} {self.year}: {self.areas_words(ind)}.")
        table = self.side_by_side(ind)
        links = self.download(f"{ind.id}-jamforelse", table, self.notes(ind, caption), ind, 1)
        shows = "skillnaden mellan utrikes och inrikes födda" if ind.is_native else "värdet"
        bars = (" Inom parentes: felmarginalen (95 %)." if any(self.margin(ind, a.code) is not None
                                                                for a in self.areas(ind)) else "")
        show_chart(spec, f"{ind.title} {self.year}, {shows}: {self.areas_words(ind)}.{bars}", static=self.static,
                   links=links)
        show_table(table, caption, links)
        from analysis.present.maps import county_map

        county_map(self, ind)  # the kommuner on a map, with its table and downloads (native comparison only)
        for level in components(self):
            level.show_county(ind)
        self._source_note(ind)

    @presents
    def status_overview(self) -> Parts:
        """Per strategic goal: the län's status and how many kommuner got better or worse."""
        from analysis.present.overviews import StatusRow, status_caption, status_table

        rows = []
        for goal in self.results.strategy.goals:
            cell = self.results.strategy.goal_cell(goal)
            inds = goal.indicators(self.catalogue)
            if not inds:
                from analysis.present.handlingsplan import overview_cells

                what, status, kind = overview_cells(self.plan, goal, self.year)
                rows.append(StatusRow(cell, what, status, kind))
            for ind in inds:
                kommuner = []
                if "kommun" in ind.levels:
                    kommuner = [t["status"] if (t := self.trend_row(ind, k.code)) is not None else UNKNOWN
                                for k in self.kommuner]
                rows.append(StatusRow(cell, ind.short_title, status_word(self.trend_row(ind, self.code), ind),
                                      self.data_kind(ind, [a.code for a in self.areas(ind)][:-1]), kommuner,
                                      county_only="kommun" not in ind.levels))
        one_goal = not self.results.strategy.numbered_goals and len(self.results.strategy.goals) == 1
        caption = status_caption(self.year, self.results.baseline_year,
                                 self.results.strategy.goals[0].title if one_goal else None)
        table = status_table(rows, one_goal)
        show_table(table, caption, self.download("maluppfyllelse-lan", table, self.notes(None, caption)))
        # one sentence per goal: the strategy's own words where it has them, the general note only otherwise
        only = [g for g in self.results.strategy.goals if g.activities_only(self.catalogue)]
        if any(not g.followed_up_outside_statistics for g in only):
            self._activities_only_note()
        for goal in self.results.strategy.goals:
            if goal.followed_up_outside_statistics:
                show_markdown(f"*{md(self.results.strategy.goal_short(goal))}: {md(goal.followed_up_outside_statistics)}*")

    @presents
    def action_plan(self) -> Parts:
        """Section "Handlingsplanens genomförande": per goal, counts by status and the activities."""
        from analysis.domain.handlingsplan import load_spec
        from analysis.present.handlingsplan import activities_table, counts_table, free_text_columns, report_text
        from analysis.present.handlingsplan import source_line
        from analysis.present.handlingsplan import caption as plan_caption

        plan, s = self.plan, self.results.strategy
        self._plan_notes()
        if plan is None:
            show_markdown(report_text(load_spec(), "missing", year=self.year, county=self.area.county,
                                      county_name=self.area.official))
            return
        if plan.example:
            show_markdown(f"::: {{.callout-warning}}\n{report_text(plan.spec, 'example_note', county=plan.county)}\n:::")
        show_markdown(report_text(plan.spec, "intro", year=self.year, n=len(plan.rows),
                                  summary=plan.status_summary(), council=md(s.council)))
        caption = plan_caption(plan, "counts_caption", year=self.year)
        table = counts_table(plan, s)
        notes = TableNotes(caption, source_line(plan), example=plan.example)
        show_table(table, caption, self.download("handlingsplan-status", table, notes))
        for n, goal in enumerate(s.goals, start=1):
            show_markdown("### " + (report_text(plan.spec, "goal_heading", number=goal.number, title=md(goal.title))
                                    if s.numbered_goals else md(goal.title)))
            rows = plan.for_goal(goal.id)
            if rows.empty:
                show_markdown(report_text(plan.spec, "no_activities"))
                continue
            show_markdown(f"**{plan.status_summary(goal.id).capitalize()}.**")
            caption = plan_caption(plan, "table_caption", year=self.year, number=goal.number, title=goal.title)
            table = activities_table(plan, rows, self.catalogue)
            notes = TableNotes(caption, source_line(plan), example=plan.example)
            show_table(self._plan_rows_shown(table), caption,
                       self.download(f"handlingsplan-mal-{goal.number}", table, notes, part=n),
                       widths=ACTIVITY_WIDTHS, free_text=free_text_columns(plan))
            self._plan_rows_note(plan, table)
        show_markdown(f"*{source_line(plan, markdown=True)}*")

    @presents
    def trend_overview(self) -> Parts:
        rows = []
        for ind in self.catalogue:
            tr = self.trend_row(ind, self.code)
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
                f"{self.results.baseline_year}": cell(tr["value_baseline"], tr["baseline_year"], self.results.baseline_year),
                f"{self.year}": cell(tr["value_year"], tr["year"], self.year),
                # the change's unit only where it is not the row's unit (a level in % changes in procentenheter)
                "Förändring": fmt.number(tr["change"], ind.decimals, signed=True)
                + ("" if pd.isna(tr["change"]) or ind.diff_unit == unit else f" {ind.diff_unit}"),
                "Enhet": unit,
                "Bedömning": status_word(tr, ind),
                "Data": "Exempeldata" if tr["example"] else "Verklig",
            })
        caption = (f"{self.area.name}: {narrative.trend_span(self.results.baseline_year, self.year)} "
                   "Kolumnen Mått säger på varje rad vad som jämförs; skillnad = första gruppen minus den andra.")
        table = pd.DataFrame(rows)
        show_table(table, caption, self.download("utveckling", table, self.notes(None, caption), part=1))

    def annual_report_text(self):
        """The text for the government's annual report (årsredovisning), split into real sentences, example
        sentences and notes of what is missing, per strategic goal. One place for each sentence: the county
        report shows it (:meth:`annual_report`) and `analysis render` writes it as DOCX and plain text
        (:mod:`analysis.publish.arsredovisning`, real sentences only)."""
        from analysis.present.annual import AnnualGoal, AnnualText, load_texts
        from analysis.compute.coverage import how_to_get, missing

        s, texts = self.results.strategy, load_texts()
        intro = (f"Länsstyrelsen följer årligen upp {s.name} och rapporterar till {s.council}. "
                 f"Uppföljningen {self.year} jämför utrikes och inrikes födda i länets {len(self.kommuner)} kommuner, "
                 f"länet och riket, med {self.results.baseline_year} som basår.")
        goals = []
        for goal in s.goals:
            g = AnnualGoal(goal.number, goal.title, s.goal_short(goal))
            for ind in goal.indicators(self.catalogue):
                if "lan" not in ind.levels:
                    note = texts["kommun_only"].format(title=ind.title).strip()
                    if not any(self.data_kind(ind, [k.code]) == "Verklig" for k in self.kommuner):
                        note += " " + how_to_get(ind, self.area.county)
                    g.missing.append(note)
                elif self.is_example(ind):
                    g.example.append(self.narrative(ind))
                    g.missing.append(texts["missing_indicator"].format(
                        title=ind.title, year=self.year, how=how_to_get(ind, self.area.county)).strip())
                elif self.data_kind(ind, [self.code]) == "Verklig":
                    g.real.append(self.narrative(ind))
                else:
                    gap = missing(ind, self.code, self.year, self.results.tidy, self.geo, self.results.config.county)
                    g.missing.append(f"{ind.title}: " + (gap.text if gap else texts["nothing_real"].format(year=self.year)))
            plan = self.plan
            if plan is not None and not plan.example and len(plan.for_goal(goal.id)):
                g.real.append(texts["plan_status"].format(year=self.year, n=len(plan.for_goal(goal.id)),
                                                          summary=plan.status_summary(goal.id)))
            elif goal.activities_only(self.catalogue):
                key = "plan_missing" if plan is None else "plan_example"
                g.missing.append(texts[key].format(year=self.year, county=self.area.county).strip())
            goals.append(g)
        return AnnualText(intro, goals)

    def annual_sources(self) -> list[str]:
        """The sources of the real figures the county's årsredovisning text rests on."""
        res = self.results
        return sorted({res.source_text(i) for i in res.catalogue if not self.is_example(i)
                       and self.data_kind(i, [self.code]) == "Verklig"})

    @presents
    def annual_report(self) -> Parts:
        """The årsredovisning text in the report: real sentences per goal, then example sentences in a marked box."""
        from analysis.present.annual import ANNUAL_KEY, load_texts, payload
        from analysis.present.display import Text, emit

        text, none = self.annual_report_text(), load_texts()["nothing_real"].format(year=self.year)
        lines = [md(text.intro)]
        for g in text.goals:
            body = " ".join(md(r) for r in g.real) if g.real else none
            lines.append(f"**{md(g.label)}:** {body}")
            lines += [f"*{m}*" for m in g.missing]
        emit(Text("\n\n".join(lines), metadata={ANNUAL_KEY: payload(text, self.results.strategy.name,
                                                                     self.annual_sources())}))
        examples = [f"- **{md(g.label)}:** " + " ".join(md(e) for e in g.example) for g in text.goals if g.example]
        if examples:
            show_markdown("::: {.callout-warning}\n**Exempelmeningar – inte verklig statistik.** De bygger på "
                          "exempeldata och hör inte hemma i årsredovisningen:\n\n" + "\n".join(examples) + "\n:::")
