import json

from typer.testing import CliRunner

from analysis.cli import app

runner = CliRunner()


def test_gaps_ronneby_real_and_example_rows():
    r = runner.invoke(app, ["gaps", "--municipality", "1081", "--year", "2024"])
    assert r.exit_code == 0, r.output
    assert "Sysselsättningsgrad 20–64 år" in r.output
    assert "+24,4 pe" in r.output and "59,2\u00a0%" in r.output and "83,6\u00a0%" in r.output
    assert "+20,0 pe" in r.output and "+14,4 pe" in r.output
    assert "+18,8 pe" in r.output  # arbetslöshet Ronneby 24,0 − 5,2
    assert "EXEMPEL" in r.output and "verklig" in r.output


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
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    for needle in ("line 2, column geo_code", "line 3, column sex", "line 3, column year"):
        assert needle in r.output


def test_validate_ok(config):
    r = runner.invoke(app, ["validate", str(config.data_path)])
    assert r.exit_code == 0 and "OK" in r.output


def test_indicators_listing():
    r = runner.invoke(app, ["indicators", "--format", "csv"])
    assert r.exit_code == 0
    assert "sysselsattningsgrad" in r.output and "N02268,N02269" in r.output
