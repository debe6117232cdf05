import pytest

from analysis.present.county_report import CountyReport
from analysis.present.report import Report

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
    ind = ronneby.catalogue.get("ohalsotal")  # SCB's table by birth region exists for län only
    assert ronneby.shown_code(ind) == "0010"
    assert "Blekinge län" in ronneby.missing(ind).reason  # the län by its official name (names.yml)


@pytest.fixture(scope="module")
def falun():
    return Report("2080", 2024, static_images=False)


def test_survey_by_birth_region_shows_each_group_with_its_margin(falun):
    """FoHM HLV for Falun: the latest survey up to 2024 (2021), four groups as the source has them, never pooled."""
    from analysis.present import birth_regions

    ind = falun.catalogue.get("god_halsa")
    assert falun.missing(ind) is None and falun.data_year(ind) == 2021
    table = birth_regions.area_table(falun, ind, falun.chain(ind), 2021).set_index("Födelseland")
    assert list(table.columns) == ["Falun", "Dalarnas län", "Riket"]
    assert table.loc["Födda i Sverige", "Falun"] == f"71{NBSP}% (±3,1)"  # 68,1–74,3
    assert table.loc["Födda i övriga världen", "Falun"] == f"57{NBSP}% (±23,6)"  # 33,2–80,3: a small group
    assert "utrikes födda" not in " ".join(table.index).lower()
    years = birth_regions.years_table(falun, ind, "2080").set_index("Födelseland")
    assert list(years.columns) == ["2014", "2021"]  # 2018: only the län and riket were surveyed
    sexes = birth_regions.sex_table(falun, ind, "2080", 2021).set_index("Födelseland")
    assert list(sexes.columns) == ["Kvinnor", "Män", "Totalt"] and list(sexes.index) == list(table.index)
    assert sexes.loc["Födda i Sverige", "Totalt"] == table.loc["Födda i Sverige", "Falun"]
    parts = falun.indicator(ind)
    text = " ".join(p.markdown for p in parts if type(p).__name__ == "Text")
    assert "Senaste undersökningen med uppgifter för Falun gjordes 2021; rapportåret är 2024." in text
    assert "kan inte bedömas" in text and "Region Dalarnas öppna data" in text


def test_election_year_indicator_shows_the_latest_election(ronneby):
    ind = ronneby.catalogue.get("valdeltagande_kf")
    assert ronneby.missing(ind) is None and ronneby.data_year(ind) == 2022  # report year 2024
    parts = ronneby.indicator(ind)
    text = " ".join(p.markdown for p in parts if type(p).__name__ == "Text")
    assert "Senaste val: 2022" in text and "Valdeltagande i kommunvalet 2022, Ronneby:" in text
    assert "uppgift saknas" not in text.lower()
    assert ronneby.trend_row(ind, "1081")["reason"].startswith("ingen ny val") or \
        "basåret" in ronneby.trend_row(ind, "1081")["reason"]



def test_data_kind(ronneby):
    assert ronneby.data_kind(ronneby.catalogue.get("sysselsattningsgrad")) == "Verklig"
    assert ronneby.data_kind(ronneby.catalogue.get("gymnasieexamen_4ar")) == "Exempeldata"
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


def test_no_table_by_sex_where_the_source_has_no_split(ronneby):
    # Skolverket's export 25 has no split by sex (suppression by sex is tested in tests/compute/test_gaps.py)
    assert ronneby.sex_table(ronneby.catalogue.get("behorighet_yrkesprogram")) is None
    table = ronneby.sex_table(ronneby.catalogue.get("gymnasieexamen_4ar"))
    assert table["Kön"].tolist() == ["Kvinnor", "Män", "Totalt"]


def test_code_must_be_string():
    with pytest.raises(TypeError, match="'0880'"):
        Report(880, 2024)


@pytest.mark.slow
def test_municipality_by_name_as_on_the_command_line():
    """`-p municipality Kalmar` works as `analysis render -m Kalmar` does (both through Geography.find)."""
    from analysis.domain.geography import UnknownAreaError

    r = Report("Kalmar", 2024, static_images=False)
    assert r.code == "0880" and r.area.name == "Kalmar"
    assert Report("solvesborg", 2024, static_images=False).code == "1083"  # accents and case do not matter
    with pytest.raises(UnknownAreaError, match="Menade du: 0008 Kalmar län, 0880 Kalmar kommun"):
        Report("Kalmarr", 2024, static_images=False)


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


@pytest.mark.slow
def test_by_sex_download_flags_follow_the_rows(tmp_path):
    """Real rows in the by-sex table are 'Exempeldata = nej' in its download, example rows 'ja' (issue 22)."""
    import pandas as pd

    from analysis.config import load_config

    config = load_config()
    tidy = pd.read_csv(config.data_path, dtype=str, keep_default_na=False)
    # sysselsättningsgrad is split by sex in the catalogue; the data has real Totalt rows for Ronneby. This test's
    # copy adds Kvinnor (real) and Män (example) rows made from them: one table, real and example rows mixed.
    ind = "sysselsattningsgrad"
    mine = (tidy["indicator"] == ind) & (tidy["geo_code"] == "1081") & (tidy["year"] == "2024")
    assert set(tidy.loc[mine, "sex"]) == {"T"} and (tidy.loc[mine, "example"] == "False").all()
    tidy = pd.concat([tidy, tidy[mine].assign(sex="K"), tidy[mine].assign(sex="M", example="True")],
                     ignore_index=True)
    data = tmp_path / "mixed.csv"
    tidy.to_csv(data, index=False)
    report = Report("1081", 2024, data_path=str(data), static_images=False, downloads_dir=str(tmp_path / "dl"))
    flags = report.sex_examples(report.catalogue.get(ind))
    assert flags == [False, True, False]  # Kvinnor real, Män example, Totalt real
    from analysis.present.display import Download

    parts = report.indicator(ind)
    for part in parts:  # write the downloads as displaying the parts would
        for value in vars(part).values():
            if isinstance(value, Download):
                value.links()
    csv = pd.read_csv(tmp_path / "dl" / f"1081-{ind.replace('_', '-')}-kon.csv", sep=";", encoding="utf-8-sig")
    assert csv["Exempeldata"].tolist() == ["nej", "ja", "nej"]


def test_trend_caption_names_only_the_lines_drawn(ronneby):
    """Sfi in Ronneby's example data has no län or riket values: the chart draws Ronneby alone, and its caption
    no longer says "jämfört med länet och riket"."""
    drawn = lambda ind: {lv for _l, _g, lv, rows in ronneby.series(ind) if rows["value"].notna().any()}  # noqa: E731
    sfi = ronneby.catalogue.get("sfi_minst_tva_kurser")
    assert drawn(sfi) == {"kommun"}
    assert ronneby.trend_title(sfi) == "Elever på sfi som klarat minst två kurser inom två år, Ronneby"
    work = ronneby.catalogue.get("sysselsattningsgrad")
    assert ronneby.trend_title(work) == ("Sysselsättningsgrad 20–64 år, Ronneby jämfört med kommungruppen, länet "
                                         "och riket")
    assert ronneby.trend_title(ronneby.catalogue.get("gymnasieexamen_4ar")).endswith(
        "Ronneby jämfört med länet och riket")
