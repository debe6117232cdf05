import pytest

from analysis.present.report import CountyReport, Report

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def ronneby():
    return Report("1081", 2024, static_images=False)


def test_headline_in_swedish_format(ronneby):
    ind = ronneby.catalogue.get("sysselsattningsgrad")
    assert ronneby.headline(ind) == (
        f"**Sysselsättningsgrad 2024, Ronneby:** utrikes födda 59,2{NBSP}%, inrikes födda 83,6{NBSP}% "
        f"– skillnad −24,4{NBSP}procentenheter (sämre för utrikes födda)"  # one sign: utrikes − inrikes
    )
    assert ronneby.status(ind).startswith("↑ Bättre sedan 2022: skillnaden har minskat med 2,4")


def test_lan_only_indicator_is_labelled_as_the_lans(ronneby):
    ind = ronneby.catalogue.get("god_halsa")
    assert ronneby.shown_code(ind) == "0010"
    text = ronneby.headline(ind)
    assert "God självskattad hälsa 2024, Region Blekinge:" in text
    assert "Värdena gäller **Region Blekinge**, inte Ronneby." in text


def test_data_kind(ronneby):
    assert ronneby.data_kind(ronneby.catalogue.get("sysselsattningsgrad")) == "Verklig"
    assert ronneby.data_kind(ronneby.catalogue.get("ohalsotal")) == "Exempeldata"
    kalmar = Report("0880", 2024, static_images=False)  # outside the default län: real BAS figures only
    assert kalmar.data_kind(kalmar.catalogue.get("sysselsattningsgrad")) == "Verklig"
    assert kalmar.data_kind(kalmar.catalogue.get("ohalsotal")) == "Saknas"


def test_chart_table_matches_chart_series(ronneby):
    ind = ronneby.catalogue.get("sysselsattningsgrad")
    table = ronneby.chart_table(ind)
    assert list(table.columns)[:3] == ["År", "Ronneby – utrikes födda", "Ronneby – inrikes födda"]
    assert table.set_index("År").loc["2024", "Ronneby – utrikes födda"] == f"59,2{NBSP}%"
    assert len(ronneby.trend_figure(ind).data) == len(table.columns) - 1
    assert "59,2" in ronneby.chart_alt(ind)


def test_sex_table_keeps_suppression_symbol(ronneby):
    table = ronneby.sex_table(ronneby.catalogue.get("behorighet_yrkesprogram"))
    assert table["Kön"].tolist() == ["Kvinnor", "Män", "Totalt"]
    assert table.iloc[0, 1] == ".."  # too few girls with utländsk bakgrund: suppressed, never 0


def test_code_must_be_string():
    with pytest.raises(TypeError, match="'0880'"):
        Report(880, 2024)


def test_county_side_by_side():
    r = CountyReport("10", 2024, static_images=False)
    t = r.side_by_side(r.catalogue.get("sysselsattningsgrad"))
    assert t["Område"].tolist() == ["Olofström", "Karlskrona", "Ronneby", "Karlshamn", "Sölvesborg",
                                    "Region Blekinge", "Riket"]
    assert t.set_index("Område").loc["Ronneby", "Skillnad, procentenheter"] == "\u221224,4"


def test_one_sign_for_the_gap_everywhere(ronneby):
    """Headline, table by sex, goal table, county table, bar chart and trend table: utrikes − inrikes."""
    ind = ronneby.catalogue.get("sysselsattningsgrad")
    assert f"skillnad −24,4{NBSP}procentenheter" in ronneby.headline(ind)
    sexes = ronneby.sex_table(ind)
    if sexes is not None:
        assert sexes.set_index("Kön").loc["Totalt", "Skillnad, procentenheter"] == "−24,4"
    county = CountyReport("10", 2024, static_images=False)
    side = county.side_by_side(ind).set_index("Område")
    assert side.loc["Ronneby", "Skillnad, procentenheter"] == "−24,4"
    fig, _alt = county.gap_figure(ind)
    bars = dict(zip(fig.data[0].y, fig.data[0].x))
    assert round(bars["Ronneby"], 1) == -24.4
    tr = county.trend_row(ind, "1081")
    assert tr["value_year"] == pytest.approx(-24.4, abs=0.05)


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
