"""Maps: kommuner coloured by the gap (utrikes − inrikes), interactive in the HTML and static SVG in the PDF.

Both drawings come from one description: the kommuner's projected shapes (:mod:`analysis.data.geometry`, prepared
once per run), their values (:class:`MapValue`) and the classes (:class:`Classes`).

* **Classes.** A diverging scale centred on 0 with four classes on each side of a "nice" step (1, 2, 2,5, 5 …
  × 10ⁿ) large enough for the largest gap shown. The side where utrikes födda are worse off (the catalogue's
  direction: a negative gap for sysselsättningsgrad, a positive one for arbetslöshet) is always orange-brown,
  the other side purple (ColorBrewer PuOr: told apart by readers with any common colour-vision deficiency),
  and within a side lightness grows with the gap's size, so the classes keep their order in greyscale. The
  legend states every class with its bounds and which side is worse; the labels and the table carry the values.
* **Not real values never look real.** A suppressed or missing gap is light grey with dark hatching
  ("uppgift saknas eller skyddas (..)"); example values keep their class colour under a dotted overlay, with
  the EXEMPELDATA mark inside the map and in the caption.
* **HTML**: plotly filled ``Scatter`` shapes (``fill="toself"``) on plain x/y axes with equal scaling, so
  nothing is loaded from the network (a ``Choropleth`` on a geo subplot waits for a world topojson from a CDN
  and draws nothing offline). Hover: name, both values, the gap, the kind of data.
* **PDF**: an SVG written here (:func:`svg_map`): polygons, hatch and dot patterns, the län outline, labels with
  a white halo and the legend; placed like every other figure (a file in ``figurer/`` and a markdown figure
  with ``fig-alt``), without a browser.
"""

from __future__ import annotations

import html
import math
import textwrap
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from analysis.data.geometry import MapGeometry, prepared_geometry
from analysis.domain.catalogue import Indicator
from analysis.present import brand, charts, fmt
from analysis.present.display import Chart, Parts, presents, settings, show_table

PER_SIDE = 4
NICE_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8)
#: ColorBrewer PuOr, lightest first: the side where utrikes födda are worse off, and the other side
WORSE = ("#fee0b6", "#fdb863", "#e08214", "#b35806")
BETTER = ("#d8daeb", "#b2abd2", "#8073ac", "#542788")
MISSING_FILL = "#e3e3e3"
HATCH = "#4d4d4d"
BORDER = "#ffffff"
OUTLINE = "#1a1a1a"
MISSING_SHORT = "Uppgift saknas eller skyddas (..)"
EXAMPLE_SHORT = "Exempeldata (prickat), inte verklig statistik"
KIND_REAL, KIND_EXAMPLE, KIND_MISSING = "Verklig", "Exempeldata", "Saknas eller skyddad"
#: kommuner in a county map up to which each label carries the value as well as the name
LABEL_VALUES_UP_TO = 16


# --------------------------------------------------------------------------- values and classes


@dataclass(frozen=True)
class MapValue:
    """One kommun's gap for the map: None (with its symbol) when suppressed or missing."""

    code: str
    name: str
    gap: float | None
    status: str = ""
    example: bool = False
    subject: float | None = None  # utrikes födda
    reference: float | None = None  # inrikes födda

    @property
    def shown(self) -> bool:
        return self.gap is not None and not self.status and not math.isnan(self.gap)

    @property
    def kind(self) -> str:
        if not self.shown:
            return KIND_MISSING
        return KIND_EXAMPLE if self.example else KIND_REAL


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def value_from_gap_row(code: str, name: str, row) -> MapValue:
    """A :class:`MapValue` from a row of the results' gaps table (or None: no row, uppgift saknas)."""
    if row is None:
        return MapValue(code, name, None, "..")
    status = "" if row["status"] is None or pd.isna(row["status"]) else str(row["status"])
    return MapValue(code, name, _num(row["gap"]), status, bool(row["example"]),
                    _num(row["value_subject"]), _num(row["value_reference"]))


def nice_step(largest: float, per_side: int = PER_SIDE) -> float:
    """The smallest nice step (1, 1,5, 2, 2,5, 3, 4, 5, 6, 8 × 10ⁿ) with ``per_side`` classes covering ``largest``."""
    target = max(abs(largest), 1e-9) / per_side
    power = 10 ** math.floor(math.log10(target))
    for m in (*NICE_STEPS, 10):
        if m * power >= target - 1e-12:
            return m * power
    return 10 * power  # pragma: no cover - the loop ends at 10


@dataclass(frozen=True)
class Classes:
    """Eight classes of the gap, centred on 0, with step s: [−∞, −3s), [−3s, −2s), …, [0, s), …, [3s, ∞)."""

    step: float
    higher_is_better: bool  # a negative gap is worse for utrikes födda
    decimals: int = 1
    unit: str = "procentenheter"

    @property
    def count(self) -> int:
        return 2 * PER_SIDE

    def index(self, value: float) -> int:
        """0 (most negative) … 7 (most positive)."""
        return min(max(math.floor(value / self.step), -PER_SIDE), PER_SIDE - 1) + PER_SIDE

    @property
    def colours(self) -> list[str]:
        """Fill per class, most negative first."""
        neg, pos = (WORSE, BETTER) if self.higher_is_better else (BETTER, WORSE)
        return list(reversed(neg)) + list(pos)

    def colour(self, value: float) -> str:
        return self.colours[self.index(value)]

    def worse(self, i: int) -> bool:
        """Whether class ``i`` is a gap where utrikes födda are worse off."""
        return (i < PER_SIDE) == self.higher_is_better

    def bounds(self, i: int) -> tuple[float | None, float | None]:
        k = i - PER_SIDE
        lo = None if i == 0 else k * self.step
        hi = None if i == self.count - 1 else (k + 1) * self.step
        return lo, hi

    def _n(self, v: float) -> str:
        d = 0 if float(self.step).is_integer() else (1 if float(self.step * 10).is_integer() else 2)
        return fmt.number(v, d, signed=v != 0).replace("±", "")

    def label(self, i: int) -> str:
        """"−20 till −10", "under −20", "+20 och mer" (lower bound included)."""
        lo, hi = self.bounds(i)
        if lo is None:
            return f"under {self._n(hi)}"
        if hi is None:
            return f"{self._n(lo)} och mer"
        return f"{self._n(lo)} till {self._n(hi)}"


def classes_for(values: list[MapValue], ind: Indicator, extra: list[float | None] = ()) -> Classes:
    """Classes wide enough for every shown gap (and ``extra``: the län's and riket's)."""
    gaps = [v.gap for v in values if v.shown] + [g for g in extra if g is not None and not math.isnan(g)]
    return Classes(nice_step(max((abs(g) for g in gaps), default=1.0)), ind.higher_is_better, ind.decimals,
                   ind.diff_unit)


def legend_items(classes: Classes, values: list[MapValue]) -> list[tuple[str, str, str]]:
    """(fill, pattern "" / "hatch" / "dots", text) per legend entry: every class, then missing and example."""
    items = []
    for i in range(classes.count):
        note = " (sämre för utrikes födda)" if classes.worse(i) else ""
        items.append((classes.colours[i], "", classes.label(i) + note))
    if any(not v.shown for v in values):
        items.append((MISSING_FILL, "hatch", MISSING_SHORT))
    if any(v.shown and v.example for v in values):
        items.append(("#ffffff", "dots", EXAMPLE_SHORT))
    return items


def legend_entries(classes: Classes, values: list[MapValue]) -> list[tuple[str, str, str, str, str]]:
    """The interactive legend: (group, group title on its first entry, fill, pattern, text), the classes where
    utrikes födda are worse off first, then the others, then missing and example values."""
    worse = [i for i in range(classes.count) if classes.worse(i)]
    better = [i for i in range(classes.count) if not classes.worse(i)]
    out = []
    for group, title, idx in (("sämre", "Sämre för utrikes födda", worse), ("bättre", "Bättre för utrikes födda", better)):
        out += [(group, title if n == 0 else "", classes.colours[i], "", classes.label(i)) for n, i in enumerate(idx)]
    others = [(fill, pattern, text) for fill, pattern, text in legend_items(classes, values) if pattern]
    out += [("övrigt", "Övrigt" if n == 0 else "", *item) for n, item in enumerate(others)]
    return out


def legend_title(ind: Indicator) -> str:
    return (f"Skillnad {ind.group_label('utrikes')} − {ind.group_label('inrikes')}, {ind.diff_unit}")


def gap_text(v: MapValue, ind: Indicator) -> str:
    return fmt.number(v.gap, ind.decimals, status=v.status or "..", signed=True) if v.shown else (v.status or "..")


def hover_text(v: MapValue, ind: Indicator) -> str:
    """Name, both values, the gap and the kind of data."""
    return (f"<b>{html.escape(v.name)}</b> ({v.code})<br>"
            f"{html.escape(ind.group_label('utrikes').capitalize())}: {fmt.with_unit(v.subject, ind.unit, ind.decimals)}<br>"
            f"{html.escape(ind.group_label('inrikes').capitalize())}: {fmt.with_unit(v.reference, ind.unit, ind.decimals)}<br>"
            f"Skillnad: {gap_text(v, ind)} {ind.diff_unit}<br>Data: {v.kind}")


# --------------------------------------------------------------------------- plotly (HTML)


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def label_colours(fill: str) -> tuple[str, str]:
    """(text, halo) for a label on ``fill``: black with a white halo, or white with a black one where black
    would have less than 4,5:1 contrast (the darkest classes)."""
    return ("#000000", "#ffffff") if (_luminance(fill) + 0.05) / 0.05 >= 4.5 else ("#ffffff", "#000000")


def _fill(v: MapValue, classes: Classes) -> str:
    return classes.colour(v.gap) if v.shown else MISSING_FILL


def _xy(rings) -> tuple[list, list]:
    xs, ys = [], []
    for ring in rings:
        xs += [p[0] for p in ring] + [None]
        ys += [p[1] for p in ring] + [None]
    return xs, ys


def plotly_map(geometry: MapGeometry, values: list[MapValue], classes: Classes, ind: Indicator, *,
               counties: list[str], labels: bool = True, height: int | None = None) -> go.Figure:
    """Filled shapes on x/y axes with equal scaling: no geo subplot, no topojson, nothing from the network."""
    fig = go.Figure(layout={"template": charts.template_dict()})
    example = any(v.shown and v.example for v in values)
    for v in values:
        shape = geometry.kommuner[v.code]
        xs, ys = _xy(shape.rings)
        fill = _fill(v, classes)
        pattern = ({"shape": "/", "fgcolor": HATCH, "bgcolor": MISSING_FILL, "size": 7, "solidity": 0.25}
                   if not v.shown else ({"shape": ".", "fgcolor": "#ffffff", "bgcolor": fill, "size": 6,
                                         "solidity": 0.35} if v.example else None))
        fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", fillcolor=fill, fillpattern=pattern, mode="lines",
                                 line={"color": BORDER, "width": 0.8}, hoveron="fills", hoverinfo="text",
                                 text=hover_text(v, ind), name=v.name, showlegend=False))
    for county in counties:
        xs, ys = _xy(geometry.outlines[county])
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": OUTLINE, "width": 2},
                                 hoverinfo="skip", showlegend=False))
    if labels:
        with_values = len(values) <= LABEL_VALUES_UP_TO
        for text_colour, halo in sorted({label_colours(_fill(v, classes)) for v in values}):  # a set: in order
            group = [v for v in values if label_colours(_fill(v, classes))[0] == text_colour]
            fig.add_trace(go.Scatter(
                x=[geometry.kommuner[v.code].label[0] for v in group],
                y=[geometry.kommuner[v.code].label[1] for v in group],
                text=[f"<b>{html.escape(v.name)}</b>" + (f"<br>{gap_text(v, ind)}" if with_values else "")
                      for v in group],
                mode="text", textfont={"color": text_colour, "size": 12,
                                       "shadow": f"0 0 2px {halo}, 0 0 3px {halo}, 0 0 4px {halo}"},
                hoverinfo="skip", showlegend=False, cliponaxis=False))
    entries = legend_entries(classes, values)
    for group, title, fill, pattern, text in entries:
        symbol = {"hatch": "square-x", "dots": "square-dot"}.get(pattern, "square")
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=text, hoverinfo="skip", legendgroup=group,
            legendgrouptitle={"text": title} if title else None,
            marker={"symbol": symbol, "size": 16, "color": fill,
                    "line": {"color": HATCH if pattern else "#767676", "width": 1.5 if pattern else 1}}))
    x0, y0, x1, y1 = geometry.bbox([v.code for v in values])
    pad = 0.04 * max(x1 - x0, y1 - y0)
    if height is None:
        # the map, then room for the legend in one column (a phone): a legend taller than its room would scroll
        height = int(min(720, max(320, 520 * (y1 - y0) / max(x1 - x0, 1)))) + 20 * len(entries) + 140
    charts.style(fig, example=example, height=height, margin={"l": 4, "r": 4, "b": 4})
    fig.update_layout(
        # equal scaling that shrinks the plot area, never the map: all of it stays in view at any width
        xaxis={"visible": False, "range": [x0 - pad, x1 + pad], "constrain": "domain"},
        yaxis={"visible": False, "range": [y0 - pad, y1 + pad], "scaleanchor": "x", "scaleratio": 1,
               "constrain": "domain"},
        legend={"title": {"text": "<br>".join(textwrap.wrap(legend_title(ind), 38)), "side": "top"}, "traceorder": "grouped", "itemclick": False,
                "itemdoubleclick": False},
        plot_bgcolor="#ffffff", hovermode="closest", dragmode=False,
    )
    return fig


# --------------------------------------------------------------------------- SVG (PDF, index)


def _path(rings, to_px, decimals: int) -> str:
    """Path data with relative moves (shorter), points repeated after rounding left out."""
    out = []
    q = 10 ** decimals
    px0 = py0 = 0
    for ring in rings:
        pts = []
        for p in ring:
            x, y = to_px(p)
            ip = (round(x * q), round(y * q))
            if not pts or ip != pts[-1]:
                pts.append(ip)
        if len(pts) < 3:
            continue
        seg = [f"m{_f(pts[0][0] - px0, q)} {_f(pts[0][1] - py0, q)}"]
        seg += [f"{_f(b[0] - a[0], q)} {_f(b[1] - a[1], q)}" for a, b in zip(pts, pts[1:])]
        out.append(" ".join(seg) + "z")
        px0, py0 = pts[0]  # after z the current point is the subpath's start
    return "".join(out)


def _line(lines, to_px, decimals: int) -> str:
    q = 10 ** decimals
    out = []
    for line in lines:
        pts = [(round(to_px(p)[0] * q), round(to_px(p)[1] * q)) for p in line]
        out.append(f"M{_f(pts[0][0], q)} {_f(pts[0][1], q)}" + "".join(
            f" {_f(b[0] - a[0], q)} {_f(b[1] - a[1], q)}" if i else f"l{_f(b[0] - a[0], q)} {_f(b[1] - a[1], q)}"
            for i, (a, b) in enumerate(zip(pts, pts[1:]))))
    return "".join(out)


def _f(n: int, q: int) -> str:
    return str(n) if q == 1 else (f"{n / q:.{len(str(q)) - 1}f}".rstrip("0").rstrip("."))


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


SVG_DEFS = (
    '<defs><pattern id="{p}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="' + MISSING_FILL + '"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="' + HATCH + '" stroke-width="1.6"/></pattern>'
    '<pattern id="{p}-dots" patternUnits="userSpaceOnUse" width="6" height="6">'
    '<circle cx="3" cy="3" r="1.1" fill="#ffffff" fill-opacity="0.9"/></pattern>'
    '<pattern id="{p}-dots-legend" patternUnits="userSpaceOnUse" width="6" height="6">'
    '<circle cx="3" cy="3" r="1.1" fill="#595959"/></pattern></defs>'
)


#: a report map's height at most this share of its width (the PDF's text width): with its legend and caption it
#: then fits the A4 page's text height, as a figure taller than the page would run into the footer
MAX_MAP_HEIGHT = 1.0


def svg_map(geometry: MapGeometry, values: list[MapValue], classes: Classes, ind: Indicator, *,
            counties: list[str], labels: bool = True, width: int = 640, links: dict[str, str] | None = None,
            prefix: str = "karta", caption_lines: list[str] = (), title: str = "", legend: bool = True) -> str:
    """The map as an SVG document: kommuner, hatch/dot patterns, län outlines, labels, legend.

    ``links``: kommun code -> href; each kommun becomes an ``<a>`` with a ``<title>`` (the index page).
    ``caption_lines``: short lines under the legend (the län's and riket's values)."""
    font = _esc(brand.chart_font()["family"])
    size = brand.chart_font()["size"]
    x0, y0, x1, y1 = geometry.bbox([v.code for v in values])
    margin = 8
    scale = (width - 2 * margin) / (x1 - x0)
    if links is None:  # in a report: a tall län (Kalmar, Norrbotten) no taller than wide, so map, legend and
        scale = min(scale, MAX_MAP_HEIGHT * (width - 2 * margin) / (y1 - y0))  # caption fit on one A4 page
    map_h = (y1 - y0) * scale
    left = margin + ((width - 2 * margin) - (x1 - x0) * scale) / 2  # a narrowed map is centred
    top = margin + (size + 18 if any(v.shown and v.example for v in values) else 0)

    def to_px(p):
        return left + (p[0] - x0) * scale, top + (y1 - p[1]) * scale

    decimals = 0 if scale < 2 else 1
    items = legend_items(classes, values) if legend else []
    cols = 2 if width >= 560 else 1
    row_h = size + 9
    legend_top = top + map_h + 14
    legend_rows = math.ceil(len(items) / cols)
    head = textwrap.wrap(legend_title(ind), int((width - 2 * margin) / (0.55 * size))) if legend else []
    legend_h = (len(head) * (size + 4) + 10 + legend_rows * row_h + len(caption_lines) * (size + 6)) if legend else 0
    height = math.ceil(legend_top + legend_h + margin)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="{font}" font-size="{size}"'
           + (' role="img"' if not links else "") + ">"]
    if title:
        out.append(f"<title>{_esc(title)}</title>")
    out.append(SVG_DEFS.replace("{p}", prefix))
    out.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    if any(v.shown and v.example for v in values):
        amber, sand = brand.colour("warning"), brand.colour("sand")
        out.append(f'<rect x="{margin}" y="{margin}" width="{int(size * 17)}" height="{size + 10}" fill="{sand}" '
                   f'stroke="{amber}" stroke-width="1.5"/><text x="{margin + 6}" y="{margin + size + 2}" '
                   f'fill="{amber}" font-weight="bold">{_esc(charts.EXAMPLE_MARK)}</text>')
    out.append(f'<g stroke="{BORDER}" stroke-width="0.8" stroke-linejoin="round" fill-rule="evenodd">')
    for v in values:
        d = _path(geometry.kommuner[v.code].rings, to_px, decimals)
        fill = classes.colour(v.gap) if v.shown else f"url(#{prefix}-hatch)"
        tip = f"{v.name} ({v.code}): skillnad {gap_text(v, ind)} {ind.diff_unit}, {v.kind.lower()}"
        body = f'<path d="{d}" fill="{fill}"/>'
        if v.shown and v.example:
            body += f'<path d="{d}" fill="url(#{prefix}-dots)" stroke="none"/>'
        if links is not None:
            out.append(f'<a href="{_esc(links[v.code])}" id="{prefix}-{v.code}" data-kod="{v.code}" '
                       f'data-namn="{_esc(v.name)}" aria-label="{_esc(tip)}"><title>{_esc(tip)}</title>{body}</a>')
        else:
            out.append(f'<g data-kod="{v.code}" data-klass="{classes.index(v.gap) if v.shown else "saknas"}">'
                       f"{body}</g>")
    out.append("</g>")
    outline = "".join(_line(geometry.outlines[c], to_px, decimals) for c in counties)
    out.append(f'<path d="{outline}" fill="none" stroke="{OUTLINE}" stroke-width="{2 if links is None else 1}" '
               'stroke-linejoin="round" pointer-events="none"/>')
    if labels:
        with_values = len(values) <= LABEL_VALUES_UP_TO
        # no halo: Typst draws a text's stroke over its fill (no paint-order); the text colour keeps ≥ 4,5:1
        font = size if len(values) <= 25 else size - 2  # a dense län: smaller names
        out.append(f'<g text-anchor="middle" pointer-events="none" font-size="{font}">')
        lines = 2 if with_values else 1
        boxes = [(to_px(geometry.kommuner[v.code].label), max(len(v.name), 6) * 0.56 * font, lines * (font + 1))
                 for v in values]
        for v, (x, y) in zip(values, place_labels(boxes, [_area(geometry.kommuner[v.code].rings) for v in values])):
            text_colour = label_colours(_fill(v, classes))[0]
            name = f'<tspan x="{x:.1f}" dy="0" font-weight="bold">{_esc(v.name)}</tspan>'
            value = f'<tspan x="{x:.1f}" dy="{font + 1}">{_esc(gap_text(v, ind))}</tspan>' if with_values else ""
            out.append(f'<text x="{x:.1f}" y="{y - (font / 2 if with_values else -font / 3):.1f}" fill="{text_colour}">'
                       f"{name}{value}</text>")
        out.append("</g>")
    if not legend:
        out.append("</svg>")
        return "".join(out)
    y = legend_top + size
    for n, line in enumerate(head):
        out.append(f'<text x="{margin}" y="{y + n * (size + 4):.0f}" font-weight="bold">{_esc(line)}</text>')
    y += (len(head) - 1) * (size + 4)
    col_w = (width - 2 * margin) / cols
    for n, (fill, pattern, text) in enumerate(items):
        r, c = divmod(n, cols) if cols == 1 else (n % legend_rows, n // legend_rows)
        lx, ly = margin + c * col_w, y + 8 + r * row_h
        paint = {"hatch": f"url(#{prefix}-hatch)", "dots": f"url(#{prefix}-dots-legend)"}.get(pattern, fill)
        out.append(f'<rect x="{lx:.0f}" y="{ly:.0f}" width="{size + 6}" height="{size}" fill="{paint}" '
                   f'stroke="#767676" stroke-width="0.8"/><text x="{lx + size + 12:.0f}" y="{ly + size - 2:.0f}">'
                   f"{_esc(text)}</text>")
    y = y + 8 + legend_rows * row_h
    for line in caption_lines:
        y += size + 4
        out.append(f'<text x="{margin}" y="{y - 4:.0f}">{_esc(line)}</text>')
    out.append("</svg>")
    return "".join(out)


def _area(rings) -> float:
    return abs(sum(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(r, r[1:])) for r in rings)) / 2


def place_labels(boxes: list[tuple[tuple[float, float], float, float]], weights: list[float]) -> list[tuple[float, float]]:
    """Label centres that do not overlap where a small move avoids it: ``boxes`` are (centre, width, height), placed
    largest ``weights`` first (a big kommun keeps its label at its centre); a label that meets one placed before
    moves up or down by up to one line, or stays where it is when every move meets another."""
    placed: dict[int, tuple[float, float, float, float]] = {}
    out: list[tuple[float, float]] = [b[0] for b in boxes]
    for i in sorted(range(len(boxes)), key=lambda i: -weights[i]):
        (x, y), w, h = boxes[i]
        for dy in (0, -0.6 * h, 0.6 * h, -1.1 * h, 1.1 * h):
            box = (x - w / 2, y + dy - h / 2, x + w / 2, y + dy + h / 2)
            if not any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in placed.values()):
                out[i] = (x, y + dy)
                break
        else:
            box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        placed[i] = box
    return out


# --------------------------------------------------------------------------- the county report's map


class MapChart(Chart):
    """A map: the plotly figure in the HTML, its own SVG (written here, no browser) in the PDF."""

    def __init__(self, figure: go.Figure, svg: str, caption: str, alt: str, label: str = "", links=None,
                 static: bool | None = None):
        super().__init__(figure, caption, alt, label, links, static)
        self.svg = svg

    def draw_ahead(self) -> None:  # nothing to draw ahead: the SVG is made in Python
        return None

    def bundle(self):
        fig = self.figure.to_dict()
        data = {"application/vnd.plotly.v1+json": self.plotly_json(fig), "text/html": self.html(fig),
                "text/plain": self.caption}
        if self.wants_static:
            folder = settings.figures_dir
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"{self.label}.svg"
                tmp = path.with_name(path.name + ".tmp")
                tmp.write_text(self.svg, encoding="utf-8")
                tmp.replace(path)
                data["text/markdown"] = self.markdown_figure(f"{folder.name}/{path.name}")
            else:
                data["image/svg+xml"] = self.svg
        return data, {}


def map_alt(values: list[MapValue], classes: Classes, ind: Indicator, where: str, year: int) -> str:
    shown = sorted((v for v in values if v.shown), key=lambda v: v.gap)
    parts = [f"{v.name} {gap_text(v, ind)} ({classes.label(classes.index(v.gap))})" for v in shown]
    parts += [f"{v.name} {v.status or '..'} (uppgift saknas eller skyddas)" for v in values if not v.shown]
    example = " Värdena är exempeldata, inte verklig statistik." if any(v.example for v in shown) else ""
    return (f"Karta över {where} där varje kommun är färgad efter skillnaden i {fmt.in_text(ind.title)} {year} "
            f"mellan {ind.group_label('utrikes')} och {ind.group_label('inrikes')} ({ind.diff_unit}, "
            f"utrikes minus inrikes), i {classes.count} klasser kring 0. " + "; ".join(parts) + "." + example)


def map_table(values: list[MapValue], classes: Classes, ind: Indicator) -> pd.DataFrame:
    rows = []
    for v in sorted(values, key=lambda v: (not v.shown, v.gap if v.shown else 0.0)):
        rows.append({
            "Kommun": v.name, "Kod": v.code,
            ind.group_label("utrikes").capitalize(): fmt.with_unit(v.subject, ind.unit, ind.decimals),
            ind.group_label("inrikes").capitalize(): fmt.with_unit(v.reference, ind.unit, ind.decimals),
            f"Skillnad, {ind.diff_unit}": gap_text(v, ind),
            "Klass i kartan": classes.label(classes.index(v.gap)) if v.shown else MISSING_SHORT,
            "Data": v.kind,
        })
    return pd.DataFrame(rows)


@presents
def county_map(report, ind: Indicator | str) -> Parts:
    """The län's kommuner coloured by the gap, with the län outline, beside its table and downloads."""
    ind = report.catalogue.get(ind) if isinstance(ind, str) else ind
    if not ind.is_native or "kommun" not in ind.levels or not report.kommuner:
        return
    rows = [report.gap_row(ind, k.code) for k in report.kommuner]
    if all(r is None for r in rows):
        return  # nothing at all for the kommuner: the section says "uppgift saknas" already
    values = [value_from_gap_row(k.code, k.name, r) for k, r in zip(report.kommuner, rows)]
    lan, riket = report.gap_row(ind, report.code), report.gap_row(ind, "0000")
    lan_v = value_from_gap_row(report.code, report.area.name, lan)
    riket_v = value_from_gap_row("0000", "Riket", riket)
    classes = classes_for(values, ind, [lan_v.gap if lan_v.shown else None, riket_v.gap if riket_v.shown else None])
    geometry = prepared_geometry(report.results.config.root)
    from analysis.domain.geography import county_name

    where = county_name(report.area)
    compare = (f"Länet {gap_text(lan_v, ind)}, riket {gap_text(riket_v, ind)} {ind.diff_unit}"
               + (" (exempeldata)" if lan_v.example and lan_v.shown else "") + ".")
    caption = report._mark(ind, f"Karta: skillnaden i {fmt.in_text(ind.title)} {report.year} mellan "
                                f"{ind.group_label('utrikes')} och {ind.group_label('inrikes')} per kommun i {where}. "
                                + compare)
    fig = plotly_map(geometry, values, classes, ind, counties=[report.area.county])
    fig.update_layout(legend={"title": {"text": "<br>".join(textwrap.wrap(legend_title(ind), 38) + textwrap.wrap(compare, 38)),
                                        "side": "top"}})
    svg = svg_map(geometry, values, classes, ind, counties=[report.area.county], prefix=f"karta-{ind.id}",
                  caption_lines=[compare], title=caption)
    table = map_table(values, classes, ind)
    table_caption = report._mark(ind, f"Uppgifterna i kartan: {fmt.in_text(ind.title)} {report.year}, skillnad "
                                      f"{ind.group_label('utrikes')} − {ind.group_label('inrikes')} per kommun "
                                      f"och kartans klass. {compare}")
    links = report.download(f"{ind.id}-karta", table, report.notes(ind, table_caption), ind, 3)
    from analysis.present.display import emit, label_for

    emit(MapChart(fig, svg, caption, map_alt(values, classes, ind, where, report.year),
                  label_for("fig", f"karta-{report.area.code}-{ind.id}"), links, report.static))
    show_table(table, table_caption, links)
