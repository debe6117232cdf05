"""Comparison levels are a registry: kommungrupp is one entry, and a level registered here shows up in the
report's indicator section (headline, narrative, trend chart with its own style, notes) through the same
hooks, without any other change."""
import pytest

from analysis.present.display import Chart, Table, Text
from analysis.present.levels import COMPARISON_LEVELS, ComparisonLevel, LevelComponent, register, unregister
from analysis.present.report import Report


class DummyLevel(LevelComponent):
    versus = "testnivån"

    def headline(self, ind):
        return "**Testnivån:** rad under nyckeltalen"

    def sentence(self, ind):
        return "Testnivåns mening."

    def series(self, ind):
        r = self.report
        rows = r._rows("tidy", ind, geo_code=r.code, group="utrikes", sex="T").sort_values("year")
        return [("Testnivå", "utrikes", "testniva", rows.assign(value=rows["value"] + 1))]

    def chart_note(self, ind):
        return "*Testnivåns not under diagrammet.*"

    def download_notes(self, ind):
        return ["Testnivåns not i nedladdningen."]

    def overview_cell(self, ind):
        return {"Testnivån": "x"}


@pytest.fixture
def with_test_level():
    register(ComparisonLevel("testniva", dash="dot", symbol="square", colour="#123456", component=DummyLevel))
    yield
    unregister("testniva")
    assert "testniva" not in COMPARISON_LEVELS


def test_kommungrupp_is_a_registered_level():
    from analysis.present.comparison import GROUP_LEVEL, KommungruppLevel

    entry = COMPARISON_LEVELS[GROUP_LEVEL]
    assert entry.component is KommungruppLevel and (entry.dash, entry.symbol) == ("dashdot", "triangle-up")


def test_a_registered_level_shows_through_the_same_hooks(with_test_level):
    report = Report("1081", 2024, static_images=False)
    ind = report.catalogue.get("sysselsattningsgrad")
    parts = report.indicator(ind)
    texts = "\n".join(p.markdown for p in parts if isinstance(p, Text))
    assert "**Testnivån:** rad under nyckeltalen" in texts and "Testnivåns mening." in texts
    assert "*Testnivåns not under diagrammet.*" in texts
    chart = next(p for p in parts if isinstance(p, Chart))
    assert "jämfört med kommungruppen, testnivån, länet och riket" in chart.caption
    line = next(s for s in chart.spec.series if s.name == "Testnivå")
    assert line.dash == "dot" and line.marker.symbol == "square"
    table = next(p for p in parts if isinstance(p, Table))
    assert "Testnivå" in table.data.columns
    assert "Testnivåns not i nedladdningen." in table.links.notes.extra
    assert report._level_cells(ind) == {"Kommungruppen": report.level("kommungrupp").overview_cell(ind)["Kommungruppen"], "Testnivån": "x"}


def test_without_the_kommungrupp_entry_the_report_shows_no_group(monkeypatch):
    from analysis.present.comparison import GROUP_LEVEL

    monkeypatch.delitem(COMPARISON_LEVELS, GROUP_LEVEL)
    report = Report("1081", 2024, static_images=False)
    ind = report.catalogue.get("sysselsattningsgrad")
    parts = report.indicator(ind)
    texts = "\n".join(p.markdown for p in parts if isinstance(p, Text))
    assert "Kommungrupp C7" not in texts and "kommungruppen" not in texts
    chart = next(p for p in parts if isinstance(p, Chart))
    assert not [s for s in chart.spec.series if s.name.startswith("Kommungrupp")]
    assert report._level_cells(ind) == {}
