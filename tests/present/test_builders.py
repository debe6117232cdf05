"""Builders are functions of frames: the trend chart, its description and its tables from series made by hand
(no results, no report), and the report's own chart is the builder's output for its series."""
import pandas as pd
import pytest

from analysis.present import builders


def rows(code, values, example=False, margin=None):
    data = pd.DataFrame({"year": [2022, 2023, 2024], "value": values, "status": ["" if v == v else ".." for v in values],
                         "example": example, "geo_code": code, "sex": "T"})
    return data if margin is None else data.assign(margin=margin)


@pytest.fixture
def series():
    nan = float("nan")
    return [("Ronneby – utrikes födda", "utrikes", "kommun", rows("1081", [50.0, 52.5, 55.0])),
            ("Ronneby – inrikes födda", "inrikes", "kommun", rows("1081", [80.0, 79.0, nan])),
            ("Blekinge län – utrikes födda", "utrikes", "lan", rows("0010", [51.0, 52.0, 53.0], example=True))]


def test_trend_spec_from_frames(catalogue, series):
    ind = catalogue.get("sysselsattningsgrad")
    spec = builders.trend_spec(ind, series, own_level="kommun")
    assert [s.name for s in spec.series] == [label for label, *_ in series]
    own_u, own_i, lan = spec.series
    assert own_u.y == [50.0, 52.5, 55.0] and own_i.y == [80.0, 79.0, None]  # a missing value is a gap
    assert (own_u.dash, own_u.marker.symbol, lan.dash, lan.marker.symbol) == ("solid", "circle", "dash", "square")
    assert own_u.colour == builders.COLOURS["utrikes"] and own_i.colour == builders.COLOURS["inrikes"]
    assert own_u.label.startswith("utrikes 55,0") and lan.label == ""  # direct labels on the own lines only
    assert own_u.width == 3 and lan.width == 2 and lan.example and not own_u.example and spec.example
    assert spec.alt.startswith("Linjediagram över") and "Ronneby – utrikes födda: 50,0" in spec.alt


def test_trend_tables_from_frames(catalogue, series):
    ind = catalogue.get("sysselsattningsgrad")
    table = builders.trend_table(ind, series)
    assert list(table.columns) == ["År"] + [label for label, *_ in series]
    assert table["År"].tolist() == ["2022", "2023", "2024"]
    assert table.iloc[2, 2] == ".." and table.iloc[1, 1].startswith("52,5")
    data = builders.trend_data(ind, series)
    assert len(data) == 9 and set(data["Område"]) == {"Ronneby", "Blekinge län"}
    assert data["Exempeldata"].tolist().count("ja") == 3 and "Källans markering" not in data


def _trend_data_by_itertuples(ind, series):
    """trend_data as it was written before it read the frames column by column (the reference)."""
    from analysis.data.contract import SEXES

    out = []
    for label, grp, _level, data in series:
        for r in data.itertuples():
            out.append({"Område": label.split(" – ")[0], "Kod": r.geo_code, "Grupp": ind.group_label(grp),
                        "Kön": SEXES[r.sex], "År": int(r.year),
                        f"Värde ({ind.unit_symbol})": None if pd.isna(r.value) else round(float(r.value), 3),
                        **({f"Felmarginal (±, {ind.diff_unit})": None if pd.isna(getattr(r, "margin", None))
                            else round(float(r.margin), 3)} if ind.survey else {}),
                        "Symbol": r.status, "Källans markering": getattr(r, "flag", ""),
                        "Exempeldata": "ja" if r.example else "nej"})
    data = pd.DataFrame(out)
    if "Källans markering" in data and not data["Källans markering"].astype(bool).any():
        data = data.drop(columns="Källans markering")
    return data


@pytest.mark.parametrize("indicator", ["sysselsattningsgrad", "god_halsa"])
def test_trend_data_is_what_the_rows_say(catalogue, series, indicator):
    ind = catalogue.get(indicator)
    groups = list(ind.groups)  # god_halsa's groups are by birth region
    series = [(label, grp if grp in ind.groups else groups[i % len(groups)], level, data)
              for i, (label, grp, level, data) in enumerate(series)]
    flagged = [(label, grp, level, data.assign(flag=["", "p", ""])) for label, grp, level, data in series]
    surveyed = [(label, grp, level, data.assign(margin=[1.25, None, 2.0])) for label, grp, level, data in series]
    for s in (series, flagged, surveyed):
        got, expected = builders.trend_data(ind, s), _trend_data_by_itertuples(ind, s)
        pd.testing.assert_frame_equal(got, expected)
    assert "Källans markering" in builders.trend_data(ind, flagged)


def test_survey_margins_become_error_bars_and_table_notes(catalogue):
    ind = catalogue.get("god_halsa")
    s = [("Ronneby – inrikes födda", "inrikes", "kommun", rows("1081", [60.0, 61.0, 62.0], margin=[3.0, None, 2.5]))]
    spec = builders.trend_spec(ind, s, own_level="kommun")
    assert spec.series[0].errors == [3.0, None, 2.5]
    assert "(±" in builders.trend_table(ind, s).iloc[0, 1]


def test_a_level_without_a_registered_style_is_an_error(catalogue, series):
    ind = catalogue.get("sysselsattningsgrad")
    with pytest.raises(KeyError):
        builders.trend_spec(ind, series + [("X", "utrikes", "okand-niva", series[0][3])], own_level="kommun")


def test_the_reports_chart_is_the_builders(catalogue):
    from analysis.present.report import Report

    report = Report("1081", 2024, static_images=False)
    ind = catalogue.get("sysselsattningsgrad")
    assert report.trend_spec(ind) == builders.trend_spec(ind, report.series(ind), "kommun")
    assert report.chart_table(ind).equals(builders.trend_table(ind, report.series(ind)))


def test_gap_spec_from_values(catalogue):
    ind = catalogue.get("sysselsattningsgrad")
    spec = builders.gap_spec(ind, 2024, [("Ronneby", -20.0, "kommun", None), ("Riket", -15.5, "riket", None),
                                         ("Karlshamn", None, "kommun", None), ("Blekinge län", -18.0, "lan", 1.2)],
                             example=False)
    assert [b.label for b in spec.bars] == ["Riket", "Blekinge län", "Ronneby", "Karlshamn"]  # by value, missing last
    riket, lan, ronneby, karlshamn = spec.bars
    assert (riket.pattern, lan.pattern, ronneby.pattern) == (".", "/", "") and lan.bold and not ronneby.bold
    assert lan.text == "−18,0 (±1,2)" and karlshamn.text == ".." and karlshamn.value is None
    assert spec.x.range[0] < -20.0 and spec.x.range[1] > 0 and spec.height == 130 + 28 * 4
    assert "Blekinge län −18,0 (felmarginal ±1,2)" in spec.alt and not spec.example


def test_the_county_reports_bar_chart_is_the_builders(catalogue):
    from analysis.present.county_report import CountyReport

    county = CountyReport("10", 2024, static_images=False)
    ind = catalogue.get("sysselsattningsgrad")
    spec = county.gap_spec(ind)
    assert [b.label for b in spec.bars][:1] and len(spec.bars) == len(county.areas(ind))
    assert spec.alt.startswith("Stapeldiagram över skillnaden")


def test_side_by_side_from_figures(catalogue):
    ind = catalogue.get("sysselsattningsgrad")
    areas = [builders.Figures("Ronneby", "kommun", (55.0, ""), (79.4, ""), gap=(-24.4, ""), development="↑ bättre",
                              data_kind="Verklig"),
             builders.Figures("Blekinge län", "lan", (float("nan"), ".."), (80.0, ""), gap=None, development="",
                              data_kind="Exempeldata")]
    table = builders.side_by_side(ind, 2022, areas)
    assert list(table.columns) == ["Område", "Utrikes födda", "Inrikes födda", "Skillnad, procentenheter",
                                   "Utveckling sedan 2022", "Data"]
    assert table.iloc[0, 3] == "−24,4" and table.iloc[1, 3] == ".." and table.iloc[1, 1] == ".."
    assert table["Data"].tolist() == ["Verklig", "Exempeldata"]
    with_margin = builders.side_by_side(ind, 2022, [builders.Figures("R", margin=2.04, gap=(1.0, ""))])
    assert with_margin["Felmarginal (±), procentenheter"].tolist() == ["2,0"] and "Data" not in with_margin


def test_level_tables_and_the_sex_table_from_figures(catalogue):
    ind = catalogue.get("gymnasieexamen_4ar")  # no native comparison group: values and the gap to the next level
    table = builders.side_by_side(ind, 2022, [builders.Figures("Ronneby", "kommun", total=(70.0, ""), gap=(-3.0, "")),
                                              builders.Figures("Riket", "riket", total=(75.0, ""), gap=(1.0, ""))])
    assert table.iloc[:, 2].tolist() == ["−3,0", "."]  # riket has nothing above it
    sexes = builders.sex_table(ind, 2022, "Ronneby", {s: builders.Figures("Ronneby", total=(v, ""))
                                                      for s, v in (("K", 72.0), ("M", 68.0), ("T", 70.0))})
    assert sexes["Kön"].tolist() == ["Kvinnor", "Män", "Totalt"] and list(sexes.columns)[1] == "Ronneby"


def test_the_reports_tables_are_the_builders(catalogue):
    from analysis.present.county_report import CountyReport
    from analysis.present.report import Report

    report = Report("1081", 2024, static_images=False)
    ind = catalogue.get("gymnasieexamen_4ar")
    figures = {s: report.figures(ind, "1081", s) for s in ("K", "M", "T")}
    assert report.sex_table(ind).equals(builders.sex_table(ind, report.results.baseline_year, "Ronneby", figures))
    county = CountyReport("10", 2024, static_images=False)
    ind = catalogue.get("sysselsattningsgrad")
    assert county.side_by_side(ind)["Område"].tolist() == [a.name for a in county.areas(ind)]


def test_the_headline_carries_the_figures_it_states(catalogue):
    from analysis.present.display import PART_KEY, Text
    from analysis.present.report import Report

    report = Report("1081", 2024, static_images=False)
    ind = catalogue.get("sysselsattningsgrad")
    headline = next(p for p in report.indicator(ind) if isinstance(p, Text) and p.headline)
    figures = headline.headline["figures"]
    gap = report.gap_row(ind, "1081")
    assert headline.headline["area"] == "1081" and figures["gap"] == (gap["gap"], gap["status"])
    assert figures["development"] == report.figures(ind, "1081").development
    assert figures["data_kind"] == report.data_kind(ind, ["1081"])
    part = headline.bundle()[1][PART_KEY]
    assert part["type"] == "headline" and part["indicator"] == ind.id
    shown = f"{abs(gap['gap']):.1f}".replace(".", ",")
    assert shown in headline.markdown  # the figure the headline states is the one it carries


def test_trend_title_names_only_the_levels_drawn_from_frames_made_by_hand():
    import pandas as pd

    from analysis.domain.catalogue import load_catalogue
    from analysis.present.builders import trend_title

    ind = load_catalogue().get("sysselsattningsgrad")
    drawn, empty = pd.DataFrame({"value": [1.0]}), pd.DataFrame({"value": [float("nan")]})
    series = [("Ronneby", "utrikes", "kommun", drawn), ("Blekinge län", "utrikes", "lan", drawn),
              ("Riket", "utrikes", "riket", empty)]
    group = [("kommungruppen", [("Kommungrupp C7", "utrikes", "kommungrupp", drawn)])]
    assert trend_title(ind, "Ronneby", "kommun", series, group) == (
        f"{ind.title}, Ronneby jämfört med kommungruppen och länet")
    assert trend_title(ind, "Ronneby", "kommun", series, [("kommungruppen", [])]).endswith("Ronneby jämfört med länet")
    assert trend_title(ind, "Blekinge län", "lan", series, []) == f"{ind.title}, Blekinge län"
