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
    assert "God självskattad hälsa 2024, Blekinge län:" in text
    assert "Värdena gäller **Blekinge län**, inte Ronneby." in text


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
                                    "Blekinge län", "Riket"]
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


def test_county_god_halsa_shows_the_lan_with_its_margin_and_says_so():
    r = CountyReport("10", 2024, static_images=False)
    ind = r.catalogue.get("god_halsa")  # survey, län level only
    t = r.side_by_side(ind)
    assert t["Område"].tolist() == ["Blekinge län", "Riket"]  # no kommuner: the caption must not promise them
    assert r.areas_words(ind) == "länet och riket"
    margin = t.set_index("Område").loc["Blekinge län", "Felmarginal (±), procentenheter"]
    expected = r.margin(ind, "0010")
    assert expected is not None and margin == f"{expected:.1f}".replace(".", ",")
    fig, alt = r.gap_figure(ind)
    assert "(±" in fig.data[0].text[0] and "felmarginal ±" in alt


def test_unchanged_shows_change_and_rule_and_not_applicable_is_a_dot():
    r = CountyReport("10", 2024, static_images=False)
    t = r.side_by_side(r.catalogue.get("sfi_godkanda"))  # no native group: riket is compared with nothing
    col = [c for c in t.columns if c.startswith("Skillnad mot länet")][0]
    assert t.set_index("Område").loc["Riket", col] == "."
    cells = " ".join(t[[c for c in t.columns if c.startswith("Utveckling")][0]])
    for cell in [c for c in t[[c for c in t.columns if c.startswith("Utveckling")][0]] if "oförändrad" in c]:
        assert "gräns ±" in cell and "(" in cell  # the change beside the word, and the rule
    assert cells
