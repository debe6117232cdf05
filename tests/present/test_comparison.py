"""The kommungrupp in the reports: headline, narrative, trend line, place, downloads and the county view."""

import pandas as pd
import pytest

from analysis.present.comparison import GROUP_LEVEL
from analysis.present.county_report import CountyReport
from analysis.present.report import Report


@pytest.fixture(scope="module")
def ronneby():
    return Report("1081", 2024, static_images=False)


def _c7_mean(tidy, grouping, indicator, group, year=2024):
    members = grouping.groups["C7"].members
    rows = tidy[(tidy["indicator"] == indicator) & (tidy["group"] == group) & (tidy["year"] == year)
                & (tidy["sex"] == "T") & tidy["geo_code"].isin(members) & tidy["value"].notna()]
    return rows["value"].sum() / len(rows), len(rows)


def test_headline_and_narrative_carry_the_group_value_in_skr_wording(ronneby):
    ind = ronneby.catalogue.get("sysselsattningsgrad")
    res = ronneby.results
    u, n = _c7_mean(res.tidy, res.grouping, ind.id, "utrikes")
    i, _ = _c7_mean(res.tidy, res.grouping, ind.id, "inrikes")
    assert n == 51
    line = ronneby.level(GROUP_LEVEL).headline(ind)
    assert line.startswith("**Kommungrupp C7 Pendlingskommun nära mindre stad/tätort:**")
    assert f"{u:.1f}".replace(".", ",") in line and f"{abs(u - i):.1f}".replace(".", ",") in line
    assert "ovägt medelvärde av gruppens 51 kommuner" in line
    text = ronneby.narrative(ind)
    assert f"jämfört med {u:.1f}".replace(".", ",") + "\u00a0procent i kommungruppen Pendlingskommun nära mindre stad/tätort" in text


def test_trend_chart_has_the_group_lines_in_their_own_style(ronneby):
    ind = ronneby.catalogue.get("sysselsattningsgrad")
    labels = [s[0] for s in ronneby.series(ind)]
    assert labels[2:4] == ["Kommungrupp C7 – utrikes födda", "Kommungrupp C7 – inrikes födda"]
    fig = ronneby.trend_figure(ind)
    dashes = {t.name.replace("<br>", " "): t.line.dash for t in fig.data}  # long names wrap in the legend
    assert dashes["Kommungrupp C7 – utrikes födda"] == "dashdot"
    assert len({dashes[lab] for lab in labels if "utrikes" in lab}) == 4  # kommun, grupp, län, riket all differ
    data = ronneby.chart_data(ind)
    grp = data[data["Område"] == "Kommungrupp C7"]
    assert sorted(grp["År"].unique()) == [2020, 2021, 2022, 2023, 2024] and (grp["Kod"] == "C7").all()
    note = ronneby.level(GROUP_LEVEL).download_notes(ind)[0]  # the download's Noter sheet says how the group line is formed
    assert "ovägt medelvärde" in note and "Olofström" in note


def test_place_in_group_and_riket_matches_an_independent_count(ronneby):
    ind = ronneby.catalogue.get("sysselsattningsgrad")
    g = ronneby.results.gaps
    g = g[(g["indicator"] == ind.id) & (g["year"] == 2024) & (g["sex"] == "T") & (g["comparison"] == "inrikes")
          & (g["level"] == "kommun") & (g["status"] == "")]
    own = g.loc[g["geo_code"] == "1081", "disadvantage"].item()
    c7 = g[g["geo_code"].isin(ronneby.results.grouping.groups["C7"].members)]
    rank_group = 1 + (c7["disadvantage"] < own).sum()
    rank_riket = 1 + (g["disadvantage"] < own).sum()
    text = ronneby.level(GROUP_LEVEL).position_text(ind)
    assert f"plats {rank_group} av {len(c7)} kommuner med värde i kommungruppen" in text
    assert f"plats {rank_riket} av {len(g)} i riket" in text
    table = ronneby.level(GROUP_LEVEL).position_table(ind)
    assert len(table) == len(c7) and table.loc[table["Vald kommun"] == "ja", "Plats i gruppen"].item() == rank_group
    fig, alt = ronneby.level(GROUP_LEVEL).position_figure(ind)
    colours = {t.name: t.marker.color for t in fig.data}
    assert colours["Övriga kommuner"] == colours["Alla kommuner"]  # one neutral grey, no rank colours
    assert "Ronneby" in alt and "Gruppens värde" in alt


def test_indicators_without_enough_group_data_get_no_group_value_or_place(ronneby):
    ind = ronneby.catalogue.get("sfi_godkanda")  # example data for Blekinge only
    assert ronneby.level(GROUP_LEVEL).series(ind) == [] and ronneby.level(GROUP_LEVEL).sentence(ind) == ""
    assert "ingen" in ronneby.level(GROUP_LEVEL).position_text(ind)
    health = ronneby.catalogue.get("ohalsotal")  # only at län level: no kommungrupp at all
    assert ronneby.level(GROUP_LEVEL).group(health) is None and ronneby.level(GROUP_LEVEL).headline(health) == ""


def test_county_report_sets_each_kommun_against_its_own_group():
    county = CountyReport("10", 2024, static_images=False)
    ind = county.catalogue.get("sysselsattningsgrad")
    table = county.level(GROUP_LEVEL).county_table(ind)
    groups = dict(zip(table["Kommun"], table["Kommungrupp"]))
    assert groups["Ronneby"].startswith("C7 ") and groups["Karlskrona"].startswith("C6 ")
    assert groups["Sölvesborg"].startswith("B4 ") and len(table) == 5
    res = county.results
    u, _ = _c7_mean(res.tidy, res.grouping, ind.id, "utrikes")
    i, _ = _c7_mean(res.tidy, res.grouping, ind.id, "inrikes")
    row = table[table["Kommun"] == "Ronneby"].iloc[0]
    assert row["Gruppens värde"] == f"{u - i:.1f}".replace(".", ",").replace("-", "\u2212")


def test_gaps_table_has_a_kommungrupp_row_between_kommun_and_lan(ronneby):
    from analysis.compute.results import area_gap_table

    t = area_gap_table(ronneby.results, "1081", ("T",))
    t = t[t["indicator"] == "sysselsattningsgrad"]
    assert list(t["level"]) == ["kommun", "kommungrupp", "lan", "riket"]
    assert t.iloc[1]["n_kommuner"] == 51 and pd.notna(t.iloc[1]["gap"])


def test_summary_table_has_a_kommungrupp_column(ronneby):
    from analysis.present.display import Table

    tables = [p.data for p in ronneby.goal_overview() if isinstance(p, Table)]
    col = dict(zip(tables[0]["Indikator"], tables[0]["Kommungruppen"]))
    gap = ronneby.level(GROUP_LEVEL).group_gap(ronneby.catalogue.get("sysselsattningsgrad"))
    from analysis.present import fmt

    assert col["Sysselsättningsgrad"] == f"skillnad {fmt.gap(gap['gap'], 'procentenheter')}"  # utrikes − inrikes
    assert col["Sysselsättningsgrad"].startswith("skillnad \u2212")
    assert col["God självskattad hälsa"] == "."  # shown at län level: no kommungrupp (not applicable)
    assert not tables[0]["Kommungruppen"].isna().any()


def test_the_kommungrupp_is_a_component_of_the_report_not_a_base_class(ronneby):
    from analysis.present.comparison import KommungruppLevel

    group = ronneby.level(GROUP_LEVEL)
    assert isinstance(group, KommungruppLevel) and group.report is ronneby and ronneby.level(GROUP_LEVEL) is group
    assert not hasattr(ronneby, "group_headline") and not hasattr(ronneby, "comparison_group")
    assert group.group().id == "C7"


def _hand_made_places():
    from analysis.domain.catalogue import load_catalogue
    from analysis.domain.groups import ComparisonGroup

    ind = load_catalogue().get("sysselsattningsgrad")
    g = ComparisonGroup(id="C7", name="Pendlingskommun", kind="skr", members=("1", "2", "3"))
    measures = pd.DataFrame({
        "geo_code": ["1", "2", "3", "4"], "name": ["Aby", "Bby", "Cby", "Dby"], "group_id": ["C7", "C7", "C7", "C6"],
        "measure": [-3.0, -1.0, -2.0, -9.0], "rank_group": [3, 1, 2, 1], "rank_riket": [3, 1, 2, 4],
        "n_group": [3, 3, 3, 1], "n_riket": [4, 4, 4, 4], "example": [False] * 4})
    return ind, g, measures


def test_strip_and_place_tables_are_built_from_frames_made_by_hand():
    from analysis.present.comparison import place_summary, place_table, strip_spec

    ind, g, measures = _hand_made_places()
    refs = [("Gruppens värde −2,0", -2.0, 1), ("Riket −4,0", -4.0, 0)]
    spec = strip_spec(ind, g, measures, "Cby", "3", -2.0, refs, 2024)
    others = next(s for s in spec.series if s.name == "Övriga kommuner")
    assert others.x == [-3.0, -1.0] and spec.y.ticktext[1] == "Kommungrupp C7\n(3 med värde)"
    assert "från −3,0 (Aby) till −1,0 (Bby)" in spec.alt and "Riket −4,0" in spec.alt
    table = place_table(ind, g, measures, "3")
    assert list(table["Kommun"]) == ["Bby", "Cby", "Aby"] and list(table["Vald kommun"]) == ["", "ja", ""]
    summary = place_summary(ind, g, measures, "Cby", measures.iloc[2], refs)
    assert list(summary["Område"]) == ["Cby", "Gruppens värde", "Riket", "Lägst i gruppen: Aby", "Högst i gruppen: Bby"]
    assert summary.iloc[0]["Plats i gruppen"] == "2 av 3"
