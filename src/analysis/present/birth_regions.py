"""Indicators whose source groups the born abroad by birth region (no single "utrikes födda" group).

Folkhälsomyndigheten's survey (Hälsa på lika villkor) and SCB's ohälsotal by födelseregion report the born in
Sweden and three born-abroad groups. Pooling those into "utrikes födda" needs the survey's weights, which are not
published, so they are shown as the source has them: each group's value with its 95 % interval, for the area, its
län and riket, in the latest survey year up to the report year, with the survey's caveats. Nothing is computed
here: the values and margins are the source's.
"""

from __future__ import annotations

import html

import pandas as pd

from analysis.data.contract import SEXES
from analysis.domain.catalogue import Indicator
from analysis.present import chartspec, fmt
from analysis.present.display import show_chart, show_markdown, show_table

#: one colour per area level, markers and dashes differ as in the trend charts (colour is never the only key)
AREA_COLOURS = {"kommun": "#0072B2", "lan": "#D55E00", "riket": "#009E73"}
AREA_SYMBOLS = {"kommun": "circle", "lan": "square", "riket": "diamond"}
#: why the goal cannot be judged for such an indicator (one sentence, used in the status line and the summary)
NOT_JUDGED = ("? kan inte bedömas – källan redovisar inte utrikes födda som en grupp, och grupperna efter "
              "födelseland slås inte ihop utan vikter")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def groups(ind: Indicator) -> list[str]:
    """The reference group first, then the born-abroad groups in the catalogue's order."""
    return ["inrikes", *ind.birth_regions]


def value_text(ind: Indicator, row) -> str:
    """"71 % (±3,1)": the value and its margin (half the 95 % interval), or the source's symbol."""
    if row is None or pd.isna(row["value"]):
        return ".." if row is None else (row["status"] or "..")
    text = fmt.with_unit(row["value"], ind.unit, ind.decimals)
    if pd.notna(row.get("margin")):
        text += f" (±{fmt.number(row['margin'], 1)})"
    return text


def latest_year(report, ind: Indicator, code: str) -> int | None:
    """The latest survey year with figures for ``code`` up to the report year."""
    rows = report._rows("tidy", ind, geo_code=code)
    rows = rows[(rows["year"] <= report.year) & rows["value"].notna()]
    return int(rows["year"].max()) if len(rows) else None


def _row(report, ind, code, group, year, sex="T"):
    return report._row("tidy", ind, geo_code=code, group=group, year=year, sex=sex)


def overview_cell(report, ind: Indicator, code: str) -> str:
    """The summary table's cell: each group's value in the latest year ("Sverige 71 %, … (2021)")."""
    year = latest_year(report, ind, code)
    if year is None:
        return ".."
    parts = [f"{ind.group_label(g)} {value_text(ind, _row(report, ind, code, g, year))}" for g in groups(ind)]
    return "; ".join(parts) + f" ({year})"


def show(report, ind: Indicator) -> None:
    """Headline, chart with intervals, the table behind it, the years, the sexes, caveats and source."""
    code = report.shown_code(ind)
    year = latest_year(report, ind, code)
    areas = [a for a in report.chain(ind) if latest_year(report, ind, a.code) is not None]
    name = report.geo.area(code).name
    show_markdown(f"### {ind.title}")
    head = ", ".join(f"{ind.group_label(g)} {value_text(ind, _row(report, ind, code, g, year))}" for g in groups(ind))
    when = (f" Senaste undersökningen med uppgifter för {name} gjordes {year}"
            + (f"; rapportåret är {report.year}." if year != report.year else "."))
    show_markdown(f"**{ind.short_title} {year}, {name}:** {head}.{when}\n\n**Måluppfyllelse:** {NOT_JUDGED}.")
    show_markdown("Värdena är andelar i en urvalsundersökning. Inom parentes står felmarginalen: halva bredden av "
                  "det 95-procentiga konfidensintervallet, som källan anger (intervallet är inte alltid symmetriskt). "
                  "Överlappar två gruppers intervall kan skillnaden mellan dem bero på slumpen.")

    title = f"{ind.title} efter födelseland, {name} jämfört med " + (
        "länet och riket" if len(areas) > 2 else "riket") + f", {year}"
    data = chart_data(report, ind, areas)
    links = report.download(f"{ind.id}-fodelseland", data, report.notes(ind, title, list(ind.caveats)), ind, 1)
    made = spec(report, ind, areas, year)
    show_chart(made, title, static=report.static, links=links)
    table = area_table(report, ind, areas, year)
    show_table(table, f"Uppgifterna i diagrammet: {ind.title.lower()} {year} efter födelseland, båda könen. "
                      "Inom parentes: felmarginal (95 %).", links)

    years = years_table(report, ind, code)
    caption = f"{ind.short_title} i {name} efter födelseland och undersökningsår, båda könen."
    show_table(years, caption, report.download(f"{ind.id}-ar", years, report.notes(ind, caption), ind, 2))
    sexes = sex_table(report, ind, code, year)
    if sexes is not None:
        caption = f"{ind.short_title} {year} i {name} efter födelseland och kön."
        show_table(sexes, caption, report.download(f"{ind.id}-kon", sexes, report.notes(ind, caption), ind, 3))
    if ind.caveats:
        show_markdown("**Att tänka på:**\n\n" + "\n".join(f"- {c}" for c in ind.caveats))
    show_markdown(f"*{ind.definition}* {report.results.attribution(ind)}.")


def short_label(ind: Indicator, group: str) -> str:
    """"födda i övriga Norden" -> "Övriga Norden" (the chart's axis; tables keep the full label)."""
    label = ind.group_label(group)
    return _cap(label.removeprefix("födda i ").removeprefix("födda "))


#: where each area's dot sits within its birth region's row (the first area on top), as plotly's grouped markers
ROW_OFFSETS = {1: [0.0], 2: [0.15, -0.15], 3: [0.22, 0.0, -0.22]}


def spec(report, ind: Indicator, areas, year: int) -> chartspec.ChartSpec:
    """One row per birth region (horizontal, so the labels fit on a phone; the reference group on top), one
    marker per area with its interval: the plotly figure (HTML) and the SVG (PDF) are both made from it."""
    labels = [short_label(ind, g) for g in groups(ind)]
    rows = len(labels)
    offsets = ROW_OFFSETS.get(len(areas)) or [0.3 - 0.6 * i / max(len(areas) - 1, 1) for i in range(len(areas))]
    series = []
    for area, offset in zip(areas, offsets):
        found = [_row(report, ind, area.code, g, year) for g in groups(ind)]
        values = [None if r is None or pd.isna(r["value"]) else float(r["value"]) for r in found]
        margins = [None if r is None or pd.isna(r["margin"]) else float(r["margin"]) for r in found]
        colour = AREA_COLOURS[area.level]
        series.append(chartspec.Series(
            name=area.name, x=values, y=[rows - 1 - i + offset for i in range(rows)], colour=colour, mode="markers",
            marker=chartspec.Marker(AREA_SYMBOLS[area.level], 11, colour, "white", 1), x_errors=margins,
            hover_text=labels,
            hover=f"%{{text}}: %{{x:.0f}} % ± %{{error_x.array:.1f}}<extra>{html.escape(area.name)}</extra>"))
    return chartspec.ChartSpec(
        kind="strip", series=series, height=380, unit=ind.unit,
        x=chartspec.Axis(title="Procent", suffix=" %", range=(0, 105)),
        y=chartspec.Axis(tickvals=[rows - 1 - i for i in range(rows)], ticktext=labels, range=(-0.5, rows - 0.5),
                         zeroline=False),
        alt=alt(report, ind, areas, year))


def alt(report, ind: Indicator, areas, year: int) -> str:
    parts = []
    for area in areas:
        vals = ", ".join(f"{ind.group_label(g)} {value_text(ind, _row(report, ind, area.code, g, year))}"
                         for g in groups(ind))
        parts.append(f"{area.name}: {vals}")
    return (f"Punktdiagram med felmarginaler över {ind.title.lower()} {year} efter födelseland. "
            + "; ".join(parts) + ".")


def area_table(report, ind: Indicator, areas, year: int) -> pd.DataFrame:
    return pd.DataFrame([{"Födelseland": _cap(ind.group_label(g)),
                          **{a.name: value_text(ind, _row(report, ind, a.code, g, year)) for a in areas}}
                         for g in groups(ind)])


def years_table(report, ind: Indicator, code: str) -> pd.DataFrame:
    rows = report._rows("tidy", ind, geo_code=code, sex="T")
    years = sorted(int(y) for y in rows.loc[rows["year"] <= report.year, "year"].unique())
    return pd.DataFrame([{"Födelseland": _cap(ind.group_label(g)),
                          **{str(y): value_text(ind, _row(report, ind, code, g, y)) for y in years}}
                         for g in groups(ind)])


def sex_table(report, ind: Indicator, code: str, year: int) -> pd.DataFrame | None:
    have = set(report._rows("tidy", ind, geo_code=code, year=year)["sex"])
    if not ind.sex_split or not {"K", "M"} <= have:
        return None
    # birth regions as rows, like the other two tables: three narrow columns fit a phone's width
    return pd.DataFrame([{"Födelseland": _cap(ind.group_label(g)),
                          **{_cap(SEXES[s]): value_text(ind, _row(report, ind, code, g, year, s))
                             for s in ("K", "M", "T")}}
                         for g in groups(ind)])


def chart_data(report, ind: Indicator, areas) -> pd.DataFrame:
    """Every value of the areas shown, by year, sex and group, as numbers (for the download)."""
    out = []
    for area in areas:
        rows = report._rows("tidy", ind, geo_code=area.code)
        for r in rows[rows["year"] <= report.year].sort_values(["year", "sex", "group"]).itertuples():
            out.append({"Område": area.name, "Kod": area.code, "Födelseland": ind.group_label(r.group),
                        "Kön": SEXES[r.sex], "År": int(r.year),
                        f"Värde ({ind.unit_symbol})": None if pd.isna(r.value) else float(r.value),
                        "Felmarginal (±, procentenheter)": None if pd.isna(r.margin) else float(r.margin),
                        "Symbol": r.status, "Källa": r.source})
    return pd.DataFrame(out)
