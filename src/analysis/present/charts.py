"""Chart craft shared by every plotly figure of the reports: the brand's typeface and sizes, room for the
toolbar, legends that never meet an axis title, and the EXEMPELDATA mark inside any chart with example values.

The mark is part of the figure itself (an annotation), so it is in the interactive chart, in the static PNG of
the PDF and in the PNG plotly's toolbar downloads.
"""

from __future__ import annotations

import functools
import json
import pkgutil

import plotly.graph_objects as go
import plotly.io as pio

from analysis.present import brand, fmt

HOUSE_TEMPLATE = "integrationsuppfoljning"


def _house_style() -> dict:
    """The house style's part of the template's layout: the brand's typeface and sizes, decimal comma, legend
    below the plot."""
    font = brand.chart_font()
    size = {"size": font["size"]}
    return dict(
        separators=fmt.PLOTLY_SEPARATORS, font=font, hoverlabel={"font": {"family": font["family"], **size}},
        # below the plot area at the bottom of the figure (container), below the x-axis title, left-aligned:
        # the margin grows to fit the legend, and its entries wrap onto more rows on a narrow screen instead
        # of being cut or meeting the axis title
        # maxheight in px: the whole legend is shown, never a scrolled part of it (plotly's default for a legend
        # below the plot is half the figure's height); on a phone the report page makes the chart taller so the
        # plot area keeps its height (reports/templates/head.html)
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0, "xanchor": "left",
                "font": size, "title": {"text": ""}, "maxheight": 2000},
        xaxis={"automargin": True, "tickfont": size, "title": {"font": size}},
        yaxis={"automargin": True, "tickfont": size, "title": {"font": size}},
    )


def _merged(base: dict, update: dict) -> dict:
    """``base`` updated key by key, nested dicts merged (as plotly's ``update`` does)."""
    out = dict(base)
    for k, v in update.items():
        out[k] = _merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _sorted_keys(value):
    """Keys in the order plotly writes a template's JSON (sorted at every level)."""
    if isinstance(value, dict):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    return [_sorted_keys(v) for v in value] if isinstance(value, list) else value


@functools.lru_cache(maxsize=1)
def template_dict() -> dict:
    """The template every figure starts from, as a figure's ``layout.template`` holds it (plain JSON values;
    shared: never change it): plotly_white's layout plus the house style (:func:`_house_style`), with trace
    defaults only for the trace types the reports draw. plotly_white carries defaults for some forty trace
    types, serialised into every figure three times (notebook output, HTML, PNG); this one is a fraction of that.

    Made from plotly's own plotly_white file without making plotly objects: a report's charts are data (dicts)
    and the process that shows them (a kommun report's kernel, the index page) never builds a plotly template
    (≈ 0,1 CPU-s per process). Equal, key order too, to the template plotly builds (tests/present/test_charts.py)."""
    white = json.loads(pkgutil.get_data("plotly", "package_data/templates/plotly_white.json"))
    return _sorted_keys({"data": {k: white["data"][k] for k in ("bar", "scatter")},
                         "layout": _merged(white["layout"], _house_style())})


def use_house_template() -> None:
    """Make the house template plotly's default, so a plotly figure an analyst makes takes it (reports do not
    need it: their figures carry :func:`template_dict`). Registered once per process."""
    if HOUSE_TEMPLATE not in pio.templates:
        pio.templates[HOUSE_TEMPLATE] = go.layout.Template(template_dict())
    pio.templates.default = HOUSE_TEMPLATE


EXAMPLE_MARK = "EXEMPELDATA – inte verklig statistik"
MARK_NAME = "exempeldata"  # the mark's annotation
WATERMARK_NAME = "exempeldata-vattenmarke"


def static_size() -> tuple[int, float]:
    """(width in px, printed pt per px) of the static charts."""
    chart = brand.scale()["chart"]
    width = int(chart["width-px"])
    return width, chart["print-width-mm"] / width / 0.3528


def house_layout(*, example: bool, height: int, legend: bool = True, margin: dict | None = None) -> dict:
    """The house style's part of a figure's layout. ``margin`` overrides left/right/bottom; the top always leaves
    room for plotly's toolbar (and the example mark), so the toolbar never covers a bar or a line."""
    m = {"l": 10, "r": 20, "b": 10, **(margin or {})}
    m["t"] = 92 if example else 40  # toolbar band (≈ 30 px), then the example mark (two lines)
    layout = {"height": height, "margin": m, "showlegend": legend}
    if example:
        layout["annotations"] = example_marks()
    return layout


def style(fig: go.Figure, *, example: bool, height: int, legend: bool = True, margin: dict | None = None) -> go.Figure:
    """:func:`house_layout` applied to a plotly figure made elsewhere (the county map)."""
    if fig.layout.template.layout.font.family != brand.chart_font()["family"]:  # made under another template
        fig.layout.template = template_dict()
    layout = house_layout(example=example, height=height, legend=legend, margin=margin)
    marks = layout.pop("annotations", [])
    fig.update_layout(**layout)
    for mark in marks:
        fig.add_annotation(**mark)
    return fig


def example_marks() -> list[dict]:
    """A visible EXEMPELDATA mark inside the chart (top left, above the plot area) and a light watermark."""
    amber, sand = brand.colour("warning"), brand.colour("sand")
    return [
        # on two lines, so it fits above the plot area of a 320 px phone, whatever the width of the y-axis labels
        {"text": "<b>" + EXAMPLE_MARK.replace(" – ", " –</b><br>", 1), "name": MARK_NAME,
         "xref": "paper", "yref": "paper", "x": 0, "y": 1, "yshift": 6,
         "xanchor": "left", "yanchor": "bottom", "showarrow": False, "align": "left",
         "font": {"color": amber, "size": brand.chart_font()["size"]}, "bgcolor": sand,
         "bordercolor": amber, "borderwidth": 1.5, "borderpad": 3},
        # the watermark's size fits the plot area of a 320 px phone (≈ 230 px wide), never cut at the edge
        {"text": "EXEMPELDATA", "name": WATERMARK_NAME, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
         "showarrow": False, "textangle": -18, "font": {"color": amber, "size": 28}, "opacity": 0.13},
    ]


#: direct labels: characters per line before a label wraps, px per character at the chart's font size, the gap
#: between the last point and its label (the leader's length), and the plot height assumed when labels are
#: spread apart (the smallest the plot area gets: a 440 px chart on a phone, legend on several rows)
LABEL_WRAP, LABEL_CHAR_PX, LABEL_GAP_PX, LABEL_PLOT_PX = 11, 7.4, 18, 220


def wrap_words(text: str, width: int = LABEL_WRAP) -> list[str]:
    lines: list[str] = []
    for word in text.split(" "):  # regular spaces only: "5,2\u00a0%" stays on one line
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def end_labels(labels: list[tuple[float, float, str, str]], y_range: tuple[float, float]) -> tuple[list[dict], int]:
    """Direct labels (x, y, text, colour) at the end of lines, right of their last point with a short leader
    line to it: no line runs on past the last year, so a label there never meets a line or a marker. Labels
    close in height are spread apart (at least their height in px between them, at the smallest plot
    height). Returns the labels as plotly annotations and the right margin that holds the widest, which wraps
    after a few words so it takes little of a phone's width. ``y_range``: the y-axis range the chart shows
    (data units)."""
    lo, hi = y_range
    per_px = ((hi - lo) or 1.0) / LABEL_PLOT_PX
    font = brand.chart_font()["size"]
    placed = []
    for x, y, text, colour in sorted(labels, key=lambda lab: lab[1]):
        lines = wrap_words(text)
        half = len(lines) * (font + 3) / 2 * per_px  # half the label's height, data units
        target = y
        if placed:
            prev_y, prev_half = placed[-1][0], placed[-1][1]
            target = max(y, prev_y + prev_half + half + 4 * per_px)
        placed.append((target, half, x, y, lines, colour))
    # labels pushed above the plot are moved back down, all of them together
    overshoot = placed[-1][0] + placed[-1][1] - hi if placed else 0
    if overshoot > 0:
        placed = [(t - overshoot, h, *rest) for t, h, *rest in placed]
    width, annotations = 0.0, []
    for target, _half, x, y, lines, colour in placed:
        annotations.append({
            "x": x, "y": y, "xref": "x", "yref": "y", "text": "<br>".join(lines), "showarrow": True, "arrowhead": 0,
            "arrowwidth": 1, "arrowcolor": colour, "standoff": 7, "axref": "pixel", "ayref": "pixel",
            "ax": LABEL_GAP_PX, "ay": -(target - y) / per_px, "xanchor": "left", "yanchor": "middle", "align": "left",
            "font": {"color": colour, "size": font}, "bgcolor": "rgba(255,255,255,0.85)"})
        width = max(width, max(len(line) for line in lines) * LABEL_CHAR_PX)
    return annotations, int(width + LABEL_GAP_PX + 8)


def is_marked(fig: go.Figure | dict) -> bool:
    """Whether a figure (plotly's or as a dict) carries the EXEMPELDATA mark."""
    layout = fig.get("layout", {}) if isinstance(fig, dict) else fig.to_plotly_json().get("layout", {})
    return any(a.get("name") == MARK_NAME or EXAMPLE_MARK in (a.get("text") or "") for a in layout.get("annotations", []))


def fixed_left_margin(layout: dict, left: int) -> dict:
    """A fixed left margin of ``left`` px for the y-axis labels (no automargin), and the example marks placed
    from the figure's edge instead of the plot area's: the badge at the left edge, the watermark in the middle,
    so neither is pushed past the right edge of a phone's chart by long axis labels. (A figure's layout as a
    dict, changed in place.)"""
    layout.setdefault("margin", {})["l"] = left
    layout.setdefault("yaxis", {})["automargin"] = False
    right = layout["margin"].get("r") or 0
    for a in layout.get("annotations", []):
        if a.get("name") == MARK_NAME:
            a["xshift"] = -left + 2
        elif a.get("name") == WATERMARK_NAME:
            a["xshift"] = (right - left) / 2
    return layout


def legend_name(name: str, width: int = 26) -> str:
    """A legend entry on more lines when it is long: plotly does not wrap legend text, and an entry wider
    than a phone's chart would be cut at its edge."""
    return "<br>".join(wrap_words(name, width)) if len(name) > width else name
