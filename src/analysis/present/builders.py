"""Builders: an indicator's trend chart, its description and its two tables as functions of frames.

Input is the indicator and its *series*: ``(label, group, level, rows by year)`` per line, as
:meth:`analysis.present.report.Report.series` selects them from the results (the area's own lines, the
comparison levels', the län's and riket's); rows have ``year``, ``value``, ``status``, ``example`` and, where
the source has them, ``margin``, ``geo_code``, ``sex``, ``flag``. Nothing here reads the results or a report,
so each builder can be called (and tested) with frames made by hand. :class:`~analysis.present.report.Report`
calls them and shows what they return.
"""

from __future__ import annotations

import html

import pandas as pd

from analysis.data.contract import SEXES
from analysis.domain.catalogue import Indicator
from analysis.present import chartspec, fmt
from analysis.present.levels import COMPARISON_LEVELS

Series = tuple[str, str, str, pd.DataFrame]  # (label, group, level, rows by year)

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
        for r in data.itertuples():
            rows.append({"Område": label.split(" – ")[0], "Kod": r.geo_code, "Grupp": ind.group_label(grp),
                         "Kön": SEXES[r.sex], "År": int(r.year),
                         f"Värde ({ind.unit_symbol})": None if pd.isna(r.value) else round(float(r.value), 3),
                         **({f"Felmarginal (±, {ind.diff_unit})": None if pd.isna(getattr(r, "margin", None))
                             else round(float(r.margin), 3)} if ind.survey else {}),
                         "Symbol": r.status, "Källans markering": getattr(r, "flag", ""),
                         "Exempeldata": "ja" if r.example else "nej"})
    data = pd.DataFrame(rows)
    if "Källans markering" in data and not data["Källans markering"].astype(bool).any():
        data = data.drop(columns="Källans markering")  # only where the source marked a value
    return data
