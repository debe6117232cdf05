"""Maps: colours follow the values and classes; suppressed, missing and example values never look real; nothing
is loaded from the network; the county map stands beside its table and downloads."""
import re

import pytest

from analysis.data.geometry import prepared_geometry
from analysis.present import charts, maps
from analysis.present.display import configure


@pytest.fixture(scope="module")
def geometry(root):
    return prepared_geometry(root)


@pytest.fixture(scope="module")
def county(config):
    from analysis.compute.artefact import ensure_artefact
    from analysis.present.county_report import CountyReport

    path, _ = ensure_artefact(config, config.data_path, 2024)
    return CountyReport("10", 2024, results_path=str(path), static_images=False)


def _values(example=False):
    return [maps.MapValue("1081", "Ronneby", -24.4, "", example, 59.2, 83.6),
            maps.MapValue("1080", "Karlskrona", -3.0, "", example, 70.0, 73.0),
            maps.MapValue("1082", "Karlshamn", 5.5, "", example, 80.0, 74.5),
            maps.MapValue("1083", "Sölvesborg", None, "..", False),
            maps.MapValue("1060", "Olofström", None, "..", False)]


def test_nice_steps_cover_the_largest_gap():
    assert maps.nice_step(24.4) == 8  # 4 classes a side: 24,4 / 4 = 6,1 -> 8
    assert maps.nice_step(3.0) == 0.8
    assert maps.nice_step(40) == 10
    for largest in (0.3, 2.2, 9.9, 17, 33.3, 120):
        assert maps.nice_step(largest) * maps.PER_SIDE >= largest


def test_classes_are_centred_on_zero_and_ordered():
    c = maps.Classes(10, higher_is_better=True)
    assert [c.index(v) for v in (-45, -30, -25, -10, -0.1, 0, 9.9, 10, 31, 99)] == [0, 1, 1, 3, 3, 4, 4, 5, 7, 7]  # lower bound included
    assert [c.label(i) for i in range(c.count)] == [
        "under −30", "−30 till −20", "−20 till −10", "−10 till 0", "0 till +10", "+10 till +20", "+20 till +30",
        "+30 och mer"]


def test_the_worse_side_is_always_orange_and_darker_with_the_gap():
    up, down = maps.Classes(5, higher_is_better=True), maps.Classes(5, higher_is_better=False)
    # sysselsättningsgrad: a negative gap is worse for utrikes födda; arbetslöshet: a positive one
    assert up.colour(-30) == maps.WORSE[-1] and up.colour(-1) == maps.WORSE[0] and up.colour(30) == maps.BETTER[-1]
    assert down.colour(30) == maps.WORSE[-1] and down.colour(-30) == maps.BETTER[-1]
    assert up.worse(0) and not up.worse(7) and down.worse(7) and not down.worse(0)
    # greyscale: within each side lightness falls as the gap grows, so the classes keep their order
    for side in (maps.WORSE, maps.BETTER):
        lum = [maps._luminance(c) for c in side]
        assert lum == sorted(lum, reverse=True) and len(set(lum)) == len(lum)


def test_labels_keep_contrast_on_every_class():
    for fill in (*maps.WORSE, *maps.BETTER, maps.MISSING_FILL):
        text, _halo = maps.label_colours(fill)
        ratio = (max(maps._luminance(fill), maps._luminance(text)) + 0.05) / (
            min(maps._luminance(fill), maps._luminance(text)) + 0.05)
        assert ratio >= 4.5, fill


def test_the_svg_colours_follow_values_and_hatches_missing(geometry, catalogue):
    ind = catalogue.get("sysselsattningsgrad")
    values = _values()
    classes = maps.classes_for(values, ind)
    svg = maps.svg_map(geometry, values, classes, ind, counties=["10"], prefix="t")
    fills = dict(re.findall(r'<g data-kod="(\d{4})" data-klass="[^"]+"><path d="[^"]+" fill="([^"]+)"/>', svg))
    assert fills["1081"] == classes.colour(-24.4) == maps.WORSE[-1]
    assert fills["1080"] == maps.WORSE[0] and fills["1082"] == maps.BETTER[0]
    assert fills["1083"] == fills["1060"] == "url(#t-hatch)"
    assert '<pattern id="t-hatch"' in svg and maps.MISSING_SHORT in svg
    assert charts.EXAMPLE_MARK not in svg and "t-dots)" not in svg
    for label in (classes.label(i) for i in range(classes.count)):
        assert label in svg  # the legend states every class


def test_example_values_are_dotted_and_marked(geometry, catalogue):
    ind = catalogue.get("behorighet_yrkesprogram")
    values = _values(example=True)
    classes = maps.classes_for(values, ind)
    svg = maps.svg_map(geometry, values, classes, ind, counties=["10"], prefix="t")
    assert svg.count('fill="url(#t-dots)"') == 3  # the three shown (example) values; not the missing ones
    assert charts.EXAMPLE_MARK in svg and maps.EXAMPLE_SHORT in svg
    fig = maps.plotly_map(geometry, values, classes, ind, counties=["10"])
    assert charts.is_marked(fig)
    shapes = {t.name: t for t in fig.data if t.fill == "toself" and t.x != (None,)}
    assert shapes["Ronneby"].fillpattern.shape == "." and shapes["Sölvesborg"].fillpattern.shape == "/"
    assert "Data: Exempeldata" in shapes["Ronneby"].text and "Data: Saknas eller skyddad" in shapes["Olofström"].text


def test_plotly_map_needs_no_geo_subplot_and_no_network(geometry, catalogue):
    ind = catalogue.get("sysselsattningsgrad")
    values = _values()
    classes = maps.classes_for(values, ind)
    fig = maps.plotly_map(geometry, values, classes, ind, counties=["10"])
    assert {t.type for t in fig.data} == {"scatter"} and not fig.layout.geo.to_plotly_json()
    assert fig.layout.yaxis.scaleanchor == "x"  # equal scaling
    shapes = {t.name: t for t in fig.data if t.fill == "toself" and t.x != (None,)}
    assert shapes["Ronneby"].fillcolor == classes.colour(-24.4) and shapes["Ronneby"].fillpattern.shape is None
    assert shapes["Sölvesborg"].fillcolor == maps.MISSING_FILL and shapes["Sölvesborg"].fillpattern.shape == "/"
    hover = shapes["Ronneby"].text
    assert all(s in hover for s in ("Ronneby", "59,2", "83,6", "−24,4", "Verklig"))
    legend = [t for t in fig.data if t.showlegend is not False]
    # the legend states every class, those where utrikes födda are worse off first, under their group's title
    assert [t.name for t in legend] == [classes.label(i) for i in range(classes.count)] + [maps.MISSING_SHORT]
    assert [t.legendgrouptitle.text for t in legend if t.legendgrouptitle.text] == [
        "Sämre för utrikes födda", "Bättre för utrikes födda", "Övrigt"]
    assert [t.marker.color for t in legend][:classes.count] == classes.colours
    assert legend[-1].marker.symbol == "square-x" and legend[-1].marker.color == maps.MISSING_FILL
    down = maps.Classes(5, higher_is_better=False)  # arbetslöshet: the positive classes are the worse ones
    assert [e[4] for e in maps.legend_entries(down, values)][:4] == [down.label(i) for i in (4, 5, 6, 7)]


def test_county_map_with_table_and_downloads(county, tmp_path):
    configure(static_images=True, figures_dir=tmp_path / "figurer", include_plotlyjs=False)
    county.downloads, county.static = tmp_path / "data", True
    try:
        parts = maps.county_map(county, "sysselsattningsgrad")
        chart, table = parts.figure, parts.table
        assert isinstance(chart, maps.MapChart) and len(table.data) == 5
        assert "Länet −20,0, riket −14,4 procentenheter" in chart.caption
        assert table.data.iloc[0]["Kommun"] == "Ronneby"  # sorted by the gap
        data, _ = chart.bundle()
        html = data["text/html"]
        assert not re.search(r"https?://", html)  # nothing from the network (plotly.js comes from the page)
        assert "topojson" not in html and "choropleth" not in html.lower()
        svg_file = tmp_path / "figurer" / f"{chart.label}.svg"
        assert svg_file.is_file() and data["text/markdown"].startswith("![Karta: skillnaden")
        assert 'fig-alt="Karta över Blekinge län' in data["text/markdown"]
        assert "diagrammets data" in html and list((tmp_path / "data").glob("*karta*.csv"))
        example = maps.county_map(county, "behorighet_yrkesprogram")
        assert example.figure.caption.startswith("EXEMPELDATA – ") and example.table.caption.startswith("EXEMPELDATA")
        assert set(example.table.data["Data"]) == {maps.KIND_EXAMPLE}
        assert charts.is_marked(example.figure.figure)
        assert not maps.county_map(county, "sfi_godkanda")  # no native comparison: no map
    finally:
        configure()
        county.downloads, county.static = None, False


def test_labels_that_would_overlap_are_moved_apart():
    boxes = [((100, 100), 60, 14), ((110, 104), 60, 14), ((400, 100), 60, 14)]
    placed = maps.place_labels(boxes, [5, 1, 1])
    assert placed[0] == (100, 100) and placed[2] == (400, 100)  # the biggest kommun and a free one stay put
    (x0, y0), (x1, y1) = placed[0], placed[1]
    assert x1 == 110 and abs(y1 - y0) >= 14  # moved up or down by a line: no longer overlapping
