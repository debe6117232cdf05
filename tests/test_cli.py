import json

import pytest

from typer.testing import CliRunner

from analysis.cli import app

runner = CliRunner()


@pytest.mark.slow
def test_gaps_ronneby_real_and_example_rows():
    r = runner.invoke(app, ["gaps", "--municipality", "1081", "--year", "2024"])
    assert r.exit_code == 0, r.output
    assert "Sysselsättningsgrad 20–64 år" in r.output
    assert "−24,4 pe (sämre)" in r.output and "59,2\u00a0%" in r.output and "83,6\u00a0%" in r.output
    assert "−20,0 pe (sämre)" in r.output and "−14,4 pe (sämre)" in r.output  # one sign: utrikes − inrikes
    assert "+18,8 pe (sämre)" in r.output  # arbetslöshet Ronneby 24,0 − 5,2
    assert "EXEMPEL" in r.output and "verklig" in r.output


@pytest.mark.slow
def test_gaps_machine_formats():
    r = runner.invoke(app, ["gaps", "-m", "Ronneby", "--year", "2024", "--sex", "T", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    syss = next(x for x in rows if x["indicator"] == "sysselsattningsgrad" and x["geo_code"] == "1081")
    assert round(syss["disadvantage"], 1) == 24.4 and syss["example"] is False
    assert "Kolada" not in syss["source"] and "egen bearbetning" in syss["source"]
    assert any(x["example"] for x in rows)
    r = runner.invoke(app, ["gaps", "-m", "1081", "--format", "csv", "--sex", "T"])
    assert r.output.splitlines()[0].startswith("indicator,title,")
    assert ",1081,Ronneby," in r.output


def test_unknown_municipality_is_a_clear_error():
    r = runner.invoke(app, ["gaps", "-m", "Solvesborgh"])
    assert r.exit_code == 2
    assert "1083 Sölvesborg" in r.output and "Traceback" not in r.output


def test_validate_lists_every_problem_without_traceback(tmp_path):
    p = tmp_path / "broken.csv"
    p.write_text(
        "indicator,geo_code,year,sex,group,age_band,value,status,source,example\n"
        "sysselsattningsgrad,880,2024,T,utrikes,20-64,61.0,,SCB,false\n"
        "sysselsattningsgrad,0880,24x,X,utrikes,20-64,61.0,,SCB,false\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["validate", str(p)])
    assert r.exit_code == 2  # the one exit code for user errors
    assert "Traceback" not in r.output
    for needle in ("rad 2, kolumn geo_code", "rad 3, kolumn sex", "rad 3, kolumn year"):
        assert needle in r.output


def test_validate_ok(config):
    r = runner.invoke(app, ["validate", str(config.data_path)])
    assert r.exit_code == 0 and "OK" in r.output


def test_indicators_listing():
    r = runner.invoke(app, ["indicators", "--format", "csv"])
    assert r.exit_code == 0
    assert "sysselsattningsgrad" in r.output and "N02268,N02269" in r.output


import pytest  # noqa: E402

from analysis.cli import USER_ERROR  # noqa: E402

LONG = "x" * 300 + ".csv"


@pytest.mark.parametrize("args, needle", [
    (["render", "--jobs", "0"], "--jobs: måste vara minst 1"),
    (["render", "--jobs", "-1"], "--jobs: måste vara minst 1"),
    (["render", "--format", ""], "--format ''"),
    (["render", "--format", "doc"], "doc"),
    (["fetch", "--timeout", "-1"], "--timeout -1: måste vara större än 0"),
    (["fetch", "--timeout", "0"], "--timeout 0"),
    (["fetch", "--kolada-url", "file:///etc/passwd"], "http:// eller https://"),
    (["fetch", "--scb-url", "not a url"], "http:// eller https://"),
    (["fetch", "--retries", "x"], "--retries: ange ett heltal"),
    (["validate", LONG], "filnamnet är för långt"),
    (["validate", "/finns/inte.csv"], "Filen finns inte"),
    (["validate"], "argumentet FIL saknas"),
    (["validate", "a.csv", "b.csv"], "oväntat argument: b.csv"),
    (["gaps"], "--municipality saknas"),
    (["gaps", "-m", "1081", "--year", "abc"], "--year: ange ett heltal"),
    (["gaps", "-m", "1081", "--format", "xml"], "'xml' är inte ett av"),
    (["gaps", "-m", "1081", "--year", "1800"], "inget möjligt rapportår"),
    (["gaps", "-m", "1081", "--year", "12345678901234567890"], "inget möjligt rapportår"),
    (["gaps", "-m", "1081", "--year", "2030"], "inga uppgifter för 2030 för Ronneby (1081)"),
    (["gaps", "-m", "0880", "--year", "2019"], "inga uppgifter för 2019 för Kalmar (0880)"),
    (["render", "--bogus"], "okänd flagga --bogus"),
    (["nosuch"], "okänt kommando 'nosuch'"),
    (["import", "x.csv", "--url", "javascript:alert(1)"], "http:// eller https://"),
])
def test_bad_arguments_are_one_swedish_line_with_the_user_error_code(args, needle):
    r = runner.invoke(app, args)
    assert r.exit_code == USER_ERROR, r.output
    assert needle in r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip() and ln != "Inget i data/ ändrades."]
    assert len(lines) == 1 and lines[0].startswith("Fel:"), r.output
    assert "Traceback" not in r.output and "Usage" not in r.output and "╭" not in r.output


def test_build_data_output_folder_and_unwritable_paths(tmp_path):
    r = runner.invoke(app, ["build-data", "--output", str(tmp_path)])
    assert r.exit_code == USER_ERROR and "är en mapp" in r.output
    locked = tmp_path / "låst"
    locked.mkdir(mode=0o500)
    r = runner.invoke(app, ["build-data", "--output", str(locked / "x.csv")])
    if not __import__("os").access(locked, __import__("os").W_OK):  # root may write anyway
        assert r.exit_code == USER_ERROR and "saknar behörighet" in r.output
    assert "Traceback" not in r.output


def test_non_data_files_are_refused(tmp_path):
    side = tmp_path / "x.csv.source.yml"
    side.write_text("title: x\n", encoding="utf-8")
    r = runner.invoke(app, ["validate", str(side)])
    assert r.exit_code == USER_ERROR and "härkomstfil" in r.output
    r = runner.invoke(app, ["import", str(side)])
    assert r.exit_code == USER_ERROR and "härkomstfil" in r.output
    fake = tmp_path / "zip.xlsx"
    import zipfile

    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    r = runner.invoke(app, ["validate", str(fake)])
    assert r.exit_code == USER_ERROR and "ingen Excelarbetsbok" in r.output and "Traceback" not in r.output


def test_render_into_a_folder_that_cannot_be_written(project, monkeypatch, tmp_path):
    blocker = tmp_path / "en-fil"
    blocker.write_text("x", encoding="utf-8")
    yml = project.root / "analysis.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("output_dir: reports", f"output_dir: {blocker}/rapporter"),
                   encoding="utf-8")
    monkeypatch.setenv("ANALYSIS_ROOT", str(project.root))
    from analysis.config import load_config

    load_config.cache_clear()
    try:
        r = runner.invoke(app, ["render", "-m", "1081", "-f", "html"])
    finally:
        load_config.cache_clear()
    assert r.exit_code == USER_ERROR, r.output
    assert "Rapportmappen" in r.output and "inte en mapp" in r.output and "Traceback" not in r.output


def test_a_map_that_no_longer_matches_the_geography_stops_render_and_index_at_once(project, monkeypatch):
    """A kommun that changed code in the map: one Swedish error before any work, for `render` and `index`."""
    from analysis.data.provenance import load_snapshot, write_sidecar

    geo = project.root / "data" / "raw" / "geo" / "kommuner_2pct.geojson"
    meta = load_snapshot(geo).meta
    data = json.loads(geo.read_text(encoding="utf-8"))
    next(f for f in data["features"] if f["properties"]["id"] == "1081")["properties"]["id"] = "1099"
    geo.write_text(json.dumps(data), encoding="utf-8")
    write_sidecar(geo, meta)
    monkeypatch.setenv("ANALYSIS_ROOT", str(project.root))
    for args in (["render", "-m", "1060", "-f", "html"], ["index"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, r.output
        assert "kommunkoden 1099 (Ronneby) finns inte bland kommunerna" in " ".join(r.output.split()), r.output
        assert "Traceback" not in r.output
    assert not (project.root / "reports").exists()  # nothing created
