"""`analysis sources`: the inventory of every indicator's source and data, and the live metadata check, tested
against recorded responses (Kolada's KPI catalogue rows and a recorded /kpi answer, SCB's recorded TAB6471
metadata) served by a local server."""

import copy
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from analysis.cli import app
from analysis.data import sources_check as sc
from analysis.domain.catalogue import Catalogue
from api_responses import jsonstat, recorded

CATALOGUE_ROWS = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "kolada_kpi_catalogue_2026-03_subset.csv"


def kpi_objects() -> list[dict]:
    """The recorded Kolada catalogue rows as KPI objects (v3 field names, booleans as the v3 API gives them)."""
    rows = pd.read_csv(CATALOGUE_ROWS, dtype=str, keep_default_na=False)
    return [{"id": r.id, "title": r.title, "municipality_type": r.municipality_type,
             "is_divided_by_gender": r.is_divided_by_gender == "True"} for r in rows.itertuples()]


def serve_kolada(httpserver, kpis: list[dict]):
    by_id = {k["id"]: k for k in kpis}

    def answer(request):
        from werkzeug import Response
        import json

        ids = request.path.rsplit("/", 1)[-1].split(",")
        values = [by_id[i] for i in ids if i in by_id]
        return Response(json.dumps({"count": len(values), "values": values}), content_type="application/json")

    import re
    httpserver.expect_request(re.compile(r"^/v3/kpi/.*")).respond_with_handler(answer)


BAS_LABELS = {"BakgrVar": {"SE": "födelseregion: Sverige", "SAMUTF": "samtliga utrikes födda"},
              "ContentsCode": {"000007K3": "Andel sysselsatta", "000007KE": "Andel sysselsatta"}}
VOTE_LABELS = {"Bakgrund": {"SE": "födelseregion: Sverige", "UTR": "samtliga utrikes födda"},
               "Kon": {"1+2": "män och kvinnor", "1": "män", "2": "kvinnor"},
               "ContentsCode": {"V3": "Valdeltagande i val till kommun, procent"}}


def serve_scb(httpserver, contents_kommun="000007K3"):
    for table, regions, contents in (("TAB6383", ["1081"], contents_kommun), ("TAB6384", ["10"], "000007KE")):
        httpserver.expect_request(f"/api/v2/tables/{table}/metadata").respond_with_json(jsonstat(
            {"Region": regions, "Kon": ["1", "2", "1+2"], "UtbNiv": ["000"], "BakgrVar": ["SE", "SAMUTF"],
             "ContentsCode": [contents], "Tid": ["2022", "2023", "2024"]}, None, table, labels=BAS_LABELS))
    for table, region in (("TAB4268", "10"), ("TAB4255", "00")):
        httpserver.expect_request(f"/api/v2/tables/{table}/metadata").respond_with_json(jsonstat(
            {"Region": [region], "Bakgrund": ["SE", "UTR"], "Kon": ["1+2", "1", "2"], "ContentsCode": ["V3"],
             "Tid": ["2018", "2022"]}, None, table, labels=VOTE_LABELS))


def apis(httpserver):
    return (sc.kolada.client(httpserver.url_for("/v3"), retries=0, sleep=lambda s: None),
            sc.pxweb.client(httpserver.url_for("/api/v2"), retries=0, sleep=lambda s: None))


def test_inventory_says_per_level_what_exists_here(catalogue, tidy, geography):
    rows = {r.indicator: r for r in sc.inventory(catalogue, tidy, geography)}
    assert rows["sysselsattningsgrad"].data == {"kommun": "verklig", "lan": "verklig", "riket": "verklig"}
    assert not rows["sysselsattningsgrad"].per_level["kommun"].by_sex  # BAS snapshot: both sexes only
    assert rows["god_halsa"].data == {"kommun": "verklig för 15 av 290, saknas för 275",
                                      "lan": "verklig för 1 av 21, saknas för 20", "riket": "verklig"}
    assert rows["god_halsa"].years == "2014, 2018, 2021" and "halsgodcfod (riket)" in rows["god_halsa"].ids
    assert rows["god_halsa"].per_level["kommun"].years == [2014, 2021]  # 2018: only län and riket
    assert rows["sfi_godkanda"].data == {"kommun": "exempel för 5 av 290, saknas för 285", "lan": "–", "riket": "–"}
    assert rows["sfi_godkanda"].per_level["kommun"].short == "exempel 5/290"
    assert rows["ohalsotal"].data == {"kommun": "–", "lan": "saknas", "riket": "–"}
    assert rows["valdeltagande_kf"].ids == "Kolada U65861, U65860; SCB TAB4268 (län), TAB4255 (riket)"
    assert "Skolverket export 402 (riket), 403 (län), 404 (kommun)" in rows["gymnasieexamen_4ar"].ids


def test_each_level_names_the_source_that_really_gives_it(catalogue, tidy, geography):
    """god_halsa: the figures at every level come from Region Dalarna's HLV compilation (the rows' own source);
    the producer's table by födelseland is declared for riket only; kommun and län have none."""
    health = {r.indicator: r for r in sc.inventory(catalogue, tidy, geography)}["god_halsa"].per_level
    for level in ("kommun", "lan", "riket"):
        assert len(health[level].given_by) == 1 and "Region Dalarna" in health[level].given_by[0]
        assert "ej kontrollerad mot Folkhälsomyndigheten" in health[level].given_by[0]
    assert health["riket"].declared == ["Folkhälsomyndigheten halsgodcfod"]
    assert health["kommun"].declared == [] and health["lan"].declared == []
    work = {r.indicator: r for r in sc.inventory(catalogue, tidy, geography)}["sysselsattningsgrad"].per_level
    assert all("Region Hallands" in work[lv].given_by[0] for lv in ("kommun", "lan", "riket"))
    assert work["kommun"].declared[:2] == ["SCB TAB6383 (från 2022)", "Kolada N02268, N02269 (före 2022)"]
    assert work["riket"].declared[0] == "Kolada N02268, N02269"
    vote = {r.indicator: r for r in sc.inventory(catalogue, tidy, geography)}["valdeltagande_kf"].per_level
    assert [vote[lv].declared for lv in ("kommun", "lan", "riket")] == [
        ["Kolada U65861, U65860"], ["SCB TAB4268"], ["SCB TAB4255"]]
    assert vote["kommun"].given_by == []  # example values name no source


def test_a_level_with_some_real_some_example_areas_counts_each(catalogue, tidy, geography):
    rows = tidy[tidy["indicator"] == "god_halsa"]
    extra = rows[rows["geo_code"] == "2080"].assign(geo_code="1081", example=True, source="")
    mixed = pd.concat([tidy, extra], ignore_index=True)
    health = {r.indicator: r for r in sc.inventory(catalogue, mixed, geography)}["god_halsa"].per_level["kommun"]
    assert health.status == "verklig för 15 av 290, exempel för 1, saknas för 274"
    assert health.short == "verklig 15/290, ex. 1"


def test_the_corrected_catalogue_matches_the_recorded_metadata(httpserver, catalogue):
    serve_kolada(httpserver, kpi_objects())
    serve_scb(httpserver)
    live = sc.check_live(catalogue, *apis(httpserver))
    assert live.checked and live.lines == []


def test_each_mismatch_is_one_line(httpserver, catalogue):
    """The catalogue as it was before issue 23: sfi for län and riket from a kommun-only KPI, a split by sex
    N18949 does not have, a ContentsCode the kommun table lacks, a KPI that does not exist."""
    kpis = kpi_objects()
    serve_kolada(httpserver, kpis)
    serve_scb(httpserver, contents_kommun="000007ZZ")
    inds = []
    for ind in catalogue:
        if ind.id in ("sfi_minst_tva_kurser", "sfi_godkanda"):
            ind = copy.replace(ind, levels=("kommun", "lan", "riket"), sex_split=True) if hasattr(copy, "replace") \
                else type(ind)(**{**ind.__dict__, "levels": ("kommun", "lan", "riket"), "sex_split": True})
        if ind.id == "arbetsloshet":
            ind = type(ind)(**{**ind.__dict__, "source": {**ind.source, "kolada": ["N02282", "N99999"]}})
        inds.append(ind)
    live = sc.check_live(Catalogue(catalogue.focus_areas, tuple(inds)), *apis(httpserver))
    assert live.checked
    assert "arbetsloshet: Kolada har inget nyckeltal N99999." in live.lines
    assert ("sfi_minst_tva_kurser: Kolada N18409 finns för kommuner (typ K), inte för län, riket som katalogen anger."
            in live.lines)
    assert "sfi_godkanda: Kolada N18949 är inte uppdelat efter kön, men katalogen anger sex_split: true." in live.lines
    assert any(line.startswith("sysselsattningsgrad: SCB TAB6383 (kommun): variabeln ContentsCode har varken koden "
                               "eller etiketten '000007K3'") for line in live.lines)
    assert len(live.lines) == 5  # N18409 (levels), N18949 (levels, sex), N99999, TAB6383


def test_recorded_v2_kpi_answer_is_read(httpserver):
    """The recorded Kolada answer (v2 field names, is_divided_by_gender 0/1): N02282/N02281 are type A, by sex."""
    import re
    httpserver.expect_request(re.compile(r"^/v3/kpi/.*")).respond_with_json(recorded("kpi_search_arbetsloshet.json"))
    from analysis.domain.catalogue import load_catalogue

    cat = load_catalogue()
    only = Catalogue(cat.focus_areas, (cat.get("arbetsloshet"),))
    assert sc.check_kolada(apis(httpserver)[0], only) == []


def test_recorded_scb_metadata_names_every_missing_code():
    meta = recorded("TAB6471_metadata.json")  # real SCB metadata: Region, Alder, Kon (1, 2, TotSa), ContentsCode, Tid
    spec = {"region": "Region", "time": "Tid", "contents": "000007SF", "tables": {"lan": "TAB6471"},
            "group": {"dimension": "Bakgrund", "codes": {"utrikes": "UTR"}},
            "sex": {"dimension": "Kon", "codes": {"T": "1+2", "K": "2"}}}
    problems = sc.table_problems(spec, meta, "lan")
    assert problems == ["variabeln Bakgrund finns inte (grupp utrikes); variabler: Region, Alder, Kon, ContentsCode, Tid",
                        "variabeln Kon har varken koden eller etiketten '1+2' (kön T)"]


def test_offline_says_in_one_line_that_it_cannot_check(catalogue):
    live = sc.check_live(catalogue, None, None)
    assert not live.checked and live.offline_line.startswith("Källorna kontrollerades inte mot Kolada och SCB")
    unreachable = sc.kolada.client("http://127.0.0.1:9/v3", retries=0, timeout=2, sleep=lambda s: None)
    scb = sc.pxweb.client("http://127.0.0.1:9/api/v2", retries=0, timeout=2, sleep=lambda s: None)
    live = sc.check_live(catalogue, unreachable, scb)
    assert not live.checked and "Kolada kunde inte nås" in live.offline_line and "\n" not in live.offline_line


def test_cli_prints_the_table_and_the_offline_line():
    r = CliRunner().invoke(app, ["sources", "--offline"])
    assert r.exit_code == 0, r.output
    flat = " ".join(r.output.split())
    assert "Källor (9 indikatorer): data per nivå" in flat  # the overview table
    assert "god_halsa – Självskattad god hälsa 16–84 år" in flat  # one block per indicator
    assert "Deklarerad: Folkhälsomyndigheten halsgodcfod." in flat
    assert "Källorna kontrollerades inte mot Kolada och SCB: körningen är offline (--offline)." in flat


def test_cli_fits_a_terminal_of_80_columns(monkeypatch):
    from rich.console import Console

    import analysis.cli as cli

    console = Console(width=80, record=True, soft_wrap=True, force_terminal=False)
    monkeypatch.setattr(cli, "out", console)
    r = CliRunner().invoke(app, ["sources", "--offline"])
    assert r.exit_code == 0, r.output
    text = console.export_text()
    widths = [len(line.rstrip()) for line in text.splitlines()]
    assert max(widths) <= 80, [line for line in text.splitlines() if len(line.rstrip()) > 80][:3]
    assert "Region Dalarnas" in text and "valdeltagande_kf" in text


def test_cli_against_a_mirror_with_the_recorded_metadata(httpserver):
    serve_kolada(httpserver, kpi_objects())
    serve_scb(httpserver)
    r = CliRunner().invoke(app, ["sources", "--kolada-url", httpserver.url_for("/v3"),
                                 "--scb-url", httpserver.url_for("/api/v2")])
    assert r.exit_code == 0, r.output
    assert "Alla nyckeltal, tabeller, koder och etiketter finns hos källorna." in " ".join(r.output.split())
