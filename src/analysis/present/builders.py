"""Builders: an indicator's trend chart (with its description and its two tables), the county's bar chart
and the tables of figures per area or per sex, as functions of frames and values.

Input is the indicator and its *series*: ``(label, group, level, rows by year)`` per line, as
:meth:`analysis.present.report.Report.series` selects them from the results (the area's own lines, the
comparison levels', the län's and riket's); rows have ``year``, ``value``, ``status``, ``example`` and, where
the source has them, ``margin``, ``geo_code``, ``sex``, ``flag``. The tables of figures take one
:class:`Figures` per area or sex. Nothing here reads the results or a report,
so each builder can be called (and tested) with frames made by hand. :class:`~analysis.present.report.Report`
calls them and shows what they return. Only the two section functions at the end (an indicator's section of a
kommun's report and of the county report) take the report: they select through it and show the builders' parts.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from analysis.data.contract import SEXES
from analysis.domain.catalogue import Indicator
from analysis.present import brand, chartspec, fmt
from analysis.present.display import show_chart, show_markdown, show_table
from analysis.present.levels import COMPARISON_LEVELS, components

Series = tuple[str, str, str, pd.DataFrame]  # (label, group, level, rows by year)

#: The warning at the top of an indicator section whose values are example data.
EXAMPLE_NOTE = (
    "**Exempeldata:** värdena för denna indikator är genererade exempelvärden, inte verklig statistik. "
    "De visar hur rapporten ser ut tills verkliga uppgifter har hämtats eller lästs in."
)


def marked(caption: str, example: bool) -> str:
    """A table's caption with the example-data mark in front when the table shows example values."""
    return f"EXEMPELDATA – {caption}" if example else caption


# Okabe–Ito colours with ≥ 3:1 contrast on white; groups also differ by marker and line style.
COLOURS = {"utrikes": "#0072B2", "inrikes": "#D55E00", "total": "#0072B2"}
AREA_STYLE = {"kommun": ("solid", "circle"), "lan": ("dash", "square"), "riket": ("dot", "diamond")}
TOTAL_COLOURS = {"kommun": "#0072B2", "lan": "#D55E00", "riket": "#009E73"}
# a comparison level's line (kommungrupp, …): its entry in analysis.present.levels


def line_style(level: str) -> tuple[str, str]:
    """(plotly dash, marker symbol) of a level's line."""
    if level in AREA_STYLE:
        return AREA_STYLE[level]
    entry = COMPARISON_LEVELS[level]
    return entry.dash, entry.symbol


def total_colour(level: str) -> str:
    """A level's colour where the chart shows totals (no native comparison group)."""
    return TOTAL_COLOURS[level] if level in TOTAL_COLOURS else COMPARISON_LEVELS[level].colour


def short_group(label: str) -> str:
    """"utrikes födda" -> "utrikes", "elever med utländsk bakgrund" -> "utländsk"."""
    words = label.split()
    return words[-2] if len(words) > 2 else words[0]


def trend_alt(ind: Indicator, series: list[Series]) -> str:
    """The trend chart's long description: every line's first and last value."""
    parts = []
    for label, _grp, _level, rows in series:
        first, last = rows.iloc[0], rows.iloc[-1]
        parts.append(
            f"{label}: {fmt.with_unit(first['value'], ind.unit, status=first['status'])} år {first['year']}, "
            f"{fmt.with_unit(last['value'], ind.unit, status=last['status'])} år {last['year']}"
        )
    return f"Linjediagram över {fmt.in_text(ind.title)} per år. " + "; ".join(parts) + "."


def trend_spec(ind: Indicator, series: list[Series], own_level: str) -> chartspec.ChartSpec:
    """The trend chart: every line over the years; the ``own_level`` lines (the area shown) carry direct
    labels at their last point, the higher one above it and the lower one below."""
    unit = "%" if ind.unit == "procent" else f" {ind.unit}"
    # the own lines' last values: the higher line is labelled above its point, the lower one below
    ends = {grp: rows["value"].iloc[-1] for _l, grp, level, rows in series if level == own_level}
    top = max(ends, key=lambda g: -1e9 if pd.isna(ends[g]) else ends[g]) if ends else None
    out = []
    for label, grp, level, rows in series:
        dash, symbol = line_style(level)
        colour = COLOURS[grp] if ind.is_native else total_colour(level)
        # Direct label at the last point of the area's own lines: colour is never the only key.
        direct = level == own_level
        who = short_group(ind.group_label(grp)) if ind.is_native else label
        text = who + " " + fmt.with_unit(rows["value"].iloc[-1], ind.unit, ind.decimals,
                                         status=rows["status"].iloc[-1])
        survey = ind.survey and "margin" in rows and rows["margin"].notna().any()
        out.append(chartspec.Series(
            name=label, x=rows["year"].tolist(), y=[None if pd.isna(v) else float(v) for v in rows["value"]],
            colour=colour, dash=dash, width=3 if level == "kommun" else 2,
            marker=chartspec.Marker(symbol, 9, colour, "white", 1),
            label=text if direct else "", label_above=grp == top,
            hover=f"%{{x}}: %{{y:.1f}}{unit}<extra>{html.escape(label)}</extra>",
            # survey values: the 95 % margin as error bars (also in the table under the chart)
            errors=([None if pd.isna(m) else float(m) for m in rows["margin"]] if survey else None),
            example=bool(rows["example"].any()),
        ))
    return chartspec.ChartSpec(
        kind="line", series=out, unit=ind.unit, height=440, margin={"l": 10, "r": 16, "b": 10},
        # no x-axis title ("År" is evident from the ticks): nothing can meet the legend below the axis
        y=chartspec.Axis(title=ind.unit.capitalize() if ind.unit != "procent" else "Procent",
                         suffix="" if ind.unit != "procent" else " %", tozero=True),
        x=chartspec.Axis(dtick=1), alt=trend_alt(ind, series))


def trend_table(ind: Indicator, series: list[Series]) -> pd.DataFrame:
    """The numbers behind the trend chart, formatted in Swedish: one row per year, one column per line."""
    cols = {}
    for label, _grp, _level, rows in series:
        cols[label] = {int(r.year): fmt.with_unit(r.value, ind.unit, status=r.status)
                       + (f" (±{fmt.number(r.margin, ind.decimals)})" if pd.notna(getattr(r, "margin", None))
                          and not pd.isna(r.value) else "")
                       for r in rows.itertuples()}
    years = sorted({y for c in cols.values() for y in c})
    return pd.DataFrame([{"År": str(y), **{k: v.get(y, "..") for k, v in cols.items()}} for y in years])


def trend_data(ind: Indicator, series: list[Series]) -> pd.DataFrame:
    """The chart's numbers for download: one row per area, group and year, values as numbers."""
    rows = []
    for label, grp, _level, data in series:
        n = len(data)
        columns = {c: data[c].tolist() if c in data else [default] * n  # plain values, column by column
                   for c, default in (("geo_code", None), ("sex", None), ("year", None), ("value", None),
                                      ("margin", None), ("status", None), ("flag", ""), ("example", None))}
        for code, sex, year, value, margin, status, flag, example in zip(*columns.values()):
            rows.append({"Område": label.split(" – ")[0], "Kod": code, "Grupp": ind.group_label(grp),
                         "Kön": SEXES[sex], "År": int(year),
                         f"Värde ({ind.unit_symbol})": None if pd.isna(value) else round(float(value), 3),
                         **({f"Felmarginal (±, {ind.diff_unit})": None if pd.isna(margin)
                             else round(float(margin), 3)} if ind.survey else {}),
                         "Symbol": status, "Källans markering": flag,
                         "Exempeldata": "ja" if example else "nej"})
    data = pd.DataFrame(rows)
    if "Källans markering" in data and not data["Källans markering"].astype(bool).any():
        data = data.drop(columns="Källans markering")  # only where the source marked a value
    return data


def gap_spec(ind: Indicator, year: int, areas: list[tuple[str, float | None, str, float | None]],
             example: bool) -> chartspec.ChartSpec:
    """The county's bar chart: one bar per area ``(name, value or None, level, margin or None)``, sorted by
    value (missing last); the län and riket highlighted by colour, pattern and bold label; the value (and its
    margin of error) printed beside each bar. ``example``: the bars show example values."""
    bars = sorted(areas, key=lambda b: (b[1] is None, -(b[1] or 0.0)))
    names = [b[0] for b in bars]
    values = [b[1] for b in bars]
    margins = [b[3] for b in bars]  # shown in the bar's label: "−10,2 (±2,0)"
    look = {"kommun": (brand.colour("secondary"), ""), "lan": (brand.colour("orange"), "/"),
            "riket": (brand.colour("green"), ".")}
    unit = ind.diff_unit if ind.is_native else ("%" if ind.unit == "procent" else ind.unit)
    suffix = {"kommun": "", "lan": "", "riket": ""}  # the län's name says län ("Blekinge län")
    known = [v for v in values if v is not None] or [0.0]
    lo, hi = min(0.0, min(known)), max(0.0, max(known))
    pad = 0.25 * ((hi - lo) or 1.0)  # room for the value labels outside the bars, never over the area names
    what = (f"skillnaden mellan {ind.group_label('utrikes')} och {ind.group_label('inrikes')}" if ind.is_native
            else "värdet")
    alt = (f"Stapeldiagram över {what} för {fmt.in_text(ind.title)} {year} per område, sorterat efter värde: "
           + "; ".join(f"{n} {'..' if v is None else fmt.number(v, ind.decimals, signed=ind.is_native)}"
                       + ("" if m is None else f" (felmarginal ±{fmt.number(m, ind.decimals)})")
                       for n, v, m in zip(names, values, margins))
           + f" ({unit}).")
    return chartspec.ChartSpec(
        # 28 px a bar: a län of 14 kommuner (Kalmar) prints at half a page and fits below a short section
        kind="bar", unit=unit, height=130 + 28 * len(names), legend=False, margin={"l": 10, "r": 16, "b": 10},
        bars=[chartspec.Bar(label=n, value=v,
                            text=(".." if v is None else fmt.number(v, ind.decimals, signed=ind.is_native)
                                  + ("" if m is None else f" (±{fmt.number(m, ind.decimals)})")),
                            colour=look[level][0], pattern=look[level][1], tick=n + suffix[level],
                            bold=level != "kommun", example=example)
              for n, v, level, m in bars],
        hover=f"%{{y}}: %{{x:.1f}} {unit}<extra></extra>",
        y=chartspec.Axis(reversed=True),
        x=chartspec.Axis(range=(lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else pad / 3)), zeroline=True,
                         zeroline_colour=brand.colour("grey"),
                         title=(f"Skillnad {short_group(ind.group_label('utrikes'))} − "
                                f"{short_group(ind.group_label('inrikes'))}, {ind.diff_unit}"
                                if ind.is_native else f"{ind.short_title}, {unit}")),
        alt=alt)


# --------------------------------------------------------------------------- one area's figures in tables


@dataclass
class Figures:
    """One area's (or one sex's) figures for an indicator in one year, as selected from the results: values
    with their status symbols, the gap (``None``: no row), the gap's margin of error, the development word
    ("↑ bättre", …) and the data kind ("Verklig", "Exempeldata", "Saknas")."""

    name: str
    level: str = "kommun"
    utrikes: tuple[float, str] = (float("nan"), "..")
    inrikes: tuple[float, str] = (float("nan"), "..")
    total: tuple[float, str] = (float("nan"), "..")
    gap: tuple[float, str] | None = None
    margin: float | None = None
    development: str = ""
    data_kind: str = ""


def _gap_cell(ind: Indicator, gap: tuple[float, str] | None) -> str:
    return ".." if gap is None else fmt.number(gap[0], ind.decimals, status=gap[1], signed=True)


def _native_cells(ind: Indicator, f: Figures, with_margin: bool, baseline_year: int) -> dict:
    return {
        ind.group_label("utrikes").capitalize(): fmt.with_unit(f.utrikes[0], ind.unit, status=f.utrikes[1]),
        ind.group_label("inrikes").capitalize(): fmt.with_unit(f.inrikes[0], ind.unit, status=f.inrikes[1]),
        f"Skillnad, {ind.diff_unit}": _gap_cell(ind, f.gap),
        **({f"Felmarginal (±), {ind.diff_unit}": fmt.number(f.margin, ind.decimals)} if with_margin else {}),
        f"Utveckling sedan {baseline_year}": f.development,
    }


def side_by_side(ind: Indicator, baseline_year: int, areas: list[Figures]) -> pd.DataFrame:
    """The county's table: one row per area (its kommuner, the län, riket). Native comparison: both groups'
    values, the gap (with its margin where the data have one) and the development; otherwise the value and its
    gap to the län (a kommun) or riket (the län). A ``Data`` column where any row shows example values."""
    with_margin = any(a.margin is not None for a in areas)
    rows = []
    for a in areas:
        if ind.is_native:
            rows.append({"Område": a.name, **_native_cells(ind, a, with_margin, baseline_year)})
        else:
            rows.append({
                "Område": a.name, "Värde": fmt.with_unit(a.total[0], ind.unit, status=a.total[1]),
                f"Skillnad mot länet (kommuner) / riket (länet), {ind.diff_unit}":
                    "." if a.level == "riket" else _gap_cell(ind, a.gap),
                f"Utveckling sedan {baseline_year}": a.development,
            })
    table = pd.DataFrame(rows)
    kinds = [a.data_kind for a in areas]
    if "Exempeldata" in kinds:  # every row says whether its values are example values
        table["Data"] = kinds
    return table


def sex_table(ind: Indicator, baseline_year: int, area_name: str, sexes: dict[str, Figures]) -> pd.DataFrame:
    """The area's figures by sex (``sexes``: "K", "M", "T" in that order)."""
    with_margin = any(f.margin is not None for f in sexes.values())  # survey data: the gap's margin of error
    rows = []
    for sex, f in sexes.items():
        if ind.is_native:
            rows.append({"Kön": SEXES[sex].capitalize(), **_native_cells(ind, f, with_margin, baseline_year)})
        else:
            rows.append({"Kön": SEXES[sex].capitalize(),
                         area_name: fmt.with_unit(f.total[0], ind.unit, status=f.total[1]),
                         f"Utveckling sedan {baseline_year}": f.development})
    return pd.DataFrame(rows)


def trend_title(ind: Indicator, area_name: str, area_level: str, series: list[Series],
                levels: list[tuple[str, list[Series]]]) -> str:
    """The trend chart's caption, naming only the comparisons the chart draws (no line where the group, the län
    or riket has no value): "Sysselsättningsgrad 20–64 år, Ronneby jämfört med kommungruppen, länet och riket".
    ``levels``: each registered comparison level's name in the title and its lines."""
    drawn = {level for _l, _g, level, rows in series if rows["value"].notna().any()}
    versus = [name for name, lines in levels  # the registered comparison levels drawn
              if any(rows["value"].notna().any() for *_x, rows in lines)]
    versus += [name for name, level in (("länet", "lan"), ("riket", "riket")) if level in drawn and level != area_level]
    versus = " och ".join([", ".join(versus[:-1]), versus[-1]] if len(versus) > 1 else versus)
    if area_level == "lan":  # the län's own values: compared with riket only
        return f"{ind.title}, {area_name}" + (f": länet jämfört med {versus}" if versus else "")
    return f"{ind.title}, {area_name}" + (f" jämfört med {versus}" if versus else "")


# --------------------------------------------------------------------------- sections (of a report)


def indicator_section(report, ind: Indicator, intro: bool = True) -> None:
    """An indicator's section of a kommun's report (shown for ``report.year``): headline with the comparison
    levels' lines, narrative, trend chart and its table, the levels' notes and places, the table by sex, source."""
    if intro:
        report._intro(ind)
    elif report.is_example(ind):
        show_markdown(f"::: {{.callout-warning}}\n{EXAMPLE_NOTE}\n:::")
    group_line = "\n\n".join(line for level in components(report) if (line := level.headline(ind)))
    show_markdown(report.headline(ind) + (f"\n\n{group_line}" if group_line else "") + "\n\n"
                  + f"**Måluppfyllelse:** {report.status(ind)}", headline=report.headline_figures(ind))
    show_markdown(report.narrative(ind))
    where = report.geo.area(report.shown_code(ind)).name
    title = report.trend_title(ind)
    table_caption = report._mark(ind, f"Uppgifterna i diagrammet: {fmt.in_text(ind.title)}, totalt för båda könen."
                               + (" Inom parentes: felmarginal (95 %)." if ind.survey else ""))
    level_notes = [n for level in components(report) for n in level.download_notes(ind)]
    links = report.download(f"{ind.id}-diagram", report.chart_data(ind), report.notes(ind, title, level_notes), ind, 1)
    spec = report.trend_spec(ind)
    show_chart(spec, title, static=report.static, links=links)
    chart_table = report.chart_table(ind)
    # PDF widths from each column's longest word, so "År" and "Kommungrupp" both fit beside eight series.
    widths = [max(len(w) for w in [*str(c).split(), *chart_table[c].astype(str)]) for c in chart_table.columns]
    show_table(chart_table, table_caption, links, widths=widths)
    for level in components(report):
        if note := level.chart_note(ind):
            show_markdown(note)
        level.show_position(ind)
    sexes = report.sex_table(ind)
    if sexes is not None:
        flags = report.sex_examples(ind)  # per row: a real row is never marked as example data
        caption = marked(f"{ind.short_title} {report.year} efter kön, {where}.", any(flags))
        notes = report.notes(ind, caption)
        notes.example = any(flags)
        notes.source = "Exempeldata – inte verklig statistik" if all(flags) else ind.attribution
        data = sexes.assign(Exempeldata=["ja" if f else "nej" for f in flags])
        show_table(sexes, caption, report.download(f"{ind.id}-kon", data, notes, ind, 2))
    elif ind.sex_split:
        show_markdown("*Uppdelning efter kön finns hos källan men inte i de uppgifter rapporten bygger på.*")
    else:
        show_markdown("*Indikatorn redovisas inte efter kön.*")
    report._source_note(ind)


def county_section(report, ind: Indicator, report_year: int) -> None:
    """An indicator's section of the county report: headline, bars of every area with their table, the map,
    the comparison levels' county views and the source."""
    report._intro(ind)
    if report.year != report_year:
        show_markdown(f"*Senaste {'val' if ind.election_years else 'mätning'}: {report.year}; rapportåret är "
                      f"{report_year}.*")

    show_markdown(report.headline(ind) + "\n\n" + report.trend_text(ind, report.code),
                  headline=report.headline_figures(ind))
    spec = report.gap_spec(ind)
    example = report.shows_example(ind, [a.code for a in report.areas(ind)])  # the län's kommuner too
    caption = marked(f"{ind.title} {report.year}: {report.areas_words(ind)}.", example)
    table = report.side_by_side(ind)
    notes = report.notes(ind, caption)
    notes.example = notes.example or example
    links = report.download(f"{ind.id}-jamforelse", table, notes, ind, 1)
    shows = "skillnaden mellan utrikes och inrikes födda" if ind.is_native else "värdet"
    bars = (" Inom parentes: felmarginalen (95 %)." if any(report.margin(ind, a.code) is not None
                                                            for a in report.areas(ind)) else "")
    show_chart(spec, f"{ind.title} {report.year}, {shows}: {report.areas_words(ind)}.{bars}", static=report.static,
               links=links)
    show_table(table, caption, links)
    from analysis.present.maps import county_map

    county_map(report, ind)  # the kommuner on a map, with its table and downloads (native comparison only)
    for level in components(report):
        level.show_county(ind)
    report._source_note(ind)
