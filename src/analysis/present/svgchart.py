"""The PDF's static charts: SVG written by Python from a :class:`~analysis.present.chartspec.ChartSpec`.

No browser: the layout is computed here, with every text measured from the brand's font files (Source Sans Pro,
PyPI ``font-source-sans-pro``, read with fontTools), and Typst draws the SVG in the PDF with the same font files.
It follows the plotly figures' house style (:mod:`analysis.present.charts`, ``_brand.yml``): the body typeface at a
size that prints at ≥ 8 pt, light grid, legend below the plot, the areas' line styles and markers, error bars,
direct labels placed where they cover no line and no marker, patterns for län and riket, the EXEMPELDATA mark.
A chart costs about a millisecond (Chromium through kaleido: ≈ 50–130 ms, plus 2,6 CPU-s to start).
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache
from html import escape

from analysis.present import brand, fmt
from analysis.present.chartspec import Axis, ChartSpec, Marker, Series

GRID = "#EBF0F8"  # plotly_white's grid and zero line
LINE_HEIGHT = 1.25


# --------------------------------------------------------------------------- text


@lru_cache(maxsize=2)
def _font(bold: bool):
    """(advance widths by code point, units per em) of the brand's font, or None without the font files."""
    name = "SourceSansPro-Bold.ttf" if bold else "SourceSansPro-Regular.ttf"
    for folder in brand.font_dirs():
        path = folder / name
        if path.is_file():
            from fontTools.ttLib import TTFont

            font = TTFont(str(path), lazy=True)
            metrics = font["hmtx"].metrics
            widths = {cp: metrics[glyph][0] for cp, glyph in font.getBestCmap().items()}
            return widths, font["head"].unitsPerEm
    return None


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width in px of ``text`` set in the brand's font at ``size`` px (0,55 em per character without it)."""
    font = _font(bold)
    if font is None:
        return 0.55 * size * len(text)
    widths, upem = font
    default = widths.get(ord("n"), upem // 2)
    return sum(widths.get(ord(c), default) for c in text) * size / upem


class Canvas:
    """SVG elements in drawing order."""

    def __init__(self, width: float, height: float, family: str, colour: str, size: float):
        self.width, self.height, self.family, self.colour, self.size = width, height, family, colour, size
        self.parts: list[str] = []
        self.defs: list[str] = []

    def add(self, element: str) -> None:
        self.parts.append(element)

    def text(self, x: float, y: float, text: str, *, size: float | None = None, colour: str | None = None,
             anchor: str = "start", bold: bool = False, halo: bool = False, extra: str = "") -> None:
        """``y`` is the baseline."""
        attrs = [f'x="{x:.1f}"', f'y="{y:.1f}"', f'font-size="{size or self.size:g}"']
        if anchor != "start":
            attrs.append(f'text-anchor="{anchor}"')
        if bold:
            attrs.append('font-weight="bold"')
        if colour and colour != self.colour:
            attrs.append(f'fill="{colour}"')
        if halo:  # a white outline under the letters, as plotly's text shadow: legible over a grid line
            attrs.append('stroke="white" stroke-width="3" stroke-linejoin="round" paint-order="stroke"')
        self.add(f"<text {' '.join(attrs)}{extra}>{escape(text)}</text>")

    def line(self, x1, y1, x2, y2, colour: str, width: float = 1, dash: str = "") -> None:
        d = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
                 f'stroke-width="{width:g}"{d}/>')

    def svg(self, title: str = "") -> str:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:g}" height="{self.height:g}" '
                f'viewBox="0 0 {self.width:g} {self.height:g}" font-family="{escape(self.family)}" '
                f'fill="{self.colour}">')
        t = f"<title>{escape(title)}</title>" if title else ""
        defs = f"<defs>{''.join(self.defs)}</defs>" if self.defs else ""
        body = "\n".join(self.parts)
        return f'{head}{t}{defs}<rect width="100%" height="100%" fill="white"/>\n{body}\n</svg>\n'


def _baseline(centre: float, size: float) -> float:
    """The baseline that centres a line of text of ``size`` px on ``centre`` (cap height ≈ 0,66 em)."""
    return centre + 0.33 * size


# --------------------------------------------------------------------------- axes


def nice_ticks(lo: float, hi: float, length_px: float, min_px: float) -> list[float]:
    """Tick values as plotly.js chooses them (``prepTicks``/``autoTicks``): 4 to 9 intervals, one per ``min_px``
    (40 px on a y axis, 80 on an x axis), plus one; the step the next of 2, 5 or 10 × 10ⁿ above the rough step."""
    if hi <= lo:
        hi = lo + 1
    n = max(4, min(9, length_px / min_px)) + 1
    rough = (hi - lo) / n
    base = 10 ** math.floor(math.log10(rough))
    step = next(m * base for m in (2, 5, 10) if m * base > rough)
    first = math.ceil(lo / step - 1e-9) * step
    out, v = [], first
    while v <= hi + 1e-9 * step:
        out.append(round(v, 10))
        v += step
    return out


def tick_text(value: float, step: float, suffix: str = "") -> str:
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    return fmt.number(value, decimals) + suffix.replace(" ", fmt.NBSP)


class Scale:
    def __init__(self, lo: float, hi: float, a: float, b: float):
        self.lo, self.hi, self.a, self.b = lo, hi, a, b

    def __call__(self, v: float) -> float:
        return self.a + (v - self.lo) / ((self.hi - self.lo) or 1) * (self.b - self.a)


def _range(values: list[float], ax: Axis, pad_share: float = 0.06) -> tuple[float, float]:
    if ax.range is not None:
        return ax.range
    values = [v for v in values if v is not None and not math.isnan(v)] or [0.0, 1.0]
    lo, hi = min(values), max(values)
    if ax.tozero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    span = (hi - lo) or abs(hi) or 1.0
    return (lo if ax.tozero and lo == 0 else lo - pad_share * span, hi + pad_share * span)


# --------------------------------------------------------------------------- markers and lines


def _dash(dash: str, width: float) -> str:
    d = max(width, 3)
    return {"solid": "", "dot": f"{d:g},{d:g}", "dash": f"{3 * d:g},{3 * d:g}",
            "dashdot": f"{3 * d:g},{d:g},{d:g},{d:g}"}.get(dash, "")


def marker(c: Canvas, x: float, y: float, m: Marker) -> None:
    r = m.size / 2
    if m.symbol == "circle-open":
        c.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="none" stroke="{m.colour}" '
              f'stroke-width="{m.line_width:g}"/>')
        return
    style = f'fill="{m.colour}" stroke="{m.line_colour}" stroke-width="{m.line_width:g}"'
    if m.symbol == "square":
        c.add(f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" {style}/>')
    elif m.symbol == "diamond":
        d = r * 1.3
        c.add(f'<path d="M{x + d:.1f},{y:.1f}L{x:.1f},{y - d:.1f}L{x - d:.1f},{y:.1f}L{x:.1f},{y + d:.1f}Z" {style}/>')
    elif m.symbol == "triangle-up":
        t, h = r * 2 / math.sqrt(3), r / 2
        c.add(f'<path d="M{x - t:.1f},{y + h:.1f}H{x + t:.1f}L{x:.1f},{y - r:.1f}Z" {style}/>')
    else:
        c.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {style}/>')


def polyline(c: Canvas, points: list[tuple[float, float] | None], colour: str, width: float, dash: str) -> None:
    """A line through ``points``, broken where a point is None (a missing value is never drawn as 0)."""
    runs, run = [], []
    for p in points:
        if p is None:
            if len(run) > 1:
                runs.append(run)
            run = []
        else:
            run.append(p)
    if len(run) > 1:
        runs.append(run)
    d = f' stroke-dasharray="{_dash(dash, width)}"' if _dash(dash, width) else ""
    for run in runs:
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
        c.add(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width:g}" '
              f'stroke-linejoin="round"{d}/>')


def _legend_sample(c: Canvas, x: float, y: float, s: Series) -> None:
    if "lines" in s.mode:
        c.line(x + 5, y, x + 35, y, s.colour, s.width, _dash(s.dash, s.width))
    if s.marker is not None and "markers" in s.mode:
        m = s.marker
        marker(c, x + 20, y, Marker(m.symbol, min(m.size, 12), m.colour, m.line_colour, m.line_width))


def legend_layout(series: list[Series], width: float, size: float) -> tuple[list[tuple[Series, float, int]], float]:
    """Legend entries in a grid that fits ``width``: [(series, x offset, row)], height in px."""
    items = [s for s in series if s.legend]
    if not items:
        return [], 0.0
    widths = [40 + text_width(s.name, size) + 12 for s in items]
    if sum(widths) <= width:  # one row, entries side by side
        xs = [sum(widths[:i]) for i in range(len(items))]
        return [(s, x, 0) for s, x in zip(items, xs)], size * 1.5 + 6
    col = max(widths)
    ncols = max(1, int(width // col))
    out = [(s, (i % ncols) * col, i // ncols) for i, s in enumerate(items)]
    rows = math.ceil(len(items) / ncols)
    return out, rows * size * 1.5 + 6


# --------------------------------------------------------------------------- direct labels


def _segment_hits_box(p, q, box) -> bool:
    """Whether the segment p–q crosses the box (x0, y0, x1, y1) (Liang–Barsky clipping)."""
    (x0, y0, x1, y1), (px, py), (qx, qy) = box, p, q
    dx, dy = qx - px, qy - py
    t0, t1 = 0.0, 1.0
    for pp, qq in ((-dx, px - x0), (dx, x1 - px), (-dy, py - y0), (dy, y1 - py)):
        if pp == 0:
            if qq < 0:
                return False
        else:
            t = qq / pp
            if pp < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
    return True


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_label(x: float, y: float, w: float, h: float, above: bool, segments: list, points: list, taken: list,
                bounds: tuple[float, float, float, float]) -> tuple[float, float]:
    """The box (left, top) for a direct label of size w×h at the point (x, y): the first of the candidate
    places (the preferred side first, nearest first) that covers no line segment, no marker and no other label
    and stays inside ``bounds``; the least covered one if none is free."""
    gap = 7
    sides = [-1, 1] if above else [1, -1]  # -1: above the point
    candidates = []
    for side in sides:
        for lift in (0, 10, 22, 36):
            top = y - gap - lift - h if side < 0 else y + gap + lift
            for left in (x - w, x - w / 2, x - w - 8, x - w + 12):
                candidates.append((left, top))
    for lift in (0, 12, -12):  # beside the point, to its left
        candidates.append((x - w - 10, y - h / 2 + lift))
    best, best_cost = candidates[0], math.inf
    for left, top in candidates:
        box = (left - 2, top - 1, left + w + 2, top + h + 1)
        cost = 0.0
        if box[0] < bounds[0] or box[2] > bounds[2] or box[1] < bounds[1] or box[3] > bounds[3]:
            cost += 100
        cost += 10 * sum(_segment_hits_box(p, q, box) for p, q in segments)
        cost += 10 * sum(box[0] - r <= px <= box[2] + r and box[1] - r <= py <= box[3] + r for px, py, r in points)
        cost += 50 * sum(_overlaps(box, t) for t in taken)
        if cost == 0:
            return left, top
        if cost < best_cost:
            best, best_cost = (left, top), cost
    return best


# --------------------------------------------------------------------------- the charts


def _example_mark(c: Canvas, left: float, top: float, plot: tuple[float, float, float, float]) -> None:
    """The EXEMPELDATA box above the plot (left) and the light watermark across it (charts.mark_example)."""
    from analysis.present.charts import EXAMPLE_MARK

    amber, sand = brand.colour("warning"), brand.colour("sand")
    size = c.size
    w, h = text_width(EXAMPLE_MARK, size, bold=True) + 8, size * LINE_HEIGHT + 6
    c.add(f'<rect x="{left:.1f}" y="{top - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{sand}" stroke="{amber}" '
          f'stroke-width="1.5"/>')
    c.text(left + 4, _baseline(top - h / 2, size), EXAMPLE_MARK, colour=amber, bold=True)
    cx, cy = (plot[0] + plot[2]) / 2, (plot[1] + plot[3]) / 2
    c.add(f'<text x="{cx:.1f}" y="{_baseline(cy, 44):.1f}" font-size="44" text-anchor="middle" fill="{amber}" '
          f'fill-opacity="0.13" transform="rotate(-18 {cx:.1f} {cy:.1f})">EXEMPELDATA</text>')


def svg(spec: ChartSpec, width: int | None = None) -> str:
    """The static SVG of ``spec`` (``width`` px wide, default the brand's static chart width)."""
    from analysis.present.charts import static_size

    width = width or static_size()[0]
    font = brand.chart_font()
    # never taller than a page holds (the county's bars of a län with many kommuner: 35 in Skåne, 51 in Västra
    # Götaland); the bars get thinner instead (_bar)
    chart = brand.scale()["chart"]
    height = min(spec.height, width * chart.get("print-max-height-mm", float("inf")) / chart["print-width-mm"])
    c = Canvas(width, height, font["family"], font["color"], font["size"])
    (_bar if spec.kind == "bar" else _xy)(c, spec)
    return c.svg(spec.caption)


def _frame(c: Canvas, spec: ChartSpec, y_labels: list[tuple[str, bool]], x_title: str, y_title: str,
           legend_h: float) -> tuple[float, float, float, float]:
    """The plot area (left, top, right, bottom) once axis labels, titles, legend and example mark have room."""
    size = c.size
    m = {"l": 10, "r": 16, "b": 10, **spec.margin}
    top = (size * LINE_HEIGHT + 6 + 12) if spec.example else 12
    label_w = max((max(text_width(line, size, bold) for line in t.split("\n")) for t, bold in y_labels), default=0)
    left = m["l"] + (size + 12 if y_title else 0) + label_w + 6
    bottom = c.height - m["b"] - legend_h - (size + 14 if x_title else 0) - (size + 8)
    return left, top, c.width - m["r"], bottom


def _x_axis(c: Canvas, ticks: list[float], labels: list[str], sx: Scale, plot, title: str, grid: bool) -> None:
    left, top, right, bottom = plot
    for v, label in zip(ticks, labels):
        x = sx(v)
        if grid:
            c.line(x, top, x, bottom, GRID)
        c.text(x, bottom + 6 + c.size * 0.8, label, anchor="middle")
    if title:
        c.text((left + right) / 2, bottom + c.size + 14 + c.size * 0.8, title, anchor="middle")


def _legend(c: Canvas, spec: ChartSpec, plot) -> None:
    size = c.size
    items, height = legend_layout(spec.series, c.width - 20, size)
    m = {"b": 10, **spec.margin}
    y0 = c.height - m["b"] - height + 3
    for s, dx, row in items:
        y = y0 + row * size * 1.5 + size * 0.75
        _legend_sample(c, 10 + dx, y, s)
        c.text(10 + dx + 40, _baseline(y, size), s.name)


def _xy(c: Canvas, spec: ChartSpec) -> None:
    """Lines over years (``line``) or dots in rows (``strip``)."""
    size = c.size
    xs = [v for s in spec.series for v in s.x if v is not None]
    ys = [v for s in spec.series for v in s.y if v is not None]
    ys += [v + e for s in spec.series if s.errors for v, e in zip(s.y, s.errors) if v is not None and e]
    ys += [v - e for s in spec.series if s.errors for v, e in zip(s.y, s.errors) if v is not None and e]
    xs += [v + e for s in spec.series if s.x_errors for v, e in zip(s.x, s.x_errors) if v is not None and e]
    xs += [v - e for s in spec.series if s.x_errors for v, e in zip(s.x, s.x_errors) if v is not None and e]
    ylo, yhi = _range(ys, spec.y)
    _, legend_h = legend_layout(spec.series, c.width - 20, size) if spec.legend else ([], 0.0)
    # y tick labels: from the rows' names (strip) or nice values; the plot height is needed for the count, so
    # the frame is first made with an estimate of the labels' width
    if spec.y.tickvals is not None:
        yticks = list(spec.y.tickvals)
        ylabels = list(spec.y.ticktext or [str(v) for v in yticks])
    else:
        rough = c.height - 100 - legend_h
        yticks = nice_ticks(ylo, yhi, rough, 40)
        ylabels = [tick_text(v, yticks[1] - yticks[0] if len(yticks) > 1 else 1, spec.y.suffix) for v in yticks]
    plot = _frame(c, spec, [(t, False) for t in ylabels], spec.x.title, spec.y.title, legend_h + (8 if legend_h else 0))
    left, top, right, bottom = plot
    if spec.y.tickvals is None:  # again with the real height
        yticks = [v for v in nice_ticks(ylo, yhi, bottom - top, 40) if ylo - 1e-9 <= v <= yhi + 1e-9]
        step = yticks[1] - yticks[0] if len(yticks) > 1 else 1
        ylabels = [tick_text(v, step, spec.y.suffix) for v in yticks]
    sy = Scale(ylo, yhi, bottom, top)
    # x: years with dtick, or nice values; padded by a marker's width so the first and last points are inside
    xlo, xhi = _range(xs, spec.x, pad_share=0.05) if spec.x.range is None else spec.x.range
    if spec.x.dtick and xs:
        lo, hi = min(xs), max(xs)
        pad = (hi - lo or 1) * 0.035
        xlo, xhi = lo - pad, hi + pad
    sx = Scale(xlo, xhi, left, right)
    if spec.x.dtick:
        xticks = [float(v) for v in range(math.ceil(xlo), math.floor(xhi) + 1, int(spec.x.dtick))]
        xlabels = [str(int(v)) for v in xticks]
    else:
        xticks = [v for v in nice_ticks(xlo, xhi, right - left, 80) if xlo <= v <= xhi]
        step = xticks[1] - xticks[0] if len(xticks) > 1 else 1
        xlabels = [tick_text(v, step, spec.x.suffix) for v in xticks]
    # grid, zero lines, tick labels
    for v, label in zip(yticks, ylabels):
        y = sy(v)
        if spec.y.grid:
            c.line(left, y, right, y, GRID)
        lines = label.split("\n")
        for i, line in enumerate(lines):
            c.text(left - 6, _baseline(y + (i - (len(lines) - 1) / 2) * size * 1.2, size), line, anchor="end")
    _x_axis(c, xticks, xlabels, sx, plot, spec.x.title, spec.x.grid)
    if spec.y.zeroline is not False and ylo <= 0 <= yhi and spec.y.tickvals is None:
        c.line(left, sy(0), right, sy(0), spec.y.zeroline_colour or GRID, 2)
    if spec.x.zeroline is not False and xlo <= 0 <= xhi:
        c.line(sx(0), top, sx(0), bottom, spec.x.zeroline_colour or GRID, 2)
    if spec.y.title:
        cy, cx = (top + bottom) / 2, spec.margin.get("l", 10) + size * 0.8
        c.add(f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="{size:g}" text-anchor="middle" '
              f'transform="rotate(-90 {cx:.1f} {cy:.1f})">{escape(spec.y.title)}</text>')
    if spec.example:
        _example_mark(c, left, top - 6, plot)
    # the series: error bars, lines, markers
    segments, points = [], []
    projected = []
    for s in spec.series:
        pts = [None if (x is None or y is None or (isinstance(y, float) and math.isnan(y))) else (sx(x), sy(y))
               for x, y in zip(s.x, s.y)]
        projected.append(pts)
        if "lines" in s.mode:
            segments += [(p, q) for p, q in itertools.pairwise(pts) if p is not None and q is not None]
        if s.marker is not None:
            points += [(p[0], p[1], s.marker.size / 2 + 1) for p in pts if p is not None]
    for s, pts in zip(spec.series, projected):
        if s.errors:
            for p, y, e in zip(pts, s.y, s.errors):
                if p is None or not e or (isinstance(e, float) and math.isnan(e)):
                    continue
                y0, y1 = sy(y - e), sy(y + e)
                c.line(p[0], y0, p[0], y1, s.colour, 1.2)
                c.line(p[0] - 4, y0, p[0] + 4, y0, s.colour, 1.2)
                c.line(p[0] - 4, y1, p[0] + 4, y1, s.colour, 1.2)
        if s.x_errors:
            for p, x, e in zip(pts, s.x, s.x_errors):
                if p is None or not e or (isinstance(e, float) and math.isnan(e)):
                    continue
                x0, x1 = sx(x - e), sx(x + e)
                c.line(x0, p[1], x1, p[1], s.colour, 1.5)
                c.line(x0, p[1] - 6, x0, p[1] + 6, s.colour, 1.5)
                c.line(x1, p[1] - 6, x1, p[1] + 6, s.colour, 1.5)
        if "lines" in s.mode:
            polyline(c, pts, s.colour, s.width, s.dash)
        if s.marker is not None and "markers" in s.mode:
            for p in pts:
                if p is not None:
                    marker(c, p[0], p[1], s.marker)
    # direct labels, off every line and marker
    taken: list = []
    bounds = (left, 2, c.width - 2, bottom)
    for s, pts in zip(spec.series, projected):
        last = next((p for p in reversed(pts) if p is not None), None)
        if not s.label or last is None:
            continue
        w, h = text_width(s.label, size), size * 1.05
        lx, ly = place_label(last[0], last[1], w, h, s.label_above, segments, points, taken, bounds)
        taken.append((lx - 2, ly - 1, lx + w + 2, ly + h + 1))
        c.text(lx, ly + size * 0.8, s.label, colour=s.colour, halo=True)
    for n in spec.notes:
        h = n.size * 1.2 + 2  # the text's box; ``anchor`` names its edge at the note's y, ``shift`` px up from it
        x, y = sx(n.x), sy(n.y) - n.shift + {"middle": 0.0, "bottom": -h / 2, "top": h / 2}[n.anchor]
        w = text_width(n.text, n.size)
        if n.point is not None:  # the leader: from the box's edge on the point's side to the point's marker
            px, py = sx(n.point[0]), sy(n.point[1])
            edge = y + h / 2 if py > y else y - h / 2
            length = math.hypot(px - x, py - edge)
            if length > n.standoff:
                t = (length - n.standoff) / length
                c.line(x, edge, x + (px - x) * t, edge + (py - edge) * t, n.colour, 1)
        c.add(f'<rect x="{x - w / 2 - 2:.1f}" y="{y - n.size * 0.6 - 1:.1f}" width="{w + 4:.1f}" '
              f'height="{n.size * 1.2 + 2:.1f}" fill="white" fill-opacity="0.85"/>')
        c.text(x, _baseline(y, n.size), n.text, size=n.size, colour=n.colour, anchor="middle")
    if spec.legend:
        _legend(c, spec, plot)


def _pattern(c: Canvas, colour: str, shape: str) -> str:
    """A fill: the bar's colour with white lines ("/") or dots (".") over it, as plotly's bar patterns."""
    if not shape:
        return colour
    pid = f"p{len(c.defs)}"
    mark = ('<path d="M-2,2L2,-2M0,8L8,0M6,10L10,6" stroke="white" stroke-width="2"/>' if shape == "/" else
            '<circle cx="4" cy="4" r="1.6" fill="white"/>')
    c.defs.append(f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
                  f'<rect width="8" height="8" fill="{colour}"/>{mark}</pattern>')
    return f"url(#{pid})"


def _bar(c: Canvas, spec: ChartSpec) -> None:
    """Horizontal bars top to bottom in the spec's order, values printed outside the bars."""
    size = c.size
    bars = spec.bars
    values = [b.value for b in bars if b.value is not None] or [0.0]
    xlo, xhi = spec.x.range or _range(values + [0.0], Axis(tozero=True))
    ticks_labels = [(b.tick or b.label, b.bold) for b in bars]
    plot = _frame(c, spec, ticks_labels, spec.x.title, "", 0)
    left, top, right, bottom = plot
    sx = Scale(xlo, xhi, left, right)
    xticks = [v for v in nice_ticks(xlo, xhi, right - left, 80) if xlo - 1e-9 <= v <= xhi + 1e-9]
    step = xticks[1] - xticks[0] if len(xticks) > 1 else 1
    _x_axis(c, xticks, [tick_text(v, step, spec.x.suffix) for v in xticks], sx, plot, spec.x.title, True)
    if xlo <= 0 <= xhi:
        c.line(sx(0), top, sx(0), bottom, spec.x.zeroline_colour or GRID, 2)
    band = (bottom - top) / max(len(bars), 1)
    thick = band * 0.8
    size = min(size, band * 0.9)  # many bars on a page-high chart: the labels as high as a band
    for i, b in enumerate(bars):
        centre = top + band * (i + 0.5)
        label, bold = ticks_labels[i]
        c.text(left - 6, _baseline(centre, size), label, anchor="end", bold=bold, size=size)
        v = 0.0 if b.value is None else b.value
        x0, x1 = sorted((sx(0), sx(v)))
        if x1 - x0 > 0.1:
            c.add(f'<rect x="{x0:.1f}" y="{centre - thick / 2:.1f}" width="{x1 - x0:.1f}" height="{thick:.1f}" '
                  f'fill="{_pattern(c, b.colour, b.pattern)}" stroke="white" stroke-width="1"/>')
        if v < 0:
            c.text(x0 - 4, _baseline(centre, size), b.text, anchor="end", size=size)
        else:
            c.text(x1 + 4, _baseline(centre, size), b.text, size=size)
    if spec.example:
        _example_mark(c, left, top - 6, plot)
