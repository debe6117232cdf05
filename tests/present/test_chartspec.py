"""The chart spec: one description of a chart, from which the plotly figure (HTML) and the static SVG (PDF)
are both made; the SVG without a browser."""
import itertools
import math
import xml.etree.ElementTree as ET

import pytest

from analysis.present import brand, charts, chartspec, display, svgchart
from analysis.present.county_report import CountyReport
from analysis.present.report import Report

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def ronneby():
    return Report("1081", 2024, static_images=False)


@pytest.fixture(scope="module")
def county():
    return CountyReport("10", 2024, static_images=False)


def texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_plotly_figure_and_svg_come_from_the_same_spec(ronneby):
    ind = ronneby.catalogue.get("sysselsattningsgrad")
    spec = ronneby.trend_spec(ind)
    fig = chartspec.to_plotly(spec)
    # legend names as the spec has them (a long one on more lines in plotly: charts.legend_name)
    assert [t.name for t in fig.data] == [charts.legend_name(s.name) for s in spec.series]
    assert [list(t.y) for t in fig.data] == [s.y for s in spec.series]
    svg = svgchart.svg(spec)
    shown = texts(svg)
    for s in spec.series:  # every series in the legend, the own lines' direct labels with their last value
        assert s.name in shown
        if s.label:
            assert s.label in shown and s.label.endswith(("59,2\u00a0%", "83,6\u00a0%"))
    assert not spec.example and "EXEMPELDATA" not in svg  # real SCB figures: no mark
    assert "0\u00a0%" in shown and "80\u00a0%" in shown and "2020" in shown and "2024" in shown


def test_example_values_carry_the_mark_in_both_drawings(ronneby):
    spec = ronneby.trend_spec(ronneby.catalogue.get("behorighet_yrkesprogram"))  # example data
    assert spec.example
    from analysis.present.charts import EXAMPLE_MARK, is_marked

    assert is_marked(chartspec.to_plotly(spec))
    shown = texts(svgchart.svg(spec))
    assert EXAMPLE_MARK in shown and "EXEMPELDATA" in shown  # the box and the watermark


def test_survey_margins_become_error_bars(ronneby):
    spec = ronneby.trend_spec(ronneby.catalogue.get("god_halsa"))  # a survey indicator with ± margins
    with_errors = [s for s in spec.series if s.errors]
    assert with_errors
    fig = chartspec.to_plotly(spec)
    assert any(t.error_y.array is not None for t in fig.data)
    bare = chartspec.ChartSpec(**{**spec.__dict__, "series": [
        chartspec.Series(**{**s.__dict__, "errors": None}) for s in spec.series]})
    def lines(svg):
        return len(list(ET.fromstring(svg).iter(f"{SVG}line")))

    n_points = sum(1 for s in with_errors for e in s.errors if e)
    assert lines(svgchart.svg(spec)) - lines(svgchart.svg(bare)) == 3 * n_points  # a bar and two caps each


def test_county_bars_keep_order_colours_and_patterns(county):
    spec = county.gap_spec(county.catalogue.get("sysselsattningsgrad"))
    values = [b.value for b in spec.bars]
    assert values == sorted(values, reverse=True)
    svg = svgchart.svg(spec)
    root = ET.fromstring(svg)
    assert len(list(root.iter(f"{SVG}pattern"))) == 2  # län (lines) and riket (dots)
    shown = texts(svg)
    assert "Blekinge län" in shown and "\u221224,4" in shown  # Ronneby's bar value
    bold = [t.text for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert set(bold) == {"Blekinge län", "Riket"}


def test_a_county_with_many_kommuner_gets_bars_that_fit_a_page(county):
    """Västra Götaland's 49 kommuner, the län and riket: 51 bars. The plotly chart grows with the bars; the PDF's
    drawing is never taller than a page holds (_brand.yml chart.print-max-height-mm), its bars and labels get
    thinner instead, and no label is taller than its band."""
    from analysis.present.builders import gap_spec

    ind = county.catalogue.get("sysselsattningsgrad")
    areas = [(f"Kommun {i}", -float(i % 30), "kommun", None) for i in range(49)]
    spec = gap_spec(ind, 2024, [*areas, ("Västra Götalands län", -15.0, "lan", None), ("Riket", -14.4, "riket", None)],
                    False)
    chart = brand.scale()["chart"]
    width = charts.static_size()[0]
    most = width * chart["print-max-height-mm"] / chart["print-width-mm"]
    assert spec.height > most  # the spec asks for more than a page
    root = ET.fromstring(svgchart.svg(spec))
    assert float(root.get("height")) == pytest.approx(most)
    labels = [t for t in root.iter(f"{SVG}text") if "".join(t.itertext()).startswith("Kommun ")]
    rows = sorted(float(t.get("y")) for t in labels)
    band = min(b - a for a, b in itertools.pairwise(rows))
    assert len(labels) == 49 and all(float(t.get("font-size")) <= band for t in labels)


def test_strip_plot_has_every_kommun_once_per_row(ronneby):
    spec = ronneby.level("kommungrupp").position_spec(ronneby.catalogue.get("sysselsattningsgrad"))
    root = ET.fromstring(svgchart.svg(spec))
    circles = list(root.iter(f"{SVG}circle"))
    dots = sum(len(s.x) for s in spec.series if s.mode == "markers")
    legend_samples = sum(1 for s in spec.series if s.legend and s.marker is not None)
    assert len(circles) == dots + legend_samples
    assert "Ronneby \u221224,4" in texts(svgchart.svg(spec))


def test_strip_label_is_joined_to_its_dot_by_a_leader(ronneby):
    """The kommun's label sits above its row of dots, apart from its dot: a leader in its colour joins them, from
    the label's box to the dot's edge (SVG), and in plotly as lines under the markers (data units, then px)."""
    spec = ronneby.level("kommungrupp").position_spec(ronneby.catalogue.get("sysselsattningsgrad"))
    [note] = [n for n in spec.notes if n.text.startswith("Ronneby")]
    own = next(s for s in spec.series if s.name == "Ronneby")
    assert note.point == (own.x[0], 1)
    root = ET.fromstring(svgchart.svg(spec))
    label = next(t for t in root.iter(f"{SVG}text") if t.text == note.text)
    dot = next(c for c in root.iter(f"{SVG}circle") if c.get("fill") == own.colour and float(c.get("r")) > 7)
    cx, cy, r = float(dot.get("cx")), float(dot.get("cy")), float(dot.get("r"))
    leaders = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke") == note.colour]
    assert len(leaders) == 1
    ln = {k: float(leaders[0].get(k)) for k in ("x1", "y1", "x2", "y2")}
    assert ln["y1"] < cy and ln["y1"] <= float(label.get("y")) + 0.4 * note.size  # from under the label's text
    assert math.hypot(ln["x2"] - cx, ln["y2"] - cy) == pytest.approx(note.standoff, abs=0.5)  # to the dot's edge
    assert note.standoff > r
    fig = chartspec.to_plotly(spec)
    shapes = [s for s in fig.layout.shapes if s.line.color == note.colour]
    assert len(shapes) == 2 and all(s.layer == "below" for s in shapes)
    assert (shapes[0].y0, shapes[0].y1) == (1, note.y) and shapes[1].ysizemode == "pixel"
    assert shapes[1].y1 == note.shift


def test_missing_value_breaks_the_line_and_is_never_zero():
    s = chartspec.Series("A", [2020, 2021, 2022, 2023], [50.0, None, 52.0, 53.0], "#0072B2")
    spec = chartspec.ChartSpec("line", series=[s], x=chartspec.Axis(dtick=1), y=chartspec.Axis(tozero=True))
    lines = list(ET.fromstring(svgchart.svg(spec)).iter(f"{SVG}polyline"))
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2  # 2022–2023 only; 2020 stands alone


def test_direct_label_is_placed_off_lines_and_markers():
    # a line runs right through the preferred place (above left of the last point)
    x, y, w, h = 300.0, 200.0, 80.0, 14.0
    across = ((200.0, 185.0), (300.0, 185.0))
    left, top = svgchart.place_label(x, y, w, h, True, [across], [(x, y, 5.5)], [], (0, 0, 640, 440))
    box = (left - 2, top - 1, left + w + 2, top + h + 1)
    assert not svgchart._segment_hits_box(*across, box)
    assert not (box[0] <= x <= box[2] and box[1] <= y <= box[3])
    # and in a drawn chart whose lines lie close together: no direct label crosses a line
    spec = chartspec.ChartSpec("line", x=chartspec.Axis(dtick=1), y=chartspec.Axis(tozero=True), series=[
        chartspec.Series("A", [2020, 2022, 2024], [60.0, 60.5, 61.0], "#0072B2", label="A 61,0 %"),
        chartspec.Series("B", [2020, 2022, 2024], [62.0, 62.2, 62.5], "#D55E00", label="B 62,5 %",
                         label_above=False),
        chartspec.Series("C", [2020, 2022, 2024], [59.0, 58.0, 59.5], "#009E73")])
    root = ET.fromstring(svgchart.svg(spec))
    segments = []
    for line in root.iter(f"{SVG}polyline"):
        pts = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
        segments += list(itertools.pairwise(pts))
    labels = [t for t in root.iter(f"{SVG}text") if t.text in ("A 61,0 %", "B 62,5 %")]
    assert len(labels) == 2
    for t in labels:
        x, base = float(t.get("x")), float(t.get("y"))
        box = (x, base - 0.75 * 13, x + svgchart.text_width(t.text, 13), base + 0.2 * 13)
        assert not any(svgchart._segment_hits_box(p, q, box) for p, q in segments), t.text


def test_text_is_measured_with_the_brand_font():
    if not brand.font_dirs():
        pytest.skip("font-source-sans-pro is not installed")
    narrow, wide = svgchart.text_width("iiii", 13), svgchart.text_width("WWWW", 13)
    assert wide > 2.5 * narrow  # proportional widths from the font file, not a fixed guess per character
    assert svgchart.text_width("Riket", 13, bold=True) > svgchart.text_width("Riket", 13)
    # Source Sans Pro: "0" is 0.5 em wide (advance 500 of 1000 units)
    assert math.isclose(svgchart.text_width("0", 10), 5.0, abs_tol=0.3)


def test_report_chart_is_svg_from_the_spec_without_a_browser(ronneby, tmp_path, monkeypatch):
    def no_browser(*a, **k):
        raise AssertionError("kaleido was asked for a chart that has a spec")

    monkeypatch.setattr(display, "settings", display.Settings())
    monkeypatch.setattr(display, "_image", no_browser)
    display.configure(static_images=True, figures_dir=tmp_path / "figurer", include_plotlyjs=False)
    spec = ronneby.trend_spec(ronneby.catalogue.get("sysselsattningsgrad"))
    chart = display.Chart(chartspec.to_plotly(spec), "Syss", spec.alt, label="fig-syss", spec=spec)
    data, _ = chart.bundle()
    svg = (tmp_path / "figurer" / "fig-syss.svg").read_text()
    assert svg.startswith("<svg") and "Ronneby – utrikes födda" in svg
    assert data["text/markdown"].startswith("![Syss](figurer/fig-syss.svg){#fig-syss width=100% fig-alt=\"Linjediagram")
    # an analyst changes the figure: the PDF must not show the spec's old drawing, so kaleido draws it
    drawn = []
    monkeypatch.setattr(display, "_image", lambda fig, fmt="png", width=None: drawn.append(fmt) or b"<svg/>")
    chart2 = display.Chart(chartspec.to_plotly(spec), "Syss", spec.alt, label="fig-syss2", spec=spec)
    chart2.figure.update_layout(title="Ändrad")
    chart2.bundle()
    assert drawn == ["svg"]


def test_a_chart_that_cannot_be_drawn_says_so_and_the_report_goes_on(ronneby, tmp_path, monkeypatch):
    def broken(spec, width=None):
        raise ValueError("trasig")

    monkeypatch.setattr(display, "settings", display.Settings())
    monkeypatch.setattr(svgchart, "svg", broken)
    display.configure(static_images=True, figures_dir=tmp_path / "figurer", include_plotlyjs=False)
    spec = ronneby.trend_spec(ronneby.catalogue.get("sysselsattningsgrad"))
    data, _ = display.Chart(chartspec.to_plotly(spec), "Syss", spec.alt, label="fig-x", spec=spec).bundle()
    svg = (tmp_path / "figurer" / "fig-x.svg").read_text()
    assert "kunde inte skapas som bild" in svg and "trasig" in svg
    assert data["text/markdown"].startswith("![Syss](figurer/fig-x.svg)")


def test_ticks_follow_plotly(ronneby):
    # plotly.js: (length / 40 px, 4..9) + 1 intervals, step the next of 2, 5, 10 × 10ⁿ strictly above the rough one
    assert svgchart.nice_ticks(0, 35, 200, 40) == [0, 10, 20, 30]  # rough 35/6 = 5,8 -> 10
    assert svgchart.nice_ticks(0, 35, 300, 40) == [0, 5, 10, 15, 20, 25, 30, 35]  # rough 35/8,5 = 4,1 -> 5
    assert svgchart.nice_ticks(0, 90, 260, 40) == [0, 20, 40, 60, 80]  # rough 90/7,5 = 12 -> 20


def test_a_changed_spec_changes_both_drawings(ronneby, tmp_path, monkeypatch):
    monkeypatch.setattr(display, "settings", display.Settings())
    display.configure(static_images=True, figures_dir=tmp_path / "figurer", include_plotlyjs=False)
    spec = ronneby.trend_spec(ronneby.catalogue.get("sysselsattningsgrad"))
    chart = display.Chart(chartspec.to_plotly(spec), "Syss", spec.alt, label="fig-y", spec=spec)
    chart.spec.series[0].name = "Ronneby, utrikes födda (ändrad)"  # an analyst renames a line before showing it
    data, _ = chart.bundle()
    assert "Ronneby, utrikes födda (ändrad)" in (tmp_path / "figurer" / "fig-y.svg").read_text()
    assert data[display.PLOTLY_MIME]["data"][0]["name"].replace("<br>", " ") == "Ronneby, utrikes födda (ändrad)"


def test_survey_by_birth_region_is_drawn_from_a_spec_with_horizontal_error_bars():
    """Falun's self-rated health by birth region (FoHM): one row per birth region, a dot per area with its ±
    margin along x, in both drawings; the PDF's image comes from the spec (no browser)."""
    from analysis.present import birth_regions

    falun = Report("2080", 2024, static_images=False)
    ind = falun.catalogue.get("god_halsa")
    spec = birth_regions.spec(falun, ind, falun.chain(ind), 2021)
    assert [s.name for s in spec.series] == ["Falun", "Dalarnas län", "Riket"]
    assert spec.y.ticktext == ["Sverige", "Övriga Norden", "Övriga Europa", "Övriga världen"]
    falun_dots = spec.series[0]
    assert falun_dots.x[0] == 71.0 and falun_dots.x_errors[0] == pytest.approx(3.1)  # 68,1–74,3
    assert falun_dots.x[3] == 57.0 and falun_dots.x_errors[3] == pytest.approx(23.55)
    fig = chartspec.to_plotly(spec)
    assert list(fig.data[0].error_x.array) == falun_dots.x_errors and fig.data[0].error_y.array is None
    root = ET.fromstring(svgchart.svg(spec))
    horizontal = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke") == falun_dots.colour
                  and ln.get("y1") == ln.get("y2")]
    assert len(horizontal) == 4  # one interval per birth region
    shown = texts(svgchart.svg(spec))
    assert "Övriga världen" in shown and "Dalarnas län" in shown


@pytest.mark.parametrize("make", [lambda: Report("2080", 2024, static_images=False),
                                  lambda: Report("1081", 2024, static_images=False),
                                  lambda: CountyReport("20", 2024, static_images=False)],
                         ids=["falun", "ronneby", "dalarna"])
def test_every_chart_of_a_report_gets_its_pdf_image_without_a_browser(make, tmp_path, monkeypatch):
    """Every chart of every indicator (trend, bars, strip plot, birth regions, county map) written as the PDF's
    image the way a report run writes it, with kaleido (Chromium) forbidden: a chart without a chart spec would
    need it."""
    def no_browser(*args, **kwargs):
        raise AssertionError("kaleido/Chromium asked for a report chart")

    monkeypatch.setattr(display, "_image", no_browser)
    monkeypatch.setattr(display, "start_browser", no_browser)
    report = make()  # (it configures the display settings: the folder is set after it)
    monkeypatch.setattr(display.settings, "figures_dir", tmp_path / "figurer")
    drawn = []
    for ind in report.catalogue:
        for chart in report.indicator(ind).figures:
            chart.static = True
            data, _ = chart.bundle()
            assert data["text/markdown"].startswith("![")  # the figure's file, not "kunde inte skapas som bild"
            drawn.append(chart.label)
    assert drawn and sorted(p.stem for p in (tmp_path / "figurer").glob("*.svg")) == sorted(drawn)


def _specs(ronneby, county):
    from analysis.present import birth_regions

    falun = Report("2080", 2024, static_images=False)
    health = falun.catalogue.get("god_halsa")
    return {"line": ronneby.trend_spec(ronneby.catalogue.get("sysselsattningsgrad")),
            "line, example": ronneby.trend_spec(ronneby.catalogue.get("behorighet_yrkesprogram")),
            "line, error bars": ronneby.trend_spec(ronneby.catalogue.get("god_halsa")),
            "strip": ronneby.level("kommungrupp").position_spec(ronneby.catalogue.get("sysselsattningsgrad")),
            "bar": county.gap_spec(county.catalogue.get("sysselsattningsgrad")),
            "bar, example": county.gap_spec(county.catalogue.get("behorighet_yrkesprogram")),
            "dots, horizontal error bars": birth_regions.spec(falun, health, falun.chain(health), 2021)}


def test_the_figure_as_data_is_what_plotly_makes_of_it(ronneby, county):
    """A report's plotly figure is written as data (plotly_figure), not through plotly's checked objects: plotly
    reads every kind back unchanged, so every property is one plotly knows, with a value it accepts."""
    import json

    import plotly.graph_objects as go
    import plotly.io as pio

    for kind, spec in _specs(ronneby, county).items():
        made = chartspec.plotly_figure(spec)
        assert json.loads(pio.to_json(go.Figure(made).to_dict())) == json.loads(json.dumps(made)), kind
        assert made["layout"]["template"] == go.Figure().to_dict()["layout"]["template"], kind  # the house template
        assert charts.is_marked(made) == spec.example, kind


def test_a_chart_from_its_spec_makes_a_plotly_figure_only_when_asked(ronneby, tmp_path, monkeypatch):
    """show_chart: the report shows the figure's data as made; an analyst who reads ``chart.figure`` gets the
    plotly figure, and a change to it reaches both drawings (the PDF's then by kaleido)."""
    monkeypatch.setattr(display, "settings", display.Settings())
    display.configure(static_images=True, figures_dir=tmp_path / "figurer", include_plotlyjs=False)
    spec = ronneby.trend_spec(ronneby.catalogue.get("sysselsattningsgrad"))
    chart = display.Chart(None, "Syss", spec.alt, label="fig-z", spec=spec)
    data, meta = chart.bundle()
    assert "figure" not in chart.__dict__  # no plotly figure was made
    assert data[display.PLOTLY_MIME]["data"] == chartspec.plotly_figure(spec)["data"]
    assert meta[display.PART_KEY]["spec"] is not None and data["text/markdown"].startswith("![Syss](figurer/fig-z.svg)")
    drawn = []
    monkeypatch.setattr(display, "_image", lambda fig, fmt="png", width=None: drawn.append(fmt) or b"<svg/>")
    changed = display.Chart(None, "Syss", spec.alt, label="fig-w", spec=spec)
    changed.figure.update_layout(title="Ändrad")  # made now, from the same data
    data, meta = changed.bundle()
    assert drawn == ["svg"] and meta[display.PART_KEY]["spec"] is None  # the spec no longer describes it
    assert data[display.PLOTLY_MIME]["layout"]["title"]["text"] == "Ändrad"
