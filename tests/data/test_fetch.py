"""`analysis fetch` end to end over real HTTP (pytest-httpserver on 127.0.0.1): snapshots with provenance,
the rebuilt tidy table, fallback to saved snapshots, and nothing half-written on errors."""

import hashlib
import json
import math
import re

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner
from werkzeug import Response

from analysis.domain.catalogue import load_catalogue
from analysis.cli import app
from analysis.data.contract import load_tidy
from analysis.errors import AnalysisError
from analysis.data.fetch import fetch, parse_years
from analysis.compute.gaps import compute_gaps
from analysis.domain.geography import load_geography
from analysis.data.provenance import load_snapshot, snapshot_files
from analysis.errors import DataValidationError
from analysis.data.sources import pxweb
from analysis.data.sources.http import SchemaChanged
from api_responses import jsonstat, kolada_page, kolada_row, recorded

YEARS = list(range(2019, 2025))
KOLADA_BAS = {"N02268": ("sysselsattningsgrad", "utrikes_fodda"), "N02269": ("sysselsattningsgrad", "inrikes_fodda"),
              "N02282": ("arbetsloshet_av_arbetskraften", "utrikes_fodda"),
              "N02281": ("arbetsloshet_av_arbetskraften", "inrikes_fodda")}
PAGE_SIZE = 40


def tree_digest(folder):
    """Every file under data/ with its checksum: to show that nothing changed."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def bas_values(root):
    raw = pd.read_csv(root / "data/raw/scb/scb_bas_syss_arbl_inrikes_utrikes_20-64_alla_kommuner_regioner_riket_2020-2024.csv",
                      dtype=str)
    raw.columns = [c.lower() for c in raw.columns]
    return {(r.measure, r.birth_group, r.area_code.zfill(4), int(r.year)): float(r.value) for r in raw.itertuples()}


def kolada_handler(httpserver, bas, broken_page=None, status=None, poison=None):
    """Kolada v3: BAS KPIs with the real T values (K/M made up for the test), SFI KPIs made up; paged."""

    def handler(request):
        if status:
            return Response("Service Unavailable", status=status)
        m = re.match(r"/v3/data/kpi/([^/]+)/municipality/([^/]+)/year/([^/]+)", request.path)
        assert m, request.path
        rows = []
        for kpi in m.group(1).split(","):
            for area in m.group(2).split(","):
                for year in map(int, m.group(3).split(",")):
                    if kpi in KOLADA_BAS:
                        t = bas.get((*KOLADA_BAS[kpi], area, year))
                        if t is None:
                            continue  # BAS starts 2020: Kolada has no row
                        rows.append(kolada_row(kpi, area, year, {"T": t, "K": t - 1.0, "M": t + 1.0}))
                    elif area not in ("0000", "0010"):
                        v = None if (area, year) == ("1083", 2019) else 40.0 + year - 2019
                        rows.append(kolada_row(kpi, area, year, {"T": v}))
        page = int(request.args.get("page", "1"))
        pages = math.ceil(len(rows) / PAGE_SIZE)
        body = kolada_page(rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE],
                           httpserver.url_for(request.path) + f"?page={page + 1}&per_page={PAGE_SIZE}"
                           if page < pages else None)
        if broken_page == page:
            if broken_page == 2:
                del body["values"][0]["values"][0]["gender"]
            else:
                return Response('{"count": 3, "values": [{"kpi": "N02', content_type="application/json")
        text = json.dumps(body, ensure_ascii=False)
        if poison and page == 2:  # an impossible value in the raw JSON text, e.g. 1e999 (parses as inf)
            text = re.sub(r'"value": [0-9.]+', f'"value": {poison}', text, count=1)
        return Response(text, content_type="application/json")

    httpserver.expect_request(re.compile(r"^/v3/data/")).respond_with_handler(handler)


SCB_DIMS = ("Region", "Kon", "Fodelseregion", "ContentsCode", "Tid")
SCB_CODES = {"Kon": ["1", "2", "1+2"], "Fodelseregion": ["INR", "UTR", "TOT"], "ContentsCode": ["OHT01"],
             "Tid": [str(y) for y in range(2017, 2025)]}
SCB_REGIONS = {"TAB9000": ["1060", "1080", "1081", "1082", "1083", "0880"], "TAB9001": ["10", "08"],
               "TAB9002": ["00"]}


def scb_handler(httpserver, requests_seen):
    cfg = recorded("config.json")
    cfg["maxDataCells"] = 40  # small, so requests must be split
    httpserver.expect_request("/api/v2/config").respond_with_json(cfg)
    for table, regions in SCB_REGIONS.items():
        dims = {"Region": regions, **SCB_CODES}
        meta = jsonstat(dims, None, table, elimination={"Kon"})
        httpserver.expect_request(f"/api/v2/tables/{table}/metadata").respond_with_json(meta)

        def data(request, table=table):
            body = json.loads(request.data)
            sel = {s["variableCode"]: s["valueCodes"] for s in body["selection"]}
            requests_seen.append((table, sel))
            cells = math.prod(len(v) for v in sel.values())
            assert cells <= 40, cells
            assert request.args["outputFormat"] == "json-stat2"
            dims = {d: sel[d] for d in SCB_DIMS}
            values, status = [], {}
            for i, (r, k, f, _c, t) in enumerate(pd.MultiIndex.from_product(list(dims.values()))):
                if (r, t) == ("1083", "2019") and f == "UTR":
                    values.append(None)
                    status[str(i)] = ".."
                else:
                    values.append(20.0 + (5 if f == "UTR" else 0) + int(t) - 2019 + (1 if k == "2" else 0))
            return Response(json.dumps(jsonstat(dims, values, table, status)), content_type="application/json")

        httpserver.expect_request(f"/api/v2/tables/{table}/data", method="POST").respond_with_handler(data)


#: SCB's integration tables for employment by sex, each with its own ContentsCode (as the catalogue declares).
BAS_TABLES = {"TAB6383": (["1060", "1080", "1081", "1082", "1083", "0880"], "000007K3"),
              "TAB6384": (["10", "08"], "000007KE")}
#: labels as SCB shows them (the catalogue names the län table's contents and the groups by label)
BAS_LABELS = {"BakgrVar": {"SE": "födelseregion: Sverige", "SAMUTF": "samtliga utrikes födda"},
              "ContentsCode": {"000007K3": "Andel sysselsatta", "000007KE": "Andel sysselsatta",
                               "000007ZZ": "Andel öppet arbetslösa"}}
BAS_DIMS = {"Kon": ["1", "2", "1+2"], "UtbNiv": ["000", "G"], "BakgrVar": ["SE", "SAMUTF"], "Tid": ["2022", "2023", "2024"]}


def scb_bas_handler(httpserver, bas, requests_seen):
    """TAB6383/6384/6379: T = the real BAS figures, K/M made up for the test; a status mark next to one value."""
    for table, (regions, contents) in BAS_TABLES.items():
        dims = {"Region": regions, "Kon": BAS_DIMS["Kon"], "UtbNiv": BAS_DIMS["UtbNiv"],
                "BakgrVar": BAS_DIMS["BakgrVar"], "ContentsCode": [contents, "000007ZZ"], "Tid": BAS_DIMS["Tid"]}
        httpserver.expect_request(f"/api/v2/tables/{table}/metadata").respond_with_json(
            jsonstat(dims, None, table, labels=BAS_LABELS))

        def data(request, table=table, dims=dims):
            sel = {s["variableCode"]: s["valueCodes"] for s in json.loads(request.data)["selection"]}
            requests_seen.append((table, sel))
            order = {d: sel[d] for d in dims}
            values, status = [], {}
            for i, (r, k, _u, b, _c, t) in enumerate(pd.MultiIndex.from_product(list(order.values()))):
                group = "utrikes_fodda" if b == "SAMUTF" else "inrikes_fodda"
                v = bas[("sysselsattningsgrad", group, pxweb.from_scb(r), int(t))]
                values.append(v + {"1+2": 0.0, "2": -1.5, "1": 1.5}[k])
                if (r, k, t) == ("1081", "2", "2024"):
                    status[str(i)] = "B"
            return Response(json.dumps(jsonstat(order, values, table, status, labels=BAS_LABELS)),
                            content_type="application/json")

        httpserver.expect_request(f"/api/v2/tables/{table}/data", method="POST").respond_with_handler(data)


@pytest.fixture()
def scb_catalogue(project):
    """The project's catalogue with an SCB PxWebApi source declared for ohälsotal (test tables TAB9000–2)."""
    path = project.catalogue_path
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    ind = next(i for i in raw["indicators"] if i["id"] == "ohalsotal")
    vote = next(i for i in raw["indicators"] if i["id"] == "valdeltagande_kf")
    del vote["source"]["pxweb"]  # its SCB tables are tested in tests/data/sources/test_pxweb.py
    ind["levels"] = ["kommun", "lan", "riket"]  # test tables with a pooled group at every level
    ind["groups"] = {"utrikes": {"label": "utrikes födda", "series": "UTR"},
                     "inrikes": {"label": "inrikes födda", "series": "INR"}}
    ind["source"]["pxweb"] = {
        "tables": {"kommun": "TAB9000", "lan": "TAB9001", "riket": "TAB9002"},
        "contents": "OHT01",
        "sex": {"dimension": "Kon", "codes": {"T": "1+2", "K": "2", "M": "1"}},
        "group": {"dimension": "Fodelseregion", "codes": {"utrikes": "UTR", "inrikes": "INR"}},
    }
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    load_catalogue.cache_clear()
    yield load_catalogue(project.root)
    load_catalogue.cache_clear()


def run(project, httpserver, **kw):
    kw.setdefault("years", YEARS)
    return fetch("10", config=project, kolada_url=httpserver.url_for("/v3"),
                 pxweb_url=httpserver.url_for("/api/v2"), cache=False, sleep=lambda s: None, retries=2, **kw)


@pytest.mark.slow
def test_fetch_keeps_snapshots_with_provenance_and_rebuilds(project, scb_catalogue, httpserver, root):
    kolada_handler(httpserver, bas_values(root))
    seen = []
    scb_handler(httpserver, seen)
    scb_bas_handler(httpserver, bas_values(root), seen)
    res = run(project, httpserver)
    states = {o.source: o.state for o in res.outcomes}
    assert states == {"Kolada": "hämtad", "SCB PxWebApi": "hämtad"}

    # every response is a raw snapshot with a complete, verified sidecar
    kolada_files = snapshot_files(project.raw_dir / "kolada" / "lan-10", "*.json")
    scb_files = snapshot_files(project.raw_dir / "scb-pxweb" / "lan-10", "*.json")
    assert len(kolada_files) > 1 and len(scb_files) == len(seen) > 3  # paged / split by maxDataCells
    for path in kolada_files + scb_files:
        meta = load_snapshot(path).meta  # verifies sha256
        assert meta["url"].startswith("http://") and meta["retrieved"] and meta["licence"]
    scb_meta = load_snapshot(scb_files[0]).meta
    assert scb_meta["table"].startswith("TAB9") and json.loads(scb_meta["query"])["selection"]
    assert not list(project.raw_dir.glob(".staging-*")) and not list(project.raw_dir.glob(".backup-*"))

    geo = load_geography(project.root)
    data = load_tidy(project.data_path, scb_catalogue, geo)
    syss = data[(data["indicator"] == "sysselsattningsgrad") & (data["geo_code"] == "1081") & (data["year"] == 2024)]
    assert set(syss["sex"]) == {"T", "K", "M"}  # SCB's integration table adds the split by sex
    t = syss[syss["sex"] == "T"].set_index("group")["value"]
    assert round(t["inrikes"] - t["utrikes"], 1) == 24.4
    assert syss["source"].str.contains("TAB6383").all() and not syss["example"].any()
    assert syss.set_index(["sex", "group"]).loc[("K", "utrikes"), "flag"] == "B"  # SCB's status kept
    contents = {table: sel["ContentsCode"] for table, sel in seen if table in BAS_TABLES}
    assert contents == {"TAB6383": ["000007K3"], "TAB6384": ["000007KE"]}  # the län's resolved from its label
    early = data[(data["indicator"] == "sysselsattningsgrad") & (data["geo_code"] == "1081") & (data["year"] == 2021)]
    assert early["source"].str.contains("via Kolada").all()  # before the SCB tables start (2022): Kolada
    gaps = compute_gaps(data, scb_catalogue)
    g = gaps[(gaps["indicator"] == "sysselsattningsgrad") & (gaps["geo_code"] == "1081")
             & (gaps["year"] == 2024) & (gaps["sex"] == "T")]
    assert g["gap"].round(1).item() == -24.4

    # SFI now real for the kommuner (Kolada), ohälsotal real from SCB; a '..' stays a symbol, never 0
    sfi = data[data["indicator"] == "sfi_minst_tva_kurser"]
    assert not sfi[sfi["geo_code"].str.startswith("10")]["example"].any()
    missing = sfi[(sfi["geo_code"] == "1083") & (sfi["year"] == 2019)]
    assert missing["status"].item() == ".." and missing["value"].isna().item()
    oht = data[(data["indicator"] == "ohalsotal") & (data["geo_code"].isin(["1081", "0010", "0000"]))]
    assert not oht["example"].any() and set(oht["sex"]) == {"T", "K", "M"}
    assert "0880" not in set(data[data["indicator"] == "ohalsotal"]["geo_code"])  # only the asked county
    gone = data[(data["indicator"] == "ohalsotal") & (data["geo_code"] == "1083") & (data["year"] == 2019)
                & (data["group"] == "utrikes")]
    assert set(gone["status"]) == {".."}

    # --offline rebuilds the same table from the snapshots just saved
    before = project.data_path.read_bytes()
    off = fetch("10", years=YEARS, config=project, offline=True)
    assert {o.state for o in off.outcomes} == {"offline"}
    assert project.data_path.read_bytes() == before


@pytest.mark.parametrize("broken_page,error", [(2, SchemaChanged), (3, AnalysisError)])
def test_bad_response_leaves_data_untouched(project, httpserver, root, broken_page, error):
    kolada_handler(httpserver, bas_values(root), broken_page=broken_page)
    before = tree_digest(project.root / "data")
    with pytest.raises(error) as exc:
        run(project, httpserver)
    assert str(exc.value).startswith("Kolada: ")
    if broken_page == 2:
        assert "values[0].values[0].gender" in str(exc.value)
    else:
        assert "inte giltig JSON" in str(exc.value)
    assert tree_digest(project.root / "data") == before  # nothing half-written, no staging left


@pytest.mark.parametrize("poison, needle", [("1e999", "'inf' är inget ändligt tal"),
                                           ("-5", "är negativt"), ("250.5", "kan inte vara över 100")])
def test_impossible_fetched_values_are_rejected_before_staging(project, httpserver, root, poison, needle):
    kolada_handler(httpserver, bas_values(root), poison=poison)
    before = tree_digest(project.root / "data")
    with pytest.raises(DataValidationError) as exc:
        run(project, httpserver)
    assert exc.value.source.startswith("Kolada, svar 2")
    assert any(needle in p for p in exc.value.problems), exc.value.problems
    assert tree_digest(project.root / "data") == before  # nothing staged, nothing swapped in


@pytest.mark.slow
def test_unreachable_source_falls_back_to_saved_snapshots_and_says_so(project, httpserver, root):
    kolada_handler(httpserver, bas_values(root))
    run(project, httpserver)
    table = project.data_path.read_bytes()
    httpserver.clear()
    kolada_handler(httpserver, bas_values(root), status=503)
    res = run(project, httpserver)
    kol = next(o for o in res.outcomes if o.source == "Kolada")
    assert kol.state == "ej nåbar"
    assert "serverfel HTTP 503" in kol.message and "använder" in kol.message and "sparade" in kol.message
    assert project.data_path.read_bytes() == table  # the saved snapshots are still used


def test_offline_rebuilds_the_embedded_dataset(project, root):
    res = fetch(config=project, offline=True)
    assert all(o.state in ("offline", "inget att hämta") for o in res.outcomes)
    assert project.data_path.read_bytes() == (root / "data/tidy/integration.csv").read_bytes()


def test_cli_fetch_offline_and_bad_years(project, monkeypatch):
    monkeypatch.setenv("ANALYSIS_ROOT", str(project.root))
    runner = CliRunner()
    ok = runner.invoke(app, ["fetch", "--offline", "--county", "10", "--years", "2019-2024"])
    assert ok.exit_code == 0, ok.output
    assert "Kolada: offline" in ok.output and "Datamängden byggdes om" in ok.output
    bad = runner.invoke(app, ["fetch", "--offline", "--years", "tjugo"])
    assert bad.exit_code == 2 and "Ogiltiga år" in bad.output and "Traceback" not in bad.output


def test_parse_years():
    assert parse_years("2019–2021") == [2019, 2020, 2021]
    assert parse_years("2024,2022") == [2022, 2024]


@pytest.mark.slow
def test_failing_rebuild_rolls_the_new_snapshots_back(project, httpserver, root, monkeypatch):
    kolada_handler(httpserver, bas_values(root))
    run(project, httpserver)  # saved snapshots for län 10
    before = tree_digest(project.root / "data")

    def broken(*args, **kwargs):
        raise AnalysisError("rebuild failed")

    monkeypatch.setattr("analysis.data.fetch.build_dataset", broken)
    httpserver.clear()  # new figures this time, so swapped-in snapshots would differ from the saved ones
    kolada_handler(httpserver, {k: v + 1.0 for k, v in bas_values(root).items()})
    with pytest.raises(AnalysisError, match="rebuild failed"):
        run(project, httpserver)
    assert tree_digest(project.root / "data") == before  # the earlier snapshots are back, nothing half-written
