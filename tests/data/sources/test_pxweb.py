"""SCB PxWebApi 2.0 source: /config limits, metadata checks, chunking, JSON-stat2 -> tidy."""

import pandas as pd
import pytest

from analysis.data.sources import pxweb
from analysis.data.sources.http import FetchError, SchemaChanged
from api_responses import jsonstat, recorded


def test_recorded_jsonstat_dataset_is_read_in_row_major_order():
    doc = recorded("TAB6471_data.json")  # real SCB response: 21 län × 11 ages × 3 sexes × 1 × 4 months
    frame = pxweb.jsonstat_frame(doc)
    assert len(frame) == 21 * 11 * 3 * 4
    first = frame.iloc[0]
    assert (first["Region"], first["Alder"], first["Kon"], first["Tid"]) == ("01", "0-9", "TotSa", "2026M01")
    assert first["value"] == 245284
    # the last index moves fastest: the next row is the next month
    assert frame.iloc[1]["Tid"] == "2026M02" and frame.iloc[1]["value"] == 247245


def test_config_limits_are_read_and_enforced(httpserver):
    httpserver.expect_request("/api/v2/config").respond_with_json(recorded("config.json"))
    api = pxweb.client(httpserver.url_for("/api/v2"), sleep=lambda s: None)
    limits = pxweb.read_limits(api)
    assert limits == pxweb.Limits(max_cells=150000, max_calls=3, window=1.0)
    assert api.limiter.max_calls == 3 and api.limiter.window == 1.0


def test_config_without_a_limit_is_a_schema_change(httpserver):
    cfg = recorded("config.json")
    del cfg["maxDataCells"]
    httpserver.expect_request("/api/v2/config").respond_with_json(cfg)
    api = pxweb.client(httpserver.url_for("/api/v2"), sleep=lambda s: None)
    with pytest.raises(SchemaChanged, match=r"SCB PxWebApi: svaret saknar fältet 'maxDataCells'"):
        pxweb.read_limits(api)


def test_declared_codes_are_checked_against_real_metadata():
    meta = recorded("TAB6471_metadata.json")
    spec = {"region": "Region", "time": "Tid", "contents": "000007SF", "fixed": {"Alder": "20-29"},
            "group": {"dimension": "Alder", "codes": {"total": "20-29"}},
            "sex": {"dimension": "Kon", "codes": {"T": "1+2", "K": "2", "M": "1"}}}
    with pytest.raises(FetchError, match=r"TAB6471: variabeln Kon saknar koden/koderna 1\+2 \(kön\); finns: 1, 2, TotSa"):
        pxweb.selection(spec, meta, "TAB6471", ["0010"], [2026])


def test_a_mandatory_variable_left_out_is_named():
    meta = recorded("TAB6471_metadata.json")
    spec = {"region": "Region", "time": "Tid", "contents": "000007SF",
            "group": {"dimension": "Kon", "codes": {"total": "TotSa"}}}
    with pytest.raises(FetchError, match="variabeln Alder måste väljas"):
        pxweb.selection(spec, meta, "TAB6471", ["0010"], [2026])


def test_chunks_stay_within_max_cells():
    wanted = {"Region": ["1060", "1080", "1081", "1082", "1083"], "Kon": ["1", "2", "1+2"],
              "Tid": ["2022", "2023", "2024"]}
    parts = list(pxweb.chunks(wanted, ("Region", "Tid"), max_cells=5))
    assert all(len(p["Region"]) * len(p["Kon"]) * len(p["Tid"]) <= 5 for p in parts)
    covered = {(r, t) for p in parts for r in p["Region"] for t in p["Tid"]}
    assert covered == {(r, t) for r in wanted["Region"] for t in wanted["Tid"]}


def test_value_count_mismatch_is_a_schema_change():
    doc = jsonstat({"Region": ["10"], "Tid": ["2024"]}, [1.0])
    doc["value"] = [1.0, 2.0]
    with pytest.raises(SchemaChanged, match="'value'"):
        pxweb.jsonstat_frame(doc)


def test_codes_convert_between_scb_and_kolada_style():
    assert [pxweb.to_scb(c) for c in ("0000", "0010", "0880")] == ["00", "10", "0880"]
    assert [pxweb.from_scb(c) for c in ("00", "08", "0880")] == ["0000", "0008", "0880"]


# SCB's integration tables for employment by sex (AA0003B IntGr1*UtbBAS, from 2022): the kommun table's
# ContentsCode as a recorded query names it (000007K3), the län table's by its label "Andel sysselsatta"; groups by
# the labels SCB shows (tests/fixtures/sources/evidence.yml). No riket table is declared (riket comes from Kolada).
BAS_TABLES = {"kommun": ("TAB6383", ["1081", "2580"], "000007K3"), "lan": ("TAB6384", ["10", "25"], "000007KE")}
BAS_LABELS = {"BakgrVar": {"SE": "födelseregion: Sverige", "SAMUTF": "samtliga utrikes födda",
                           "UTREUR": "födelseregion: EU/EFTA exkl. Norden"},
              "ContentsCode": {"000007K3": "Andel sysselsatta", "000007KE": "Andel sysselsatta",
                               "000007KZ": "Andel öppet arbetslösa"}}


def bas_metadata(table, regions, contents):
    """Metadata in the shape of the integration tables: Region, Kon, UtbNiv, BakgrVar, ContentsCode, Tid."""
    return jsonstat({"Region": regions, "Kon": ["1", "2", "1+2"], "UtbNiv": ["000", "F", "G", "E"],
                     "BakgrVar": ["SE", "SAMUTF", "UTREUR"], "ContentsCode": [contents, "000007KZ"],
                     "Tid": ["2022", "2023", "2024"]}, None, table, labels=BAS_LABELS)


def test_catalogue_declares_the_integration_tables_by_code_or_label(catalogue):
    spec = pxweb.spec_of(catalogue.get("sysselsattningsgrad"))
    assert spec["tables"] == {level: t for level, (t, _r, _c) in BAS_TABLES.items()}
    for level, (table, regions, contents) in BAS_TABLES.items():
        area = {"kommun": "2580", "lan": "0025"}[level]
        wanted = pxweb.selection(spec, bas_metadata(table, regions, contents), table, [area], [2020, 2024],
                                 level=level)
        assert wanted["ContentsCode"] == [contents]
        assert wanted["Kon"] == ["1+2", "2", "1"] and wanted["BakgrVar"] == ["SAMUTF", "SE"]
        assert wanted["UtbNiv"] == ["000"] and wanted["Tid"] == ["2024"]  # the tables start 2022


def test_a_label_matches_across_dash_and_case():
    meta = jsonstat({"Bakgrund": ["A", "B"]}, None, labels={"Bakgrund": {"A": "ålder: 20\u201364 år", "B": "Övriga"}})
    assert pxweb.resolve(meta, "Bakgrund", "Ålder: 20-64 år") == "A"
    assert pxweb.resolve(meta, "Bakgrund", "B") == "B"
    assert pxweb.resolve(meta, "Bakgrund", "samtliga") is None


def test_a_contents_code_of_another_table_is_refused_before_any_data_request(catalogue):
    spec = pxweb.spec_of(catalogue.get("sysselsattningsgrad"))
    meta = bas_metadata("TAB6384", ["10"], "000007KE")
    with pytest.raises(FetchError, match=r"TAB6384: variabeln ContentsCode saknar koden/koderna 000007K3"):
        pxweb.selection(spec, meta, "TAB6384", ["0010"], [2024], level="kommun")


def test_a_table_level_without_contents_code_is_a_catalogue_problem(root):
    import yaml

    from analysis.domain.catalogue import SCHEMA_FILE, catalogue_problems

    raw = yaml.safe_load((root / "data/catalogue/indicators.yml").read_text(encoding="utf-8"))
    schema = yaml.safe_load((root / SCHEMA_FILE).read_text(encoding="utf-8"))
    ind = next(i for i in raw["indicators"] if i["id"] == "sysselsattningsgrad")
    del ind["source"]["pxweb"]["contents"]["lan"]
    assert catalogue_problems(raw, schema) == [
        "indicators/0 (sysselsattningsgrad): source.pxweb.contents has no ContentsCode for lan "
        "(one per table level, or one string for all)"]


def test_scb_status_is_kept_next_to_the_value(catalogue):
    ind = catalogue.get("sysselsattningsgrad")
    dims = {"Region": ["1081"], "Kon": ["2", "1"], "UtbNiv": ["000"], "BakgrVar": ["SAMUTF"],
            "ContentsCode": ["000007K3"], "Tid": ["2024"]}
    doc = jsonstat(dims, [57.9, None], "TAB6383", status={"0": "B", "1": ".."}, labels=BAS_LABELS)
    tidy = pxweb.tidy_response(doc, ind, "test").set_index("sex")
    assert tidy.loc["K", "value"] == 57.9 and tidy.loc["K", "flag"] == "B" and tidy.loc["K", "status"] == ""
    assert pd.isna(tidy.loc["M", "value"]) and tidy.loc["M", "status"] == ".."
    assert set(tidy["group"]) == {"utrikes"} and set(tidy["geo_code"]) == {"1081"}


def test_years_before_a_table_starts_are_skipped_not_an_error(httpserver, catalogue):
    httpserver.expect_request("/api/v2/config").respond_with_json(recorded("config.json"))
    for level, (table, regions, contents) in BAS_TABLES.items():
        httpserver.expect_request(f"/api/v2/tables/{table}/metadata").respond_with_json(
            bas_metadata(table, regions, contents))
    api = pxweb.client(httpserver.url_for("/api/v2"), sleep=lambda s: None)
    limits = pxweb.read_limits(api)
    ind = catalogue.get("sysselsattningsgrad")
    assert list(pxweb.fetch_indicator(api, limits, ind, ["2580", "0025"], [2019, 2020, 2021])) == []
    with pytest.raises(pxweb.NoPeriods, match="inga av åren 2019–2021"):
        pxweb.selection(pxweb.spec_of(ind), bas_metadata("TAB6383", ["2580"], "000007K3"), "TAB6383", ["2580"],
                        [2019, 2020, 2021], level="kommun")


def test_valdeltagande_for_lan_and_riket_is_asked_by_the_labels_scb_shows(catalogue):
    """TAB4268 (län) and TAB4255 (riket): values as listed in Region Dalarna's script for IntGr11Lan1/Riket1."""
    spec = pxweb.spec_of(catalogue.get("valdeltagande_kf"))
    assert spec["tables"] == {"lan": "TAB4268", "riket": "TAB4255"}
    labels = {"Bakgrund": {"SAMT": "samtliga", "SE": "födelseregion: Sverige", "UTR": "samtliga utrikes födda"},
              "Kon": {"1+2": "män och kvinnor", "1": "män", "2": "kvinnor"},
              "ContentsCode": {"V1": "Valdeltagande i val till riksdag, procent",
                               "V3": "Valdeltagande i val till kommun, procent"}}
    meta = jsonstat({"Region": ["00"], "Bakgrund": list(labels["Bakgrund"]), "Kon": list(labels["Kon"]),
                     "ContentsCode": ["V1", "V3"], "Tid": ["2018", "2022"]}, None, "TAB4255", labels=labels)
    wanted = pxweb.selection(spec, meta, "TAB4255", ["0000"], [2019, 2020, 2021, 2022, 2023, 2024], level="riket")
    assert wanted == {"ContentsCode": ["V3"], "Bakgrund": ["UTR", "SE"], "Kon": ["1+2", "2", "1"],
                      "Region": ["00"], "Tid": ["2022"]}
