"""Kolada v3 /municipality_groups against a local server (responses in the documented shape), and the
report using a chosen Kolada group instead of the SKR kommungrupp."""

import json

import pytest
import yaml
from werkzeug import Response

from analysis.config import load_config
from analysis.errors import AnalysisError
from analysis.compute.groups import load_grouping
from analysis.data.sources.http import SchemaChanged
from analysis.data.sources.kolada_groups import fetch_groups
from api_responses import kolada_page

# Made-up test groups in the documented shape: {"id", "title", "members": [{"id", "title"}]}.
MEMBERS = ["1060", "0860", "1273", "0765", "1445", "0617", "2104"]


def _group(gid, title, codes, geography):
    return {"id": gid, "title": title, "members": [{"id": c, "title": geography.area(c).name} for c in codes]}


def _serve(httpserver, pages):
    def handler(request):
        page = int(request.args.get("page", "1"))
        body = dict(pages[page - 1])
        if page < len(pages):
            body["next_url"] = httpserver.url_for("/v3/municipality_groups") + f"?page={page + 1}"
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/v3/municipality_groups").respond_with_handler(handler)
    return httpserver.url_for("/v3")


def test_fetch_follows_next_url_and_keeps_snapshots_with_provenance(project, geography, httpserver):
    pages = [kolada_page([_group("GT0001", "Liknande kommuner test, Ronneby", MEMBERS, geography)]),
             kolada_page([_group("GT0002", "Liknande kommuner test, Karlshamn", MEMBERS[:3], geography)])]
    url = _serve(httpserver, pages)
    res = fetch_groups(project, geography, title="Liknande kommuner", base_url=url, cache=False,
                       sleep=lambda s: None)
    assert set(res.groups) == {"GT0001", "GT0002"} and res.groups["GT0001"].members == tuple(sorted(MEMBERS))
    assert len(res.files) == 2 and all(f.with_name(f.name + ".source.yml").is_file() for f in res.files)
    side = yaml.safe_load(res.files[0].with_name(res.files[0].name + ".source.yml").read_text(encoding="utf-8"))
    assert side["producer"] == "RKA/Kolada" and "title=Liknande+kommuner" in side["url"]
    assert side["sha256"] and side["retrieved"]
    saved = json.loads(res.files[0].read_bytes())  # what the server sent, next_url included
    assert saved["values"] == pages[0]["values"] and saved["next_url"].endswith("page=2")


def test_a_changed_response_writes_nothing(project, geography, httpserver):
    url = _serve(httpserver, [{"count": 1, "values": [{"id": "GT1", "title": "utan medlemmar"}]}])
    with pytest.raises(SchemaChanged, match="members"):
        fetch_groups(project, geography, title="x", base_url=url, cache=False, sleep=lambda s: None)
    assert not (project.raw_dir / "kolada-groups" / "x").exists()


def test_unknown_member_codes_are_listed(project, geography, httpserver):
    bad = {"id": "GT9", "title": "t", "members": [{"id": "999", "title": "?"}, {"id": "1081", "title": "Ronneby"}]}
    url = _serve(httpserver, [kolada_page([bad])])
    with pytest.raises(AnalysisError, match="'999' är ingen kommunkod"):
        fetch_groups(project, geography, title="t", base_url=url, cache=False, sleep=lambda s: None)


def _use_kolada(project, folder, groups):
    path = project.root / "analysis.yml"
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    cfg["kommungrupp"].update(source="kolada", kolada={"snapshot": str(folder), "groups": groups})
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    load_config.cache_clear()
    return load_config(project.root)


@pytest.mark.slow
def test_configured_kolada_group_replaces_the_skr_group_in_the_report(project, geography, httpserver, monkeypatch):
    from analysis.present.report import Report
    from analysis.compute.results import load_results

    url = _serve(httpserver, [kolada_page([_group("GT0001", "Liknande kommuner test, Ronneby", MEMBERS, geography)])])
    res = fetch_groups(project, geography, title="Liknande kommuner", base_url=url, cache=False, sleep=lambda s: None)
    cfg = _use_kolada(project, res.folder.relative_to(project.root), {"1081": "GT0001"})
    grouping = load_grouping(cfg, geography)
    assert grouping.group_of("1081").id == "GT0001" and grouping.group_of("1082").id == "C6"  # others keep SKR
    results = load_results(config=cfg)
    report = Report("1081", 2024, static_images=False, results=results)
    ind = report.catalogue.get("sysselsattningsgrad")
    t = results.tidy
    vals = t[(t["indicator"] == ind.id) & (t["year"] == 2024) & (t["sex"] == "T") & (t["group"] == "utrikes")
             & t["geo_code"].isin(MEMBERS)]["value"]
    assert len(vals) == len(MEMBERS)
    gv = report.level("kommungrupp").group_value(ind, "utrikes")
    assert gv["value"] == pytest.approx(vals.mean()) and gv["n"] == len(MEMBERS)
    assert "gruppen Liknande kommuner test, Ronneby" in report.narrative(ind)
    shown = []
    monkeypatch.setattr("analysis.present.comparison.show_markdown", shown.append)
    report.level("kommungrupp").show_overview()
    assert "Koladas kommungrupp Liknande kommuner test, Ronneby (id GT0001)" in shown[0]
    assert all(geography.area(c).name in shown[0] for c in MEMBERS)  # members listed
    # Ronneby is not a member of the test group but is placed among its kommuner
    p = report.level("kommungrupp").position(ind)
    assert p["n_group"] == len(MEMBERS) + 1


def test_unknown_configured_group_is_one_clear_error(project, geography, httpserver):
    url = _serve(httpserver, [kolada_page([_group("GT0001", "t", MEMBERS, geography)])])
    res = fetch_groups(project, geography, title="t", base_url=url, cache=False, sleep=lambda s: None)
    cfg = _use_kolada(project, res.folder.relative_to(project.root), {"1081": "GT4242"})
    with pytest.raises(AnalysisError, match="okänd grupp .*GT4242"):
        load_grouping(cfg, geography)


def test_cli_lists_the_fetched_groups_and_says_how_to_use_one(project, geography, httpserver, monkeypatch):
    from typer.testing import CliRunner

    from analysis.cli import app

    url = _serve(httpserver, [kolada_page([_group("GT0001", "Liknande kommuner test, Ronneby", MEMBERS, geography)])])
    monkeypatch.setenv("ANALYSIS_ROOT", str(project.root))
    load_config.cache_clear()
    r = CliRunner().invoke(app, ["fetch-groups", "--title", "Liknande kommuner", "--kolada-url", url, "--no-cache"])
    assert r.exit_code == 0, r.output
    assert "GT0001" in r.output and "Liknande kommuner test, Ronneby" in r.output and "source: kolada" in r.output
    r = CliRunner().invoke(app, ["fetch-groups"])
    assert r.exit_code != 0 and "ange --title" in r.output and "Traceback" not in r.output
