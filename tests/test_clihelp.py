"""Every help screen of the `analysis` command is Swedish (analysis.clihelp)."""

import re

import pytest
from typer.testing import CliRunner

from analysis import clihelp
from analysis.cli import app

COMMANDS = [[], ["indicators"], ["gaps"], ["validate"], ["build-data"], ["fetch"], ["fetch-groups"], ["import"],
            ["areas"], ["render"], ["handlingsplan"], ["handlingsplan", "mall"], ["handlingsplan", "kontrollera"],
            ["handlingsplan", "import"]]
ENGLISH = ("Usage", "Options", "Arguments", "Commands", "Show this message", "[default", "[required]", "[OPTIONS]",
           "COMMAND", "[ARGS]", "<bool>", "<int", "<str>", "<path>", "list[", "x>=", "Output file", "or json")


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "analysis")
def test_help_is_swedish(args):
    r = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"})
    assert r.exit_code == 0, r.output
    text = r.output
    assert "Användning: analysis" in text and "Visa den här hjälpen och avsluta." in text
    assert "Flaggor" in text
    for word in ENGLISH:
        assert word not in text, (word, text)
    for line in text.splitlines():
        if re.search(r"--(all|force|offline|no-cache|help)\b", line):
            assert "<" not in line, line  # a flag takes no value: no type placeholder


def test_render_help_shows_swedish_types_and_ranges():
    text = CliRunner().invoke(app, ["render", "--help"], env={"COLUMNS": "200"}).output
    assert "<heltal> [minst 1]" in text and "<sökväg>" in text and "<text> …" in text


def test_swedish_defaults_and_durations():
    text = CliRunner().invoke(app, ["fetch", "--help"], env={"COLUMNS": "200"}).output
    assert "[standard: 30,0]" in text and "[miljövariabel: ANALYSIS_KOLADA_URL]" in text
    assert clihelp.seconds(34.56) == "34,6 s"


def test_type_labels():
    assert clihelp.type_label("<bool>", False) is None
    assert clihelp.type_label("<int>", True) is None
    assert clihelp.type_label("<int range>", False) == "<heltal>"
    assert clihelp.type_label("<list[str]>", False) == "<text> …"
    assert clihelp.type_label("<table|csv|json>", False) == "<table|csv|json>"
    assert clihelp.range_words("x>=1") == "minst 1" and clihelp.range_words("1<=x<=9") == "1–9"


def test_relative_paths_in_messages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert clihelp.relative_paths(f"{tmp_path}/data/x.csv: finns inte") == "data/x.csv: finns inte"
    assert clihelp.shown_path(tmp_path / "a" / "b.xlsx") == "a/b.xlsx"
    assert clihelp.shown_path("/elsewhere/c.csv") == "/elsewhere/c.csv"


def test_missing_file_is_named_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["validate", str(tmp_path / "saknas.csv")])
    assert r.exit_code == 2 and "saknas.csv" in r.output and str(tmp_path) not in r.output, r.output


def test_county_suggests_lan_not_kommun():
    r = CliRunner().invoke(app, ["areas", "--county", "99"])
    assert r.exit_code == 2 and "Okänt län" in r.output and "län?" in r.output, r.output
    assert "kommun" not in r.output.split("Menade du:")[-1] and "Ödeshög" not in r.output
    r = CliRunner().invoke(app, ["handlingsplan", "mall", "--county", "99"])
    assert r.exit_code == 2 and "Okänt län" in r.output and "Ödeshög" not in r.output, r.output


def test_municipality_suggests_kommuner_and_arguments_are_named_in_swedish():
    r = CliRunner().invoke(app, ["gaps", "-m", "99"])
    assert r.exit_code == 2 and "Menade du: 0509 Ödeshögs kommun?" in r.output, r.output
    assert "län" not in r.output.split("Menade du:")[-1]
    r = CliRunner().invoke(app, ["validate"])
    assert r.exit_code == 2 and "argumentet FIL saknas" in r.output, r.output
