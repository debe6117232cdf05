"""The compute-once artefact: computed once per inputs, read back exactly, sliced per report."""
import pandas as pd
import pytest

import analysis.compute.artefact as artefact
from analysis.compute.artefact import ensure_artefact, open_results, report_codes, slice_digest
from analysis.domain.geography import load_geography
from analysis.compute.groups import load_grouping
from analysis.compute.results import load_results


@pytest.fixture()
def counted(monkeypatch):
    calls = []
    real = artefact.compute

    def compute(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(artefact, "compute", compute)
    return calls


@pytest.mark.slow
def test_computed_once_per_inputs(project, counted):
    first, computed = ensure_artefact(project, project.data_path, 2024)
    again, computed_again = ensure_artefact(project, project.data_path, 2024)
    assert computed and not computed_again and first == again and len(counted) == 1
    assert first.parent == project.root / ".cache" / "results"
    other, computed_other = ensure_artefact(project, project.data_path, 2023)  # another year: another key
    assert computed_other and other != first and len(counted) == 2


def _text_as_objects(df: pd.DataFrame) -> pd.DataFrame:
    """A computed frame as the artefact loads it: its text columns as Python strings (object dtype; the values
    and missing values unchanged), so a report's selections take rows from one block."""
    text = {c: object for c, t in df.dtypes.items() if pd.api.types.is_string_dtype(t) and t != object}
    return df.astype(text)


@pytest.mark.slow
@pytest.mark.parametrize("code", ["1081", "0010", "2580"])
def test_slice_equals_the_full_computation(project, code):
    """A report's slice of the artefact equals what load_results computes for its län (Norrbotten too)."""
    path, _ = ensure_artefact(project, project.data_path, 2024)
    res = open_results(path, code, 2024, config=project)
    county, codes = report_codes(code, load_geography(project.root))
    full = load_results(2024, county, config=project)
    for name in ("tidy", "gaps", "trends"):
        expected = getattr(full, name)
        expected = expected[expected["geo_code"].isin(codes)].reset_index(drop=True)
        pd.testing.assert_frame_equal(getattr(res, name), _text_as_objects(expected))
    groups = set(res.group_values["group_id"])
    assert full.grouping.by_kommun.get(codes[0], "B4") in groups
    for name in ("group_values", "group_gaps"):
        expected = getattr(full, name)
        expected = expected[expected["group_id"].isin(groups)].reset_index(drop=True)
        pd.testing.assert_frame_equal(getattr(res, name).reset_index(drop=True), _text_as_objects(expected))
    # every kommun's place in the report year: the strip plot shows them all
    expected = full.positions[full.positions["year"] == 2024].reset_index(drop=True)
    pd.testing.assert_frame_equal(res.positions, _text_as_objects(expected))
    assert res.baseline_year == full.baseline_year == 2022
    assert set(res.tidy["geo_code"]) <= set(codes) and codes[0] in set(res.tidy["geo_code"])


@pytest.mark.slow
def test_the_artefact_carries_the_validated_grouping(project, monkeypatch):
    """A report and the up-to-date check read the grouping from the artefact: the grouping file is validated
    once, when the artefact is computed."""
    path, _ = ensure_artefact(project, project.data_path, 2024)
    expected = load_grouping(project, load_geography(project.root))
    import analysis.compute.groups

    def forbidden(*a, **k):
        raise AssertionError("the grouping must not be validated again")

    monkeypatch.setattr(analysis.compute.groups, "validate_grouping", forbidden)
    artefact.read_grouping.cache_clear()
    got = open_results(path, "1081", 2024, config=project).grouping
    for field in ("title", "groups", "by_kommun", "method", "min_coverage", "note"):
        assert getattr(got, field) == getattr(expected, field), field
    assert [s.path for s in got.snapshots] == [s.path for s in expected.snapshots]
    assert got.snapshots[0].meta["caveats"] == expected.snapshots[0].meta["caveats"]
    slice_digest(path, "1081", load_geography(project.root))


@pytest.mark.slow
def test_reports_read_the_artefact_and_compute_nothing(project, monkeypatch):
    path, _ = ensure_artefact(project, project.data_path, 2024)

    def forbidden(*a, **k):
        raise AssertionError("a report must not compute results")

    import analysis.compute.gaps
    import analysis.present.county_report
    import analysis.compute.results

    for mod, name in ((analysis.compute.gaps, "compute_gaps"), (analysis.compute.gaps, "compute_trends"),
                      (analysis.compute.results, "load_results"), (analysis.present.report, "load_results")):
        monkeypatch.setattr(mod, name, forbidden)
    report = analysis.present.report.Report("1081", 2024, static_images=False, results_path=str(path))
    ind = report.catalogue.get("sysselsattningsgrad")
    assert "24,4" in report.headline(ind).replace("\u00a0", " ")
    county = analysis.present.county_report.CountyReport("10", 2024, static_images=False, results_path=str(path))
    assert len(county.side_by_side(ind)) == 5 + 2


@pytest.mark.slow
def test_one_changed_kommun_changes_only_its_slice_and_its_county(project):
    geo = load_geography(project.root)
    before, _ = ensure_artefact(project, project.data_path, 2024)
    tidy = pd.read_csv(project.data_path, dtype=str, keep_default_na=False)
    row = (tidy["geo_code"] == "1081") & (tidy["indicator"] == "sysselsattningsgrad") & (tidy["year"] == "2023")
    tidy.loc[row & (tidy["group"] == "utrikes"), "value"] = "61.0"  # not the report year: no strip plot moves
    tidy.to_csv(project.data_path, index=False)
    after, computed = ensure_artefact(project, project.data_path, 2024)
    assert computed and after != before
    codes = ("1080", "1081", "1082", "1060", "0010", "0880", "0008", "2580", "0025")
    changed = {c for c in codes if slice_digest(before, c, geo) != slice_digest(after, c, geo)}
    assert {"1081", "0010"} <= changed and "1080" not in changed

    def content(path, code):
        """What a report shows: its areas' rows, its kommuner's comparison groups and their own places."""
        res = open_results(path, code, 2024, config=project)
        _, own = report_codes(code, geo)
        groups = {res.grouping.by_kommun[c] for c in own if c in res.grouping.by_kommun}
        pos = res.positions[res.positions["year"] == 2024]
        strip = pos.loc[pos["sex"] == "T", ["indicator", "geo_code", "group_id", "measure"]]
        return [res.tidy, res.gaps, res.trends, pos[pos["geo_code"].isin(own)],
                *[getattr(res, t)[getattr(res, t)["group_id"].isin(groups)] for t in ("group_values", "group_gaps")],
                strip if len(code) == 4 and not code.startswith("00") else None]

    for code in codes:  # a report's checksum changes exactly when what it shows changes
        same = all((a is None and b is None) or a.equals(b) for a, b in zip(content(before, code), content(after, code)))
        assert same == (code not in changed), code


def test_year_without_data_is_an_error_and_nothing_is_cached(project):
    from analysis.errors import AnalysisError

    with pytest.raises(AnalysisError, match="inga uppgifter för 2031"):
        ensure_artefact(project, project.data_path, 2031)
    assert not list((project.root / ".cache" / "results").glob("*"))


@pytest.mark.slow
def test_a_batch_computes_in_a_child_process_and_gets_the_same_artefact(project, counted):
    from analysis.compute.artefact import ensure_artefact_in_child
    from analysis.errors import AnalysisError

    path, computed = ensure_artefact_in_child(project, project.data_path, 2024)
    assert computed and (path / "meta.json").is_file() and counted == []  # not computed in this process
    assert ensure_artefact(project, project.data_path, 2024) == (path, False)  # the key the run looks up
    assert ensure_artefact_in_child(project, project.data_path, 2024) == (path, False)
    with pytest.raises(AnalysisError, match="inga uppgifter för 2031"):  # its errors come back as they are
        ensure_artefact_in_child(project, project.data_path, 2031)
    assert not list((project.root / ".cache" / "results").glob(".tmp-*"))


# ---------------------------------------------------------------- a damaged artefact heals itself

@pytest.fixture(scope="module")
def good_artefact(root, tmp_path_factory):
    """One real artefact of the embedded data, computed once for these tests (in a copy of the project)."""
    import shutil

    from analysis.config import load_config

    copy = tmp_path_factory.mktemp("artefakt")
    shutil.copytree(root / "data", copy / "data")
    shutil.copy(root / "analysis.yml", copy / "analysis.yml")
    load_config.cache_clear()
    config = load_config(copy)
    path, _ = ensure_artefact(config, config.data_path, 2024)
    load_config.cache_clear()
    return path


@pytest.fixture()
def damaged(project, good_artefact, monkeypatch):
    """The project with the good artefact in its cache, and ``compute`` replaced by a copy of the good one's files
    (what a real computation writes for these inputs; the healing is tested here, the computation elsewhere)."""
    import shutil

    path = artefact.cache_dir(project) / good_artefact.name
    assert artefact.artefact_key(project, project.data_path, 2024)[0] == good_artefact.name
    shutil.copytree(good_artefact, path)
    calls = []

    def compute(config, data_path, year, dest, counties=None):
        calls.append(dest)
        for p in good_artefact.rglob("*"):
            if p.is_file():
                (dest / p.relative_to(good_artefact)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(p, dest / p.relative_to(good_artefact))

    monkeypatch.setattr(artefact, "compute", compute)
    return path, calls


def _damage_parquet(path):
    path.write_bytes(path.read_bytes()[:1000])  # truncated, as by a full disk or a killed copy


def _damage_grouping(path):
    path.write_text('{"broken', encoding="utf-8")


def _damage_meta(path):
    path.write_text("not json", encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("name, damage", [
    ("lan-10/tidy.parquet", _damage_parquet), ("lan-10/positions.parquet", _damage_parquet),
    ("grouping.json", _damage_grouping), ("meta.json", _damage_meta),
    ("lan-10/gaps.parquet", lambda p: p.unlink()),
    ("lan-10/trends.parquet", lambda p: p.write_bytes(b"")),
])
def test_a_damaged_artefact_is_computed_again_with_one_line(project, damaged, name, damage):
    path, calls = damaged
    good = {p.relative_to(path): p.read_bytes() for p in path.rglob("*") if p.is_file() and p.name != "meta.json"}
    damage(path / name)
    said = []
    again, computed = ensure_artefact(project, project.data_path, 2024, say=said.append)
    assert computed and again == path and len(calls) == 1
    assert len(said) == 1 and said[0].startswith(f"Resultatcachen .cache/results/{path.name} var skadad (")
    assert "räknas om" in said[0] and "\n" not in said[0]
    assert {p.relative_to(path): p.read_bytes() for p in path.rglob("*")
            if p.is_file() and p.name != "meta.json"} == good  # the same results again
    assert artefact.problem(path) is None
    open_results(path, "1081", 2024, config=project)  # and they read
    assert not [d for d in path.parent.iterdir() if d.name.startswith(".")]  # nothing left aside


@pytest.mark.slow
def test_a_whole_artefact_is_used_as_it_is(project, damaged):
    path, calls = damaged
    files = artefact.read_meta(str(path))["files"]
    assert {"grouping.json", "lan-10/tidy.parquet", "lan-25/positions.parquet"} <= set(files)
    said = []
    assert ensure_artefact(project, project.data_path, 2024, say=said.append) == (path, False)
    assert not said and not calls


@pytest.mark.slow
def test_a_damaged_artefact_is_computed_again_by_a_batch_too(project, good_artefact, capfd):
    """The render's path: the check in the main process, a real computation in the child."""
    import shutil

    from analysis.compute.artefact import ensure_artefact_in_child

    path = artefact.cache_dir(project) / good_artefact.name
    shutil.copytree(good_artefact, path)
    _damage_parquet(path / "lan-10" / "tidy.parquet")
    again, computed = ensure_artefact_in_child(project, project.data_path, 2024)
    err = capfd.readouterr().err
    assert computed and again == path and artefact.problem(path) is None
    assert err.count("var skadad") == 1 and "Traceback" not in err
    assert (path / "lan-10" / "tidy.parquet").read_bytes() == (good_artefact / "lan-10" / "tidy.parquet").read_bytes()


def test_stale_temporary_folders_of_dead_runs_are_removed(tmp_path):
    import os
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folder = tmp_path / "results"
    for name in (f".tmp-abc-{dead.pid}", f".skadad-abc-{dead.pid}", f".tmp-abc-{os.getpid()}", "abc"):
        (folder / name).mkdir(parents=True)
    removed = artefact.clean_stale(folder)
    assert sorted(p.name for p in removed) == sorted([f".tmp-abc-{dead.pid}", f".skadad-abc-{dead.pid}"])
    assert sorted(p.name for p in folder.iterdir()) == sorted([f".tmp-abc-{os.getpid()}", "abc"])


def _package_copy(tmp_path):
    """A copy of the analysis package's source, to change one file in."""
    import shutil

    copy = tmp_path / "analysis"
    shutil.copytree(artefact.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.mark.parametrize("changed, counts", [
    ("data/provenance.py", True),  # missing from the old hand list of modules
    ("data/sources/pxweb.py", True),  # a sub-package of data
    ("domain/strategy.py", True),
    ("compute/gaps.py", True),
    ("yamlio.py", True),
    ("present/fmt.py", False),  # present only shows the numbers
    ("publish/render.py", False),
])
def test_the_key_covers_every_file_of_the_computing_packages(project, tmp_path, monkeypatch, changed, counts):
    package = _package_copy(tmp_path)
    assert (package / changed).is_file()
    monkeypatch.setattr(artefact, "PACKAGE", package)
    before, _ = artefact.artefact_key(project, project.data_path, 2024)
    with open(package / changed, "a", encoding="utf-8") as f:
        f.write("\n# a change\n")
    after, _ = artefact.artefact_key(project, project.data_path, 2024)
    assert (after != before) is counts


@pytest.mark.slow
def test_the_computation_imports_only_hashed_code(project, tmp_path):
    """Computing the artefact loads no module of the package outside the hashed code (besides the process
    helpers locks/orphans, which change no number): a new import from present/ would have to be hashed."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from analysis.config import load_config\n"
        "from analysis.compute import artefact\n"
        f"config = load_config(Path({str(project.root)!r}))\n"
        f"artefact.compute(config, config.data_path, 2024, Path({str(tmp_path / 'out')!r}))\n"
        "print('\\n'.join(m.__file__ for n, m in list(sys.modules.items())"
        " if n.startswith('analysis.') and getattr(m, '__file__', None)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    from pathlib import Path

    loaded = {Path(line).resolve() for line in proc.stdout.split() if line.endswith(".py")}
    hashed = {p.resolve() for p in artefact.code_files()}
    helpers = {(artefact.PACKAGE / name).resolve() for name in ("locks.py", "orphans.py")}
    inits = {p for p in loaded if p.name == "__init__.py"}
    assert loaded - inits - helpers <= hashed, sorted(map(str, loaded - inits - helpers - hashed))
    assert len(loaded) > 8  # the script did load the computing modules


@pytest.mark.slow
def test_a_counties_tables_are_read_once_for_its_reports(project, monkeypatch):
    """The län's tables are read once for the reports that follow one another (a batch's main process, a
    kernel); each report still gets only its own rows, and another län's reports read their own."""
    path, _ = ensure_artefact(project, project.data_path, 2024)
    artefact._county_frames.cache_clear()
    reads = []
    real = pd.read_parquet
    monkeypatch.setattr(artefact.pd, "read_parquet", lambda p, *a, **k: reads.append(p) or real(p, *a, **k))
    ronneby, karlskrona = (open_results(path, c, 2024, config=project) for c in ("1081", "1080"))
    tables = len(artefact.TABLES) + len(artefact.GROUP_TABLES)
    assert len(reads) == tables
    assert set(ronneby.tidy["geo_code"]) == {"1081", "0010", "0000"}
    assert set(karlskrona.tidy["geo_code"]) == {"1080", "0010", "0000"}
    open_results(path, "2580", 2024, config=project)
    assert len(reads) == 2 * tables and all("lan-25" in str(p) for p in reads[tables:])


def _files(path):
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*.parquet"))}


@pytest.mark.slow
def test_the_child_is_a_fork_before_threads_and_a_new_interpreter_after(project, counted):
    """A batch starts the computation before its kernels: the child is a fork of the run (its imports
    already made); with another thread running it is a new interpreter. Both write the same artefact."""
    import shutil
    import threading

    from analysis.compute.artefact import start_artefact_child

    forked = start_artefact_child(project, project.data_path, 2024)
    assert forked.running and forked._proc is None
    path, computed = forked.wait()
    assert computed and counted == [] and not forked.running
    first = _files(path)
    shutil.rmtree(path)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        spawned = start_artefact_child(project, project.data_path, 2024)
        assert spawned._proc is not None
        assert spawned.wait() == (path, True)
    finally:
        stop.set()
        other.join()
    assert _files(path) == first and counted == []
    assert start_artefact_child(project, project.data_path, 2024).running is False  # there now: no child


@pytest.mark.slow
def test_an_interrupted_computation_leaves_no_child_and_no_half_results(project, monkeypatch):
    import time

    from analysis.compute.artefact import ArtefactChild, start_artefact_child
    from analysis.orphans import pid_alive

    def interrupted(self):
        time.sleep(0.3)  # the child is computing
        raise KeyboardInterrupt

    monkeypatch.setattr(ArtefactChild, "_wait", interrupted)
    child = start_artefact_child(project, project.data_path, 2024)
    pid = child.pid
    with pytest.raises(KeyboardInterrupt):
        child.wait()
    assert not pid_alive(pid)
    assert not list((project.root / ".cache" / "results").glob(".tmp-*"))
    assert not list((project.root / ".cache" / "results").glob("*/meta.json"))


@pytest.mark.slow
def test_a_failing_forked_computation_comes_back_as_one_error(project, monkeypatch):
    from analysis.compute.artefact import start_artefact_child
    from analysis.errors import AnalysisError

    def broken(*args, **kwargs):
        raise ZeroDivisionError("trasig")

    monkeypatch.setattr(artefact, "compute", broken)  # the fork runs this process's code
    with pytest.raises(AnalysisError, match=r"(?s)kunde inte beräknas \(kod 1\).*ZeroDivisionError: trasig"):
        start_artefact_child(project, project.data_path, 2024).wait()


def test_the_counties_an_artefact_holds(project):
    every = sorted(lan.county for lan in load_geography(project.root).counties)
    assert artefact.wanted_counties(project, None) is None
    assert artefact.wanted_counties(project, every) is None  # all län: the artefact of all, one key
    assert artefact.wanted_counties(project, {"10", "8"}) == ("08", "10")
    full, _ = artefact.artefact_key(project, project.data_path, 2024)
    assert artefact.artefact_key(project, project.data_path, 2024, None)[0] == full
    assert artefact.artefact_key(project, project.data_path, 2024, ("10",))[0] != full


@pytest.mark.slow
def test_an_artefact_of_one_lan_holds_that_lan_as_the_whole_one_does(project):
    """A run for Blekinge computes Blekinge only: the same rows, the same checksums per area (so a report built
    from either is up to date with the other), the same index map; another län's report is a clear error."""
    from analysis.errors import AnalysisError
    from analysis.present.indexpage import index_indicator, national_values

    one, _ = ensure_artefact(project, project.data_path, 2024, counties=("10",))
    full, _ = ensure_artefact(project, project.data_path, 2024)
    assert one != full and sorted(p.name for p in one.glob("lan-*")) == ["lan-10"]
    assert sorted(p.name for p in (one / "plans").iterdir()) == ["lan-10.json"]
    meta_one, meta_full = artefact.read_meta(str(one)), artefact.read_meta(str(full))
    assert list(meta_one["counties"]) == ["10"] and meta_one["counties"]["10"] == meta_full["counties"]["10"]
    for name in (*artefact.TABLES, *artefact.GROUP_TABLES):
        pd.testing.assert_frame_equal(pd.read_parquet(one / "lan-10" / f"{name}.parquet"),
                                      pd.read_parquet(full / "lan-10" / f"{name}.parquet"))
    geo = load_geography(project.root)
    for code in ("1081", "0010"):
        assert slice_digest(one, code, geo) == slice_digest(full, code, geo)
    ind = index_indicator(project)
    assert national_values(one, ind, 2024, geo) == national_values(full, ind, 2024, geo)
    with pytest.raises(AnalysisError, match="omfattar inte län 08"):
        open_results(one, "0880", 2024, config=project)


def test_the_index_reads_what_every_lans_own_gaps_hold(project, good_artefact):
    """The index's national table equals reading every län's gaps as the index once did (each kommun from its
    own län, riket from the first län's table)."""
    import pyarrow.dataset as ds

    files = sorted(str(f / "gaps.parquet") for f in good_artefact.glob("lan-*"))
    old = {}
    for row in ds.dataset(files, format="parquet").to_table(
            columns=artefact.INDEX_COLUMNS, filter=(ds.field("year") == 2024) & (ds.field("sex") == "T")
            & (ds.field("comparison") == "inrikes")).to_pylist():
        old.setdefault((row["indicator"], row["geo_code"]), row)
    new = {}
    for row in pd.read_parquet(good_artefact / artefact.INDEX_GAPS).to_dict("records"):
        new.setdefault((row["indicator"], row["geo_code"]), row)
    assert new.keys() == old.keys() and len(new) > 290
    same = lambda a, b: a == b or (a != a and b != b)  # noqa: E731 - NaN equals NaN here
    assert all(all(same(new[k][c], old[k][c]) for c in artefact.INDEX_COLUMNS) for k in old)
