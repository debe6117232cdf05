"""The county report (analysis.present.county_report): kommuner side by side, the county bars, the overviews."""
import pytest

from analysis.present.county_report import CountyReport


def test_the_old_import_path_still_gives_the_county_report():
    """lan.ipynb imported CountyReport from analysis.present.report; the module's __getattr__ keeps that working,
    and an unknown name is still an AttributeError."""
    from analysis.present import report

    assert report.CountyReport is CountyReport and issubclass(CountyReport, report.Report)
    from analysis.present.report import CountyReport as old

    assert old is CountyReport
    with pytest.raises(AttributeError, match="no attribute 'NoSuchReport'"):
        report.NoSuchReport  # noqa: B018


@pytest.mark.slow
def test_county_side_by_side():
    r = CountyReport("10", 2024, static_images=False)
    t = r.side_by_side(r.catalogue.get("sysselsattningsgrad"))
    assert t["Område"].tolist() == ["Olofström", "Karlskrona", "Ronneby", "Karlshamn", "Sölvesborg",
                                    "Blekinge län", "Riket"]
    assert t.set_index("Område").loc["Ronneby", "Skillnad, procentenheter"] == "\u221224,4"


@pytest.mark.slow
def test_county_bars_show_the_margin_where_the_data_have_one(tmp_path):
    """A gap from survey samples carries its 95 % margin into the table, the bar labels and the alt text. No real
    gap in the data has margins yet (FoHM's groups are by birth region), so this test's copy of the data gives
    Blekinge län's employment rows margins of 3 and 4 percentage points: the gap's margin is √(3² + 4²) = 5."""
    import pandas as pd

    from analysis.config import load_config

    tidy = pd.read_csv(load_config().data_path, dtype=str, keep_default_na=False)
    mine = (tidy["indicator"] == "sysselsattningsgrad") & (tidy["geo_code"] == "0010") & (tidy["year"] == "2024") \
        & (tidy["sex"] == "T")
    assert set(tidy.loc[mine, "group"]) == {"utrikes", "inrikes"} and (tidy.loc[mine, "margin"] == "").all()
    tidy.loc[mine & (tidy["group"] == "utrikes"), "margin"] = "3.0"
    tidy.loc[mine & (tidy["group"] == "inrikes"), "margin"] = "4.0"
    data = tmp_path / "margins.csv"
    tidy.to_csv(data, index=False)
    r = CountyReport("10", 2024, data_path=str(data), static_images=False)
    ind = r.catalogue.get("sysselsattningsgrad")
    assert r.margin(ind, "0010") == pytest.approx(5.0) and r.margin(ind, "1081") is None
    t = r.side_by_side(ind).set_index("Område")
    assert t.loc["Blekinge län", "Felmarginal (±), procentenheter"] == "5,0"
    spec = r.gap_spec(ind)
    labels = {b.label: b.text for b in spec.bars}
    assert labels["Blekinge län"].endswith(" (±5,0)") and "(±" not in labels["Ronneby"]
    assert "Blekinge län −20,0 (felmarginal ±5,0)" in spec.alt


def test_county_indicator_only_at_lan_level_says_lanet_och_riket():
    r = CountyReport("10", 2024, static_images=False)
    ind = r.catalogue.get("ohalsotal")  # SCB's table by birth region: län level only
    assert "kommun" not in ind.levels and r.areas_words(ind) == "länet och riket"


def test_unchanged_shows_change_and_rule_and_not_applicable_is_a_dot():
    r = CountyReport("10", 2024, static_images=False)
    t = r.side_by_side(r.catalogue.get("sfi_godkanda"))  # no native group: riket is compared with nothing
    col = [c for c in t.columns if c.startswith("Skillnad mot länet")][0]
    assert t.set_index("Område").loc["Riket", col] == "."
    cells = " ".join(t[[c for c in t.columns if c.startswith("Utveckling")][0]])
    for cell in [c for c in t[[c for c in t.columns if c.startswith("Utveckling")][0]] if "oförändrad" in c]:
        assert "gräns ±" in cell and "(" in cell  # the change beside the word, and the rule
    assert cells


def test_county_overview_says_each_thing_once():
    """County p. 4: the goal followed up by the handlingsplan only is explained once (the strategy's own
    words), and Tabell 2 writes the unit once per row (in Enhet; Förändring only names a different one)."""
    county = CountyReport("10", 2024, static_images=False)
    text = " ".join(p.markdown for p in county.status_overview() if hasattr(p, "markdown") and isinstance(p.markdown, str))
    assert text.count("handlingsplanens aktiviteter") == 1, text
    table = county.trend_overview().table.data
    for row in table.itertuples(index=False):
        row = row._asdict()
        assert not row["Förändring"].endswith(" " + row["Enhet"]), row
    levels = table[table["Enhet"] == "%"]
    assert levels.empty or levels["Förändring"].str.endswith("procentenheter").all()


@pytest.mark.slow
def test_a_county_table_of_example_kommuner_is_marked_though_the_lan_has_no_values(monkeypatch):
    """sfi: Blekinge's kommuner have example values, the län and riket none. The county's table of them all says
    EXEMPELDATA in its caption and its download's notes, as every table with example values does."""
    import analysis.present.display as display
    from analysis.present.report import show

    bundles, notes = [], {}
    monkeypatch.setattr(display, "_display", lambda bundle, metadata=None: bundles.append(bundle))
    r = CountyReport("10", 2024, static_images=False)
    download = r.download
    monkeypatch.setattr(r, "download", lambda slug, data, n, *a: notes.setdefault(slug, n) and download(slug, data, n, *a))
    ind = r.catalogue.get("sfi_minst_tva_kurser")
    assert not r.is_example(ind)  # the län's own chain (län, riket) has no example rows
    assert r.data_kind(ind, ["1081"]) == "Exempeldata" and r.data_kind(ind, ["0010", "0000"]) == "Saknas"
    show(r.indicator(ind))
    tables = [m for m in (b.get("text/markdown", "") for b in bundles)
              if "länets kommuner, länet och riket." in m and "|" in m]
    assert tables and all("EXEMPELDATA – Elever på sfi" in t for t in tables)
    assert notes["sfi_minst_tva_kurser-jamforelse"].example
    real = r.catalogue.get("sysselsattningsgrad")  # SCB BAS: real for every area, never marked
    assert not r.shows_example(real, [a.code for a in r.areas(real)])
