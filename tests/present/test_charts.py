"""Chart craft: the example mark inside the figure, sorted bars, print size of chart text, legends placed
below any axis title."""
import plotly.graph_objects as go
import pytest

from analysis.present import brand, charts
from analysis.present.county_report import CountyReport
from analysis.present.report import Report


@pytest.fixture(scope="module")
def ronneby():
    return Report("1081", 2024, static_images=False)


def test_example_values_are_marked_inside_the_chart(ronneby):
    example = ronneby.trend_figure(ronneby.catalogue.get("behorighet_yrkesprogram"))  # example data
    real = ronneby.trend_figure(ronneby.catalogue.get("sysselsattningsgrad"))  # SCB BAS
    assert charts.is_marked(example) and not charts.is_marked(real)
    # the mark is a layout annotation: part of the figure, so also in kaleido's PNG and plotly's PNG download
    assert any("EXEMPELDATA" in a["text"] for a in example.to_dict()["layout"]["annotations"])


def test_county_bars_sorted_by_value_with_lan_and_riket_highlighted():
    county = CountyReport("10", 2024, static_images=False)
    fig, alt = county.gap_figure(county.catalogue.get("sysselsattningsgrad"))
    bar = fig.data[0]
    values = list(bar.x)
    assert values == sorted(values, reverse=True)
    colours = dict(zip(bar.y, bar.marker.color))
    assert colours["Blekinge län"] != colours["Ronneby"] and colours["Riket"] != colours["Ronneby"]
    assert "sorterat efter värde" in alt
    lo, hi = fig.layout.xaxis.range
    assert lo < min(values) * 1.1  # room for the value labels left of the longest bar, away from the names


def shown(fig: go.Figure, path: str):
    """A layout value as plotly draws it: the figure's own, else its template's."""
    def get(obj):
        for key in path.split("."):
            obj = obj[key]
        return obj
    own = get(fig.layout)
    return own if own is not None else get(fig.layout.template.layout)


def test_chart_text_prints_at_least_8_pt():
    width, pt_per_px = charts.static_size()
    fig = charts.style(go.Figure(go.Scatter(x=[1, 2], y=[1, 2])), example=False, height=300)
    smallest = min(shown(fig, "font.size"), shown(fig, "legend.font.size"), shown(fig, "xaxis.tickfont.size"),
                   shown(fig, "yaxis.title.font.size"))
    assert smallest * pt_per_px >= 8.0
    assert shown(fig, "font.family").startswith(brand.font_family())  # the body's typeface
    assert shown(fig, "separators") == ", "  # decimal comma


def test_legend_sits_below_the_axis_title():
    fig = charts.style(go.Figure(go.Scatter(x=[1, 2], y=[1, 2], name="a")), example=False, height=300)
    assert shown(fig, "legend.yref") == "container" and shown(fig, "legend.y") == 0
    assert fig.layout.margin.t >= 40  # the toolbar's band above the plot


def _template_as_plotly_builds_it() -> dict:
    """The house template made with plotly's objects, as before template_dict: plotly_white's layout, its scatter
    and bar defaults, updated with the house style (the evidence for template_dict's plain-JSON construction)."""
    import plotly.io as pio

    base = pio.templates["plotly_white"]
    t = go.layout.Template(layout=base.layout)
    t.data.scatter, t.data.bar = base.data.scatter, base.data.bar
    t.layout.update(charts._house_style())
    pio.templates["house-as-built"] = t  # registered and read back, as the figures took it
    try:
        return pio.templates["house-as-built"].to_plotly_json()
    finally:
        del pio.templates["house-as-built"]


def test_the_house_template_is_plotlys_own_json_equal_to_what_plotly_builds():
    import json

    built = _template_as_plotly_builds_it()
    assert charts.template_dict() == built
    assert json.dumps(charts.template_dict()) == json.dumps(built)  # key order too: the reports' bytes
    assert charts.template_dict()["layout"]["separators"] == ", " and set(built["data"]) == {"bar", "scatter"}


def test_importing_the_report_makes_no_plotly_template():
    """A report's charts are data: the kernel of a kommun report and the index page build no plotly template."""
    import subprocess
    import sys

    code = ("import sys, analysis.present.report, analysis.present.county_report, analysis.present.indexpage\n"
            "print('plotly.graph_objs.layout._template' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_figures_carry_the_small_house_template():
    charts.use_house_template()  # as an analyst's figure gets it once a chart's plotly figure is asked for
    fig = go.Figure(go.Scatter(x=[1, 2], y=[1, 2]))
    template = fig.to_dict()["layout"]["template"]
    assert set(template["data"]) == {"scatter", "bar"}  # not plotly_white's forty trace types
    assert template["layout"]["plot_bgcolor"] == "white"  # plotly_white's look


def test_direct_labels_lie_right_of_the_last_point_with_a_leader_and_apart(ronneby):
    """The own lines' labels are annotations right of the last year (no line runs on past it), each with a
    leader to its point, spread apart when their values are close, and the right margin holds the widest."""
    fig = ronneby.trend_figure(ronneby.catalogue.get("sysselsattningsgrad"))
    labels = [a for a in fig.layout.annotations if a.showarrow]
    assert len(labels) == 2  # utrikes and inrikes födda in Ronneby
    last = max(max(t.x) for t in fig.data)
    assert all(a.x == last and a.xanchor == "left" and a.ax > 0 for a in labels)
    assert fig.layout.xaxis.range[1] < last + 0.5  # the axis is not widened to hold them
    assert fig.layout.margin.r >= max(len(line) for a in labels for line in a.text.split("<br>")) * 6


def test_close_labels_are_spread_apart():
    annotations, right = charts.end_labels([(2024, 50.0, "utrikes 50,0 %", "#000"), (2024, 50.5, "inrikes 50,5 %", "#000")],
                                           (0.0, 100.0))
    fig = go.Figure(layout={"annotations": annotations, "margin": {"r": right}})  # plotly takes them as they are
    a, b = fig.layout.annotations
    assert right >= len("utrikes") * charts.LABEL_CHAR_PX  # the margin holds the widest line
    per_px = 100.0 / charts.LABEL_PLOT_PX
    centre = sorted((ann.y - ann.ay * per_px) for ann in (a, b))  # ay is px downwards
    lines = max(len(ann.text.split("<br>")) for ann in (a, b))
    assert (centre[1] - centre[0]) / per_px >= lines * brand.chart_font()["size"]  # one label's height apart


@pytest.mark.slow
def test_long_bar_names_wrap_and_the_example_mark_starts_at_the_figure_edge():
    county = CountyReport("10", 2024, static_images=False)
    fig, _alt = county.gap_figure(county.catalogue.get("behorighet_yrkesprogram"))  # example data
    assert all(len(part) <= 16 + 7 for t in fig.layout.yaxis.ticktext for part in t.split("<br>"))
    assert fig.layout.yaxis.automargin is False
    badge = next(a for a in fig.layout.annotations if a.name == charts.MARK_NAME)
    assert badge.xshift == -fig.layout.margin.l + 2 and "<br>" in badge.text
