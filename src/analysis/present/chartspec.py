"""The typed chart spec: what a chart of the reports shows, made once, drawn twice.

A presentation method builds a :class:`ChartSpec` from the results (series with their values, labels, style and
example flag, error bars, axes, direct labels, notes, alt text and caption). Both drawings are made from it:

* :func:`plotly_figure` — the interactive plotly figure of the HTML report (and of JupyterLab), as data;
* :func:`analysis.present.svgchart.svg` — the static SVG of the PDF, written by Python without a browser
  (text measured with the brand's font files), embedded as ``![caption](figurer/….svg){… fig-alt="…"}``.

So the PDF and the HTML show the same numbers in the same style, and no report run needs Chromium.
Three kinds: ``line`` (a trend over years), ``bar`` (horizontal bars per area) and ``strip`` (one dot per kommun
in rows, with reference lines and notes).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Literal

import plotly.graph_objects as go

from analysis.present import charts, fmt

Kind = Literal["line", "bar", "strip"]
Dash = Literal["solid", "dash", "dot", "dashdot"]
Symbol = Literal["circle", "circle-open", "square", "diamond", "triangle-up"]


@dataclass(frozen=True)
class Marker:
    symbol: Symbol = "circle"
    size: float = 9  # px, as plotly's marker.size
    colour: str = "#0072B2"
    line_colour: str = "white"  # the outline (for "circle-open": the ring, in ``colour``)
    line_width: float = 1.0


@dataclass
class Series:
    """One line or set of dots. ``x``/``y`` in data units (None: no value, a gap in the line)."""

    name: str
    x: list
    y: list
    colour: str
    mode: Literal["lines+markers", "markers", "lines"] = "lines+markers"
    dash: Dash = "solid"
    width: float = 2.0
    marker: Marker | None = None
    errors: list[float | None] | None = None  # ± half-width of the 95 % interval per point (error bars)
    x_errors: list[float | None] | None = None  # the same along x (horizontal error bars: dots in rows)
    label: str = ""  # direct label at the last point (the area's own lines): colour is never the only key
    label_above: bool = True  # the preferred side of the direct label (the higher line above, the lower below)
    legend: bool = True
    hover: str = ""  # plotly hovertemplate (the HTML only)
    hover_text: list[str] | None = None  # per point, for the hovertemplate's %{text}
    example: bool = False  # the series shows example values


@dataclass
class Bar:
    """One bar of a horizontal bar chart, top to bottom in the spec's order."""

    label: str  # the area
    value: float | None  # None: no value (drawn as an empty bar with "..")
    text: str  # the value as printed beside the bar ("−24,4", "..")
    colour: str
    pattern: Literal["", "/", "."] = ""  # län and riket differ by pattern as well as colour
    tick: str = ""  # the axis label (default: ``label``)
    bold: bool = False
    example: bool = False


@dataclass
class Axis:
    title: str = ""
    suffix: str = ""  # after each tick value (" %")
    range: tuple[float, float] | None = None  # None: from the data
    dtick: float | None = None
    tozero: bool = False  # the range includes 0
    reversed: bool = False
    tickvals: list | None = None
    ticktext: list[str] | None = None  # lines separated by "\n"
    zeroline: bool | None = None  # None: plotly's default (a zero line where 0 is in the range)
    zeroline_colour: str | None = None
    grid: bool = True


@dataclass
class Note:
    """A text at a data position, on a light box (the strip plot's labels)."""

    text: str
    x: float
    y: float
    colour: str = "#000000"
    size: float = 12
    anchor: Literal["middle", "top", "bottom"] = "middle"  # which edge of the text's box sits at ``y``
    shift: float = 0  # px up from ``y`` (plotly's yshift): a gap to a line's end, whatever the plot's height
    # the data point the text names, when the text does not sit on it: a thin leader in the note's colour joins
    # the text's box (at its x) to the point, ending ``standoff`` px before it (a marker's radius and its outline)
    point: tuple[float, float] | None = None
    standoff: float = 9


@dataclass
class ChartSpec:
    kind: Kind
    series: list[Series] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    x: Axis = field(default_factory=Axis)
    y: Axis = field(default_factory=Axis)
    notes: list[Note] = field(default_factory=list)
    unit: str = ""  # the values' unit as read ("procent", "dagar", "procentenheter")
    height: int = 420  # px at the static width (charts.static_size)
    legend: bool = True
    margin: dict = field(default_factory=dict)  # left/right/bottom in px (the top follows the example mark)
    hover: str = ""  # bars: plotly hovertemplate
    alt: str = ""  # the long description (PDF/UA alt text, the HTML's aria-describedby)
    caption: str = ""  # the short visible caption

    @property
    def example(self) -> bool:
        """Whether the chart shows example values: it then carries the EXEMPELDATA mark in both drawings."""
        return any(s.example for s in self.series) or any(b.example for b in self.bars)


# --------------------------------------------------------------------------- plotly


def _lines(text: str) -> str:
    return text.replace("\n", "<br>")


def _axis(ax: Axis) -> dict:
    out: dict = {"title": {"text": ax.title}}
    if ax.suffix:
        out["ticksuffix"] = ax.suffix
    if ax.range is not None:
        out["range"] = list(ax.range)
    if ax.dtick is not None:
        out["dtick"] = ax.dtick
    if ax.tozero:
        out["rangemode"] = "tozero"
    if ax.reversed:
        out["autorange"] = "reversed"
    if ax.tickvals is not None:
        out["tickvals"] = ax.tickvals
    if ax.ticktext is not None:
        out["ticktext"] = [_lines(t) for t in ax.ticktext]
    if ax.zeroline is not None:
        out["zeroline"] = ax.zeroline
    if ax.zeroline_colour:
        out["zerolinecolor"] = ax.zeroline_colour
    if not ax.grid:
        out["showgrid"] = False
    return out


def _scatter(s: Series) -> dict:
    # a long legend entry on more lines: plotly does not wrap legend text, and a phone's chart would cut it
    kw: dict = {"type": "scatter", "x": _values(s.x), "y": _values(s.y), "name": charts.legend_name(s.name),
                "mode": s.mode, "showlegend": s.legend}
    if "lines" in s.mode:
        kw["line"] = {"color": s.colour, "dash": s.dash, "width": s.width}
    if s.marker is not None:
        m = s.marker
        kw["marker"] = ({"symbol": m.symbol, "size": m.size, "color": m.colour, "line": {"width": m.line_width}}
                        if m.symbol == "circle-open" else
                        {"symbol": m.symbol, "size": m.size, "color": m.colour,
                         "line": {"color": m.line_colour, "width": m.line_width}})
    if s.hover_text is not None:  # (direct labels: annotations with leaders, _end_labels)
        kw["text"] = list(s.hover_text)
    if s.hover:
        kw["hovertemplate"] = s.hover
    if s.errors is not None and any(e is not None for e in s.errors):
        kw["error_y"] = {"type": "data", "array": _values(s.errors), "visible": True, "thickness": 1.2, "width": 4,
                         "color": s.colour}
    if s.x_errors is not None and any(e is not None for e in s.x_errors):
        kw["error_x"] = {"type": "data", "array": _values(s.x_errors), "visible": True, "thickness": 1.5, "width": 6,
                         "color": s.colour}
    return kw


def _values(values) -> list:
    """Values as plain JSON numbers (:func:`analysis.present.fmt.plain`: None where there is no value)."""
    return [fmt.plain(v) for v in values]


def plotly_figure(spec: ChartSpec) -> dict:
    """The interactive figure of ``spec`` in the house style (:mod:`analysis.present.charts`), as the dict plotly
    writes for it (``go.Figure(…).to_dict()``: template included, every value plain JSON). Built as data, not
    through plotly's figure objects, which check every property as it is set (≈ 9 ms per chart against ≈ 0,2);
    ``tests/present/test_chartspec.py`` checks that plotly reads it back unchanged, i.e. that it is valid."""
    if spec.kind == "bar":
        data = [{"type": "bar", "x": _values(0 if b.value is None else b.value for b in spec.bars),
                 "y": [b.label for b in spec.bars], "orientation": "h",
                 "marker": {"color": [b.colour for b in spec.bars], "pattern": {"shape": [b.pattern for b in spec.bars]},
                            "line": {"color": "white", "width": 1}},
                 "text": [b.text for b in spec.bars], "textposition": "outside", "cliponaxis": False,
                 "showlegend": False}]
        if spec.hover:
            data[0]["hovertemplate"] = spec.hover
    else:
        data = [_scatter(s) for s in spec.series]
    notes, shapes = [], []
    for n in spec.notes:
        notes.append({"x": n.x, "y": n.y, "text": html.escape(n.text), "showarrow": False,
                      "font": {"color": n.colour, "size": n.size}, "yanchor": n.anchor, "yshift": n.shift,
                      "bgcolor": "rgba(255,255,255,0.85)"})
        shapes += _leader(n)
    layout = charts.house_layout(example=spec.example, height=spec.height, legend=spec.legend,
                                 margin={"l": 10, "r": 16, "b": 10, **spec.margin})
    annotations = notes + layout.pop("annotations", [])
    yaxis, xaxis = _axis(spec.y), _axis(spec.x)
    if spec.kind == "bar":
        layout["margin"]["l"] = _bar_ticks(spec, yaxis)
    elif spec.kind == "line" and any(s.label for s in spec.series):
        labels, right = _end_labels(spec, xaxis, yaxis)
        annotations += labels
        layout["margin"]["r"] = max(layout["margin"]["r"] or 0, right)
    layout["xaxis"], layout["yaxis"] = xaxis, yaxis
    if annotations:
        layout["annotations"] = annotations
    if shapes:
        layout["shapes"] = shapes
    if spec.kind == "bar":
        charts.fixed_left_margin(layout, layout["margin"]["l"])
    layout["template"] = charts.template_dict()
    return {"data": data, "layout": layout}


def to_plotly(spec: ChartSpec) -> go.Figure:
    """The interactive figure of ``spec`` as a plotly figure (for an analyst to change; a report shows
    :func:`plotly_figure` as it is)."""
    charts.use_house_template()  # the analyst's further figures look the same
    return go.Figure(plotly_figure(spec))


def _leader(n: Note) -> list[dict]:
    """The note's leader to its point, under the markers (which cover its end at the point): a line in data
    units from the point to the note's ``y``, and on from there in px to the text's box (``shift`` px up, with
    ``anchor`` "bottom" the box's lower edge; the leader reaches the box's edge on the point's side)."""
    if n.point is None:
        return []
    px, py = n.point
    style = {"type": "line", "layer": "below", "line": {"color": n.colour, "width": 1}}
    shapes = [{"x0": px, "x1": n.x, "y0": py, "y1": n.y, "xref": "x", "yref": "y", **style}]
    if n.shift:
        shapes.append({"x0": n.x, "x1": n.x, "y0": 0, "y1": n.shift, "xref": "x", "yref": "y",
                       "ysizemode": "pixel", "yanchor": n.y, **style})
    return shapes


def _end_labels(spec: ChartSpec, xaxis: dict, yaxis: dict) -> tuple[list[dict], int]:
    """The line chart's direct labels right of the last points, with leaders (:func:`charts.end_labels`), and the
    right margin they need: the y-axis from 0 (or the lowest value) to a little above the highest value and its
    margin, known here so the labels can be spread apart in px; the x-axis fixed to the years shown, as plotly
    would otherwise widen it to hold the labels in the right margin."""
    tops, bottoms, years = [], [], []
    for s in spec.series:
        errors = s.errors or [None] * len(s.y)
        for x, y, e in zip(s.x, s.y, errors):
            if y is not None:
                tops.append(y + (e or 0))
                bottoms.append(y - (e or 0))
            years.append(x)
    high, low = max(tops or [1.0]), min([0.0, *bottoms])
    y_range = (low * 1.08, high * 1.08 if high > 0 else 1.0)
    labels = []
    for s in spec.series:
        if s.label and s.y and s.y[-1] is not None:  # the label names the last year's value: none without it
            labels.append((s.x[-1], s.y[-1], s.label, s.colour))
    annotations, right = charts.end_labels(labels, y_range)
    yaxis["range"] = list(y_range)
    if years:
        xaxis["range"] = [min(years) - 0.3, max(years) + 0.3]
    return annotations, right


def _bar_ticks(spec: ChartSpec, yaxis: dict) -> int:
    """The areas as tick labels that wrap after a few words (two lines fit a bar's height), so the bars keep
    most of a phone's width; län and riket in bold. Returns the left margin: as wide as the longest line."""
    lines = [charts.wrap_words(b.tick or b.label, 16) for b in spec.bars]
    yaxis.update(tickvals=[b.label for b in spec.bars],
                 ticktext=["<br>".join(f"<b>{html.escape(t)}</b>" if b.bold else html.escape(t) for t in ln)
                           for ln, b in zip(lines, spec.bars)])
    longest = max((len(t) * (charts.LABEL_CHAR_PX + (0.6 if b.bold else 0))
                   for ln, b in zip(lines, spec.bars) for t in ln), default=40)
    return int(longest + 14)
