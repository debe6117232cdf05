"""Kolada v3 source: batching, next_url paging, schema checks, rows -> tidy (recorded and built responses)."""

import re

import pytest

from analysis.data.sources import kolada
from analysis.data.sources.http import SchemaChanged
from api_responses import kolada_page, kolada_row, recorded


def test_recorded_response_becomes_tidy_rows_with_the_producer_as_source(catalogue, geography):
    page = recorded("data_kpi_N02282_municipality_0580.json")  # real Kolada response, Linköping 2020–2023
    kolada.check_page(page)
    tidy = kolada.tidy_rows(kolada.page_rows(page), catalogue, geography, "test")
    assert set(tidy["indicator"]) == {"arbetsloshet"} and set(tidy["group"]) == {"utrikes"}
    assert set(tidy["sex"]) == {"T", "K", "M"} and set(tidy["geo_code"]) == {"0580"}
    k2020 = tidy[(tidy["year"] == 2020) & (tidy["sex"] == "K")]
    assert k2020["value"].item() == pytest.approx(17.897092)
    assert tidy["source"].str.startswith("SCB, ").all()  # the producer, Kolada only as the channel
    assert tidy["source"].str.contains("via Kolada N02282").all()


def test_null_value_is_missing_with_symbol_never_zero(catalogue, geography):
    page = kolada_page([kolada_row("N02268", "1081", 2023, {"T": None, "K": 60.1})])
    tidy = kolada.tidy_rows(kolada.page_rows(page), catalogue, geography, "test")
    t = tidy[tidy["sex"] == "T"]
    assert t["status"].item() == ".." and t["value"].isna().item()


def test_batches_of_at_most_25_ids():
    ids = [f"{i:04d}" for i in range(60)]
    assert [len(b) for b in kolada.batches(ids)] == [25, 25, 10]


def test_paging_follows_next_url_and_batches_areas(httpserver):
    areas = [f"08{i:02d}" for i in range(30)]  # 30 areas -> two requests
    seen = []

    def handler(request):
        import json

        from werkzeug import Response

        seen.append(request.full_path)
        page = int(request.args.get("page", "1"))
        m = re.match(r"/v3/data/kpi/([^/]+)/municipality/([^/]+)/year/([^/]+)", request.path)
        assert m, request.path
        assert len(m.group(2).split(",")) <= 25
        rows = [kolada_row("N02268", a, 2024, {"T": 70.0 + page}) for a in m.group(2).split(",")]
        nxt = None
        if page == 1:
            nxt = httpserver.url_for(request.path) + "?page=2&per_page=5000"
        return Response(json.dumps(kolada_page(rows, nxt)), content_type="application/json")

    httpserver.expect_request(re.compile(r"^/v3/data/")).respond_with_handler(handler)
    api = kolada.client(httpserver.url_for("/v3"), sleep=lambda s: None)
    pages = list(kolada.fetch_pages(api, ["N02268"], areas, [2024]))
    assert len(pages) == 4  # two area batches × two pages
    assert sum(len(p.data["values"]) for p in pages) == 2 * 30
    assert sum("page=2" in s for s in seen) == 2


def test_changed_schema_names_the_source_and_the_field(httpserver):
    row = kolada_row("N02268", "1081", 2024, {"T": 61.0})
    del row["period"]
    httpserver.expect_request(re.compile(r"^/v3/data/")).respond_with_json(kolada_page([row]))
    api = kolada.client(httpserver.url_for("/v3"), sleep=lambda s: None)
    with pytest.raises(SchemaChanged, match=r"^Kolada: svaret saknar fältet 'values\[0\]\.period'") as exc:
        list(kolada.fetch_pages(api, ["N02268"], ["1081"], [2024]))
    assert exc.value.field == "values[0].period"


def test_missing_envelope_field_is_a_schema_change():
    with pytest.raises(SchemaChanged, match="'values'"):
        kolada.check_page({"count": 0, "results": []})


def test_series_map_comes_from_the_catalogue(catalogue):
    m = kolada.series_map(catalogue)
    assert m["N02268"] == ("sysselsattningsgrad", "utrikes")
    assert m["N02281"] == ("arbetsloshet", "inrikes")


V3_PAGES = ("kolada_v3_data_N02268_N02269_1081_page1.json", "kolada_v3_data_N02268_N02269_1081_page2.json")


def test_v3_pages_beside_the_recorded_v2_one_skip_deleted_rows_and_keep_status(catalogue, geography):
    rows = []
    for name in V3_PAGES:
        page = recorded(name)
        kolada.check_page(page)
        rows += kolada.page_rows(page)
    tidy = kolada.tidy_rows(rows, catalogue, geography, "test").set_index(["year", "sex", "group"])
    # the row marked isdeleted (N02268 2023, value null) is left out; the real 2023 value on page 2 stays
    assert tidy.loc[(2023, "T", "utrikes"), "value"] == 60.9 and tidy.loc[(2023, "T", "utrikes"), "status"] == ""
    assert (2023, "K", "inrikes") not in tidy.index  # a cell marked isdeleted is no data, not a missing value
    assert tidy.loc[(2024, "K", "inrikes"), "flag"] == "B"  # Kolada's status is kept next to the value
    assert tidy.loc[(2024, "T", "inrikes"), "flag"] == ""
    assert len(tidy) == 6 + 1 + 1


def test_v3_paging_follows_next_url_until_null(httpserver):
    first, second = (recorded(n) for n in V3_PAGES)
    first["next_url"] = httpserver.url_for("/v3/page2")
    httpserver.expect_request(re.compile(r"^/v3/data/")).respond_with_json(first)
    httpserver.expect_request("/v3/page2").respond_with_json(second)
    api = kolada.client(httpserver.url_for("/v3"), sleep=lambda s: None)
    pages = list(kolada.fetch_pages(api, ["N02268", "N02269"], ["1081"], [2023, 2024]))
    assert [p.data["count"] for p in pages] == [3, 2]


def test_recorded_v2_cells_have_an_empty_flag(catalogue, geography):
    page = recorded("data_kpi_N02282_municipality_0580.json")
    tidy = kolada.tidy_rows(kolada.page_rows(page), catalogue, geography, "test")
    assert (tidy["flag"] == "").all()
