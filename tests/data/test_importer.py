
import pandas as pd
import pytest

from analysis.data.build import build_dataset
from analysis.data.contract import load_tidy
from analysis.errors import AnalysisError, DataValidationError
from analysis.data.importer import import_file


def kalmar_file(config, path):
    """Test file for Kalmar län's kommuner (generated example values, flagged as such)."""
    t = build_dataset(config, county="08").table
    t = t[t["geo_code"].str.startswith("08") | (t["geo_code"] == "0008")]
    t.to_csv(path, index=False)
    return t


@pytest.mark.slow
def test_import_kalmar_keeps_leading_zeros_and_provenance(project, catalogue, geography, tmp_path):
    src = tmp_path / "kalmar.csv"
    rows = kalmar_file(project, src)
    rep = import_file(src, producer="Länsstyrelsen Kalmar län (test)", config=project)
    assert rep.rows == len(rows)
    assert rep.snapshot.parent.name == "import" and rep.snapshot.with_name(rep.snapshot.name + ".source.yml").is_file()
    data = load_tidy(project.data_path, catalogue, geography)
    assert {"0880", "0821", "0008"} <= set(data["geo_code"])
    # a rebuild from data/raw gives the same table (imports are raw snapshots too)
    assert len(build_dataset(project).table) == len(data)


@pytest.mark.slow
def test_import_replaces_example_rows_and_reports_them(project, catalogue, geography, tmp_path):
    src = tmp_path / "ronneby_sfi.xlsx"
    pd.DataFrame([
        {"indicator": "sfi_godkanda", "geo_code": "1081", "year": 2024, "sex": "T", "group": "total",
         "age_band": "16+", "value": 77.7, "status": "", "source": "Ronneby kommun, egen uppföljning",
         "example": "false"},
    ]).to_excel(src, index=False)
    rep = import_file(src, producer="Ronneby kommun", config=project)
    assert rep.replaced_example.to_dict("records") == [{"indicator": "sfi_godkanda", "geo_code": "1081", "rows": 1}]
    data = load_tidy(project.data_path, catalogue, geography)
    row = data[(data.indicator == "sfi_godkanda") & (data.geo_code == "1081") & (data.year == 2024)]
    assert len(row) == 1 and row["value"].iloc[0] == 77.7 and not row["example"].iloc[0]


def test_invalid_import_changes_nothing(project, tmp_path):
    before = project.data_path.read_bytes()
    src = tmp_path / "bad.csv"
    src.write_text("indicator,geo_code,year,sex,group,age_band,value,status,source,example\n"
                   "sfi_godkanda,881,2024,T,total,16+,80,,x,false\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="rad 2, kolumn geo_code"):
        import_file(src, producer="x", config=project)
    assert project.data_path.read_bytes() == before
    assert not (project.raw_dir / "import").exists() or not list((project.raw_dir / "import").iterdir())


@pytest.mark.slow
def test_long_file_name_is_shortened_in_the_snapshot(project, tmp_path):
    src = tmp_path / ("ronneby_" + "x" * 236 + ".csv")  # 250 characters: fine for the file system, but with
    pd.DataFrame([{                                      # the import time stamp in front it would not be
        "indicator": "sfi_godkanda", "geo_code": "1081", "year": 2024, "sex": "T", "group": "total",
        "age_band": "16+", "value": 77.7, "status": "", "source": "Ronneby kommun", "example": "false"}
    ]).to_csv(src, index=False)
    rep = import_file(src, producer="Ronneby kommun", config=project)
    assert len(rep.snapshot.name) <= 120 and rep.snapshot.suffix == ".csv"


# ---------------------------------------------------------------- concurrency and faults (issue 22)

def _one_row(path, code="1081", value=77.7):
    pd.DataFrame([{"indicator": "sfi_godkanda", "geo_code": code, "year": 2024, "sex": "T", "group": "total",
                   "age_band": "16+", "value": value, "status": "", "source": "Egen", "example": "false"}]
                 ).to_csv(path, index=False)
    return path


def test_snapshots_of_the_same_file_in_the_same_second_get_names_in_import_order(project, tmp_path, monkeypatch):
    import datetime as real_dt

    from analysis.data import importer

    class Frozen(real_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return real_dt.datetime(2026, 12, 5, 8, 45, 0)

    monkeypatch.setattr(importer.dt, "datetime", Frozen)
    folder = project.raw_dir / "import"
    src = _one_row(tmp_path / "egna.csv")
    names = [importer.keep_snapshot(src, folder, {"title": "t", "producer": "p", "url": "u", "licence": "l"}).name
             for _ in range(3)]
    assert names == ["20261205T084500_egna.csv", "20261205T084501_egna.csv", "20261205T084502_egna.csv"]
    assert names == sorted(names)  # later imports win in name order


@pytest.mark.slow
def test_a_failed_rebuild_removes_only_its_own_snapshot_and_leaves_no_temporary_file(project, tmp_path,
                                                                                       monkeypatch):
    import errno

    first = import_file(_one_row(tmp_path / "a.csv", "1081", 70.0), producer="A", config=project)
    before = project.data_path.read_bytes()
    real = pd.DataFrame.to_csv

    def full_disk(self, path=None, *args, **kw):
        if path is not None and str(path).endswith(".tmp"):
            real(self, path, *args, **kw)  # half written …
            raise OSError(errno.ENOSPC, "No space left on device")  # … then the disk is full
        return real(self, path, *args, **kw)

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    with pytest.raises(AnalysisError, match="integration.csv: kan inte skrivas \\(disken är full\\)"):
        import_file(_one_row(tmp_path / "b.csv", "1082", 60.0), producer="B", config=project)
    assert project.data_path.read_bytes() == before
    kept = sorted(p.name for p in (project.raw_dir / "import").iterdir())
    assert kept == [first.snapshot.name, first.snapshot.name + ".source.yml"]  # the other run's snapshot stays
    assert not [p for p in project.data_path.parent.iterdir() if p.name != project.data_path.name]


def test_an_import_while_another_run_writes_data_names_it_and_changes_nothing(project, tmp_path, monkeypatch):
    import subprocess
    import sys

    from analysis.locks import TIMEOUT_ENV

    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from analysis import locks\n"
        "with locks.data_lock(Path(sys.argv[1]), command='analysis fetch'):\n"
        "    print('held', flush=True); time.sleep(60)"), str(project.root)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = project.data_path.read_bytes()
        monkeypatch.setenv(TIMEOUT_ENV, "0")
        with pytest.raises(AnalysisError, match=f"data/ används av pid {holder.pid} \\('analysis fetch', sedan "):
            import_file(_one_row(tmp_path / "egna.csv"), producer="x", config=project)
        assert project.data_path.read_bytes() == before and not (project.raw_dir / "import").exists()
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.e2e
def test_two_imports_started_together_lose_nothing(project, tmp_path):
    """Real processes: `analysis import` twice at once, three rounds; every snapshot kept with its sidecar, and
    the tidy table equals a rebuild from the raw snapshots each time (scripts/concurrent_imports.py: 20 rounds)."""
    import os
    import re
    import subprocess
    import sys

    env = {**os.environ, "ANALYSIS_ROOT": str(project.root)}
    files = [_one_row(tmp_path / "egna-0.csv", "1081", 71.5), _one_row(tmp_path / "egna-1.csv", "1082", 64.25)]
    cli = [sys.executable, "-m", "analysis.cli"]
    for r in range(1, 4):
        procs = [subprocess.Popen([*cli, "import", str(f)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for f in files]
        outs = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        reported = [re.search(r"sparad som (\S+) \(med", " ".join(o.split())).group(1) for o, _ in outs]
        assert all(os.path.isfile(s) and os.path.isfile(s + ".source.yml") for s in reported)
        snaps = [p for p in (project.raw_dir / "import").iterdir() if not p.name.endswith(".source.yml")]
        assert len(snaps) == 2 * r
        rebuilt = tmp_path / "rebuilt.csv"
        subprocess.run([*cli, "build-data", "--output", str(rebuilt)], env=env, check=True, capture_output=True)
        assert rebuilt.read_bytes() == project.data_path.read_bytes()
    assert not [p for p in project.root.rglob("*.tmp")]
