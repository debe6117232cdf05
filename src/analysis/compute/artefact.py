"""Compute once: the results a run needs, stored as Parquet and read by every notebook and render step.

:func:`ensure_artefact` validates the tidy data, applies suppression and computes gaps and trends once per
(data checksum, report year, catalogue, strategies, computing code) and writes them under
``.cache/results/<key>/`` – one folder per län (``lan-10/tidy.parquet``, ``gaps.parquet``,
``trends.parquet``) holding its kommuner, the län and riket, each län's validated handlingsplan
(``plans/lan-10.json``, :mod:`analysis.compute.plans`), plus ``meta.json`` (what it was built from,
the raw snapshots once verified, and a checksum of every area's rows for the incremental build).
:func:`open_results` loads one report's slice: a kommun report reads its län's folder and keeps its own,
its län's and riket's rows, so the cost per report does not grow with the number of areas in the data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.config import Config, load_config
from analysis.errors import AnalysisError, os_error_reason, os_error_text
from analysis.data.provenance import sha256

VERSION = 4  # 2: the artefact carries its grouping (grouping.json); 3: and a checksum of every file (meta "files");
# 4: the index's national gaps in one table (INDEX_GAPS), and an artefact may hold some län only
INDEX_GAPS = "index-gaps.parquet"  # every kommun's and riket's gaps as the index map reads them (all län, always)
INDEX_COLUMNS = ["indicator", "year", "geo_code", "gap", "status", "example", "value_subject", "value_reference"]
TABLES = ("tidy", "gaps", "trends")  # rows per area (geo_code)
# Comparison groups: values per group (kept for every group of the län's kommuner) and every kommun's
# place (positions, all kommuner: a kommun report's strip plot shows them all). A report depends on its own
# areas' rows, its comparison groups' values, its kommuner's own places in the report year and – for a
# kommun report – every kommun's measure in the report year (the strip plot, checksum "strip").
GROUP_TABLES = ("group_values", "group_gaps", "positions")
GROUPING_FILE = "grouping.json"  # the validated comparison grouping (groups.Grouping.to_json)
STRIP_COLUMNS = ["indicator", "geo_code", "group_id", "measure"]
# Code whose change may change the numbers, hashed whole into the key: every .py file of the packages the
# computation imports (sub-packages included) and the top-level modules they use. A hand list of modules
# misses one sooner or later; present/ and publish/ only show the numbers and stay out.
CODE_PACKAGES = ("domain", "data", "compute")
CODE_MODULES = ("config.py", "errors.py", "text.py", "yamlio.py")
PACKAGE = Path(__file__).parents[1]  # src/analysis


def cache_dir(config: Config) -> Path:
    return config.root / ".cache" / "results"


def _files_digest(paths: list[Path], root: Path | None = None) -> str:
    """One checksum over files, each by its name (by its path under ``root`` when given) and its content."""
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update((p.relative_to(root).as_posix() if root else p.name).encode())
        h.update(sha256(p).encode())
    return h.hexdigest()


def code_files(package: Path | None = None) -> list[Path]:
    """The source files whose checksums make up the key's "code" part (see CODE_PACKAGES)."""
    package = package or PACKAGE
    files = [package / name for name in CODE_MODULES]
    for sub in CODE_PACKAGES:
        files += [p for p in (package / sub).rglob("*.py") if "__pycache__" not in p.parts]
    return sorted(files)


def _code_digest(package: Path | None = None) -> str:
    """One checksum over the code files, by their path inside the package (two files may share a name)."""
    package = package or PACKAGE
    h = hashlib.sha256()
    for p in code_files(package):
        h.update(p.relative_to(package).as_posix().encode())
        h.update(sha256(p).encode())
    return h.hexdigest()


def inputs_digest(config: Config) -> dict[str, str]:
    """Checksums of what the numbers are computed from, besides the data file."""
    from analysis.data.handlingsplan import plan_root
    from analysis.domain.handlingsplan import SPEC_FILE as PLAN_SPEC_FILE

    plans = plan_root(config)
    return {
        "catalogue": _files_digest(list((config.root / "data" / "catalogue").glob("*.yml"))),
        "strategies": _files_digest(list(config.strategies_dir.glob("*.yml"))),
        "geography": sha256(config.root / "data" / "raw" / "kolada" / "kolada_municipality_list_2026-03.csv"),
        "code": _code_digest(),
        "config": sha256(config.root / "analysis.yml"),
        "groupings": _files_digest(list((config.root / "data" / "groupings").glob("*.yml"))),
        "names": _files_digest(list((config.root / "data" / "geography").glob("*.yml"))),  # official names
        "sidecars": _files_digest(list(config.raw_dir.rglob("*.source.yml"))),
        # the handlingsplaner validated with the results (compute.plans): their files and their declaration
        "plans": _files_digest([p for p in plans.rglob("*") if p.is_file()], plans),
        "plan_spec": sha256(config.root / PLAN_SPEC_FILE),
    }


def wanted_counties(config: Config, counties) -> tuple[str, ...] | None:
    """The län an artefact must hold for reports of ``counties`` (länskoder), sorted; None for every län (also
    when ``counties`` is None or names them all). A run for one län computes that län only (≈ 0,6 CPU-s less
    than all 21 for Blekinge's ``make report``); the index's national table is always whole."""
    if counties is None:
        return None
    from analysis.domain.geography import load_geography

    wanted = tuple(sorted({str(c).zfill(2) for c in counties}))
    return None if set(wanted) >= {lan.county for lan in load_geography(config.root).counties} else wanted


def artefact_key(config: Config, data_path: Path, year: int, counties: tuple[str, ...] | None = None) -> tuple[str, dict]:
    """The artefact's key and the inputs it is the checksum of; ``counties`` (from :func:`wanted_counties`): the
    län it holds, None for all (the key of all län does not name them)."""
    inputs = {"version": str(VERSION), "data": sha256(data_path), "year": str(year),
              "baseline_override": str(config.baseline_year), **inputs_digest(config)}
    if counties is not None:
        inputs["counties"] = ",".join(counties)
    key = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:20]
    return key, inputs


def _rows_digest(df: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy().tobytes()).hexdigest()[:20]


def _area_hashes(frames: dict[str, pd.DataFrame], year: int, shared: dict | None = None,
                 sources: dict[str, pd.DataFrame] | None = None) -> dict[str, str]:
    """One checksum per geo_code (and per ``group:<id>``) over its rows in every table (vectorised row hashes);
    ``strip``: every kommun's measure in the report year. ``shared``: what the län that share one positions
    table (all kommuner) share, its row hashes per kommun and the strip's checksum, hashed once for them all.
    ``sources``: the whole tables each län's rows were taken from (same index); their rows are hashed once
    (in ``shared["rows"]``) and each län takes its own, as hashing each län's rows anew would give."""
    shared = {} if shared is None else shared
    parts: dict[str, list[bytes]] = {}
    for name in (*TABLES, *GROUP_TABLES):
        chunks = shared.get(name) if name == "positions" else None
        if chunks is None:
            source = (sources or {}).get(name)
            rows = None if source is None else _row_hashes(source, shared.setdefault("rows", {}))
            chunks = _table_chunks(name, frames[name], year, rows)
            if name == "positions":
                shared[name] = chunks
        for code, chunk in chunks.items():
            parts.setdefault(code, []).append(chunk)
    out = {code: hashlib.sha256(b"".join(chunks)).hexdigest()[:20] for code, chunks in parts.items()}
    if "strip" not in shared:
        pos = frames["positions"]
        shared["strip"] = _rows_digest(pos.loc[(pos["year"] == year) & (pos["sex"] == "T"), STRIP_COLUMNS])
    out["strip"] = shared["strip"]
    return out


def _row_hashes(df: pd.DataFrame, cache: dict) -> pd.Series:
    """Each row's hash (over its values as text), by the frame's index; once per frame (``cache``)."""
    if id(df) not in cache:
        cache[id(df)] = (df, pd.util.hash_pandas_object(df.astype(str), index=False))  # the frame kept: its id stays its own
    return cache[id(df)][1]


def _table_chunks(name: str, df: pd.DataFrame, year: int, source_rows: pd.Series | None = None) -> dict[str, bytes]:
    """A table's row hashes per area (or ``group:<id>``), prefixed with the table's name (``source_rows``: the
    row hashes of the whole table ``df`` was taken from)."""
    if name == "positions":  # a place belongs to its kommun; the report shows the report year's
        df = df[df["year"] == year]
    if df.empty:
        return {}
    if source_rows is None:
        rows = pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy()
    else:
        rows = source_rows.loc[df.index].to_numpy()
    by_area = name in TABLES or name == "positions"
    codes = (df["geo_code"] if by_area else "group:" + df["group_id"].astype(str)).to_numpy()
    return {code: name.encode() + rows[codes == code].tobytes() for code in pd.unique(codes)}


def _snapshots_meta(config: Config) -> list[dict]:
    """Raw snapshots, checksum-verified once per artefact, with the indicator ids each covers."""
    from analysis.data.provenance import all_snapshots
    from analysis.data.provenance import covers as _covers

    out = []
    for s in all_snapshots(config.raw_dir):
        out.append({"path": str(s.path.relative_to(config.root)), "meta": s.meta, "covers": sorted(_covers(s))})
    return out


_MISSING = {"None": None, "NA": pd.NA, "nan": float("nan")}


def _object_columns(df: pd.DataFrame) -> dict[str, str]:
    """Object columns and the missing value they hold, so reading restores them exactly."""
    out = {}
    for col, dtype in df.dtypes.items():
        if dtype == object:
            nulls = df[col][df[col].isna()]
            if not len(nulls):
                out[col] = ""  # no missing value here: another partition may tell
                continue
            first = nulls.iloc[0]
            out[col] = "NA" if first is pd.NA else ("None" if first is None else "nan")
    return out


def compute(config: Config, data_path: Path, year: int, dest: Path, counties: tuple[str, ...] | None = None) -> None:
    """Validate, suppress, compute gaps and trends once; write one folder per län into ``dest`` (``counties``:
    those län only) and the index's national table (:data:`INDEX_GAPS`)."""
    from analysis.domain.catalogue import load_catalogue
    from analysis.data.contract import load_tidy
    from analysis.compute.gaps import compute_gaps, compute_trends, suppress
    from analysis.domain.geography import load_geography
    from analysis.compute.groups import compute_group_gaps, compute_group_values, compute_positions, load_grouping
    from analysis.compute.plans import write_plans
    from analysis.domain.strategy import load_strategy

    catalogue = load_catalogue(config.root)
    geo = load_geography(config.root)
    from analysis.compute.results import check_year

    check_year(year)
    tidy = suppress(load_tidy(data_path, catalogue, geo), catalogue)
    if not (tidy["year"] == year).any():
        years = sorted(tidy["year"].unique())
        raise AnalysisError(f"{data_path}: inga uppgifter för {year} (data finns för {years[0]}–{years[-1]}).")
    gaps = compute_gaps(tidy, catalogue, geo, suppressed=True)
    baselines = {}
    for lan in geo.counties:
        strategy = load_strategy(lan.county, config.root)
        baselines[lan.county] = int(config.baseline_year or strategy.baseline_year)
    trends = {b: compute_trends(tidy, catalogue, b, year, geo, gaps=gaps) for b in sorted(set(baselines.values()))}
    grouping = load_grouping(config, geo)
    by_kept: dict[frozenset, dict] = {}  # the group tables per set of example indicators a län keeps
    meta = {"version": VERSION, "year": year, "data_path": str(data_path), "counties": {},
            "object_columns": {}}
    held = set(counties) if counties is not None else {lan.county for lan in geo.counties}  # the län written
    index_rows = []  # the index map's rows: each län's, as its own folder has them (riket: the first län's)
    index_gaps = gaps[(gaps["year"] == year) & (gaps["sex"] == "T") & (gaps["comparison"] == "inrikes")]
    for lan in sorted(geo.counties, key=lambda lan: lan.county):
        codes = [k.code for k in geo.kommuner_in(lan.county)] + [lan.code, "0000"]
        # Example rows are a demonstration for the län they were made for (coverage.demonstration_only):
        # a län keeps an indicator's example rows only where it has example rows of its own.
        own = tidy["geo_code"].isin(codes[:-1])
        kept = frozenset(tidy.loc[tidy["example"] & own, "indicator"])

        def demo(df, kept=kept):
            return df[~df["example"].astype(bool) | df["indicator"].isin(kept)]

        index_rows.append(demo(index_gaps[index_gaps["geo_code"].isin(codes)])[INDEX_COLUMNS])
        if lan.county not in held:
            continue

        if kept not in by_kept:
            t, g = demo(tidy), demo(gaps)
            values = compute_group_values(t, catalogue, grouping)
            by_kept[kept] = {"group_values": values, "group_gaps": compute_group_gaps(values, catalogue),
                             "positions": compute_positions(t, g, catalogue, grouping, geo)}
        groups = {grouping.by_kommun[c] for c in codes if c in grouping.by_kommun}
        frames = {
            "tidy": demo(tidy[tidy["geo_code"].isin(codes)]),
            "gaps": demo(gaps[gaps["geo_code"].isin(codes)]),
            "trends": demo(trends[baselines[lan.county]].pipe(lambda t: t[t["geo_code"].isin(codes)])),
            **{name: by_kept[kept][name].pipe(lambda t: t[t["group_id"].isin(groups)])
               for name in ("group_values", "group_gaps")},
            "positions": by_kept[kept]["positions"],
        }
        folder = dest / f"lan-{lan.county}"
        folder.mkdir(parents=True)
        for name, df in frames.items():
            known = meta["object_columns"].setdefault(name, {})
            for col, kind in _object_columns(df).items():
                if not known.get(col):
                    known[col] = kind
            df.reset_index(drop=True).to_parquet(folder / f"{name}.parquet", index=False)
        meta["counties"][lan.county] = {
            "baseline_year": baselines[lan.county],
            "areas": _area_hashes(frames, year, by_kept[kept].setdefault("hashes", {}), {
                "tidy": tidy, "gaps": gaps, "trends": trends[baselines[lan.county]],
                "group_values": by_kept[kept]["group_values"], "group_gaps": by_kept[kept]["group_gaps"]}),
            "has_data": sorted(set(frames["tidy"].loc[frames["tidy"]["year"] == year, "geo_code"])),
        }
    pd.concat(index_rows).reset_index(drop=True).to_parquet(dest / INDEX_GAPS, index=False)
    meta["snapshots"] = _snapshots_meta(config)
    write_plans(config, sorted(held), year, dest)
    (dest / GROUPING_FILE).write_text(json.dumps(grouping.to_json(config.root), ensure_ascii=False, default=str),
                                      encoding="utf-8")
    (dest / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def _artefact_dir(config: Config, data_path: Path, year: int,
                  counties: tuple[str, ...] | None = None) -> tuple[str, dict, Path]:
    """(key, inputs, folder) of the artefact for these inputs, whether it exists or not."""
    key, inputs = artefact_key(config, data_path, year, counties)
    return key, inputs, cache_dir(config) / key


def problem(folder: Path) -> str | None:
    """Why the artefact in ``folder`` cannot be used (in Swedish), or None when it is whole: its record
    (``meta.json``) reads, and every file it lists is there with the checksum it was written with."""
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        files = meta["files"]
        if not (isinstance(files, dict) and files and isinstance(meta["counties"], dict)
                and isinstance(meta["snapshots"], list) and isinstance(meta["object_columns"], dict)):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        return "meta.json kan inte läsas"
    if GROUPING_FILE not in files:
        return f"{GROUPING_FILE} saknas i förteckningen"
    for rel, digest in files.items():
        try:
            if sha256(folder / rel) != digest:
                return f"{rel} stämmer inte med sin kontrollsumma"
        except (OSError, TypeError):
            return f"{rel} saknas eller kan inte läsas"
    return None


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def usable(config: Config, folder: Path, say=None) -> bool:
    """Whether the artefact in ``folder`` exists and is whole. A damaged one (a truncated Parquet file, a broken
    ``grouping.json`` or ``meta.json``) is removed with a one-line note (``say``, default stderr), so that it
    is computed again; one that cannot be removed is a clear error."""
    if not folder.exists():
        return False
    why = problem(folder)
    if why is None:
        return True
    try:
        shown = folder.relative_to(config.root)
    except ValueError:
        shown = folder
    (say or _say)(f"Resultatcachen {shown} var skadad ({why}); den räknas om.")
    aside = folder.with_name(f".skadad-{folder.name}-{os.getpid()}")
    try:
        folder.rename(aside)
    except FileNotFoundError:
        pass  # another run took it away first
    except OSError as exc:
        raise AnalysisError(f"{shown}: resultatcachen är skadad och kan inte tas bort ({os_error_reason(exc)}); "
                            "ta bort mappen och kör igen.") from None
    shutil.rmtree(aside, ignore_errors=True)
    read_meta.cache_clear()
    read_grouping.cache_clear()
    _open_results_cached.cache_clear()
    return False


def clean_stale(folder: Path) -> list[Path]:
    """Remove temporary and damaged artefact folders (``.tmp-<key>-<pid>``, ``.skadad-<key>-<pid>``) of runs
    that no longer run."""
    from analysis.orphans import pid_alive

    removed = []
    for d in folder.glob(".*-*-*") if folder.is_dir() else []:
        kind, _, rest = d.name[1:].partition("-")
        pid = rest.rsplit("-", 1)[-1]
        if kind in ("tmp", "skadad") and pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


def ensure_artefact_in_child(config: Config, data_path: Path, year: int,
                             counties: tuple[str, ...] | None = None) -> tuple[Path, bool]:
    """:func:`ensure_artefact` for a batch: when the results must be computed, a child process computes them
    (:func:`start_artefact_child`, then wait for it)."""
    return start_artefact_child(config, data_path, year, counties).wait()


class ArtefactChild:
    """The results computation of a batch in a child process, started by :func:`start_artefact_child`.

    The computation's libraries (pandera's and pyjanitor's imports, ≈ 70 MB) and frames (≈ 20 MB for the
    national data) would otherwise stay in the process that drives the batch for its whole run. The child is
    a fork of this process when it has no other thread yet (it starts with this process's imports, ≈ 0,4 CPU-s
    less than a new interpreter that imports pandas again), else a new interpreter (``python -m
    analysis.compute.artefact``). On an interrupt the child is stopped and its temporary folder removed; its
    errors come back as they are."""

    def __init__(self, config: Config, data_path: Path, year: int, counties: tuple[str, ...] | None = None):
        self.key, _, self.final = _artefact_dir(config, data_path, year, counties)
        self.done: tuple[Path, bool] | None = (self.final, False) if usable(config, self.final) else None
        self.pid, self._read, self._proc = None, None, None
        if self.done is None:
            self._start(config, Path(data_path), int(year), counties)

    @property
    def running(self) -> bool:
        return self.done is None

    def _start(self, config: Config, data_path: Path, year: int, counties: tuple[str, ...] | None) -> None:
        import subprocess
        import threading

        if threading.active_count() == 1 and hasattr(os, "fork"):  # forking a process with threads is unsafe
            read, write = os.pipe()
            for stream in (sys.stdout, sys.stderr):
                stream.flush()  # nothing buffered is written twice
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child (its work is tested through the parent)
                os.close(read)
                _child(config, data_path, year, counties, write)
            os.close(write)
            self.pid, self._read = pid, read
            return
        env = {**os.environ, "ANALYSIS_ROOT": str(config.root), "ANALYSIS_PARENT_PID": str(os.getpid())}
        self._proc = subprocess.Popen([sys.executable, "-m", "analysis.compute.artefact", str(data_path),
                                       str(year), ",".join(counties or ())], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, env=env)
        self.pid = self._proc.pid

    def wait(self) -> tuple[Path, bool]:
        """(the artefact's folder, whether it was computed); the child's errors raised here."""
        if self.done is not None:
            return self.done
        try:
            code, out, err = self._wait()
        except BaseException:  # Ctrl-C, SIGTERM: stop the child, leave no half-written results
            self._stop()
            raise
        if code == 2:
            raise AnalysisError(err.strip())
        if code != 0 or not out.strip():
            raise AnalysisError(f"Resultaten kunde inte beräknas (kod {code}):\n{err.strip()[-3000:]}")
        if err.strip():
            print(err.strip(), file=sys.stderr)  # the computation's warnings, as if computed here
        answer = json.loads(out.strip().splitlines()[-1])
        self.done = Path(answer["path"]), bool(answer["computed"])
        return self.done

    def _wait(self) -> tuple[int, str, str]:
        if self._proc is not None:
            out, err = self._proc.communicate()
            return self._proc.returncode, out, err
        with os.fdopen(self._read, "rb") as pipe:
            self._read = None
            answer = json.loads(pipe.read().decode("utf-8") or '{"code": 1, "out": "", "err": ""}')
        _, status = os.waitpid(self.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        return (answer["code"] if code == 0 else code), answer["out"], answer["err"]

    def _stop(self) -> None:
        import signal
        import subprocess

        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            with contextlib.suppress(ChildProcessError):  # already waited for
                for _ in range(50):
                    if os.waitpid(self.pid, os.WNOHANG)[0]:
                        break
                    time.sleep(0.1)
                else:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
        for tmp in self.final.parent.glob(f".tmp-{self.key}-{self.pid}"):
            shutil.rmtree(tmp, ignore_errors=True)


def _child(config: Config, data_path: Path, year: int, counties: tuple[str, ...] | None,
           write: int) -> None:  # pragma: no cover - in the fork
    """The forked child: compute, send (exit code, answer, error text) through the pipe, end without running
    the parent's exit handlers."""
    import signal
    import traceback

    code, out, err = 1, "", ""
    try:
        for s in (signal.SIGINT, signal.SIGTERM):  # as a new interpreter would have them
            signal.signal(s, signal.default_int_handler if s == signal.SIGINT else signal.SIG_DFL)
        from analysis.orphans import die_with_parent

        die_with_parent()  # a killed run leaves no computation behind
        code, out, err = _compute(config, data_path, year, counties)
    except BaseException:  # noqa: BLE001 - reported to the parent as the new interpreter's traceback was
        code, err = 1, traceback.format_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            os.write(write, json.dumps({"code": code, "out": out, "err": err}).encode("utf-8"))
            os.close(write)
        finally:
            os._exit(0)


def start_artefact_child(config: Config, data_path: Path, year: int,
                         counties: tuple[str, ...] | None = None) -> ArtefactChild:
    """Start computing the results (``counties``: of those län only, :func:`wanted_counties`) in a child process
    when they are not there yet (``.running``); ``.wait()`` for the folder. Started before a batch starts its
    kernels, so the child can be a fork."""
    return ArtefactChild(config, data_path, year, counties)


def _compute(config: Config, data_path: Path, year: int,
             counties: tuple[str, ...] | None = None) -> tuple[int, str, str]:
    """A child's computation as (exit code, the answer's JSON line, the error line): 2 with one Swedish line for
    an error of the data or the disk."""
    try:
        path, computed = ensure_artefact(config, data_path, year, counties=counties)
    except AnalysisError as exc:
        return 2, "", str(exc)
    except OSError as exc:  # disk full, …: one line, not a traceback
        return 2, "", f"Resultaten kunde inte sparas: {os_error_text(exc)}"
    return 0, json.dumps({"path": str(path), "computed": computed}), ""


def main(argv: list[str] | None = None) -> None:
    """``python -m analysis.compute.artefact DATA YEAR [LÄN,…]``: compute the artefact (:func:`ensure_artefact_in_child`)."""
    from analysis.orphans import die_with_parent

    die_with_parent()  # a killed run leaves no computation behind
    data, year, *rest = sys.argv[1:] if argv is None else argv
    counties = tuple(c for c in (rest[0] if rest else "").split(",") if c) or None
    code, out, err = _compute(load_config(), Path(data), int(year), counties)
    if err:
        print(err, file=sys.stderr)
    if code:
        raise SystemExit(code)
    print(out)


def ensure_artefact(config: Config, data_path: Path, year: int, say=None,
                    counties: tuple[str, ...] | None = None) -> tuple[Path, bool]:
    """The artefact folder for these inputs, computing it only when it does not exist yet (or is damaged:
    :func:`usable`; ``say`` gets the one-line note, default stderr). ``counties``: the län it must hold
    (:func:`wanted_counties`), None for all.

    Returns (folder, computed). Written to a temporary folder and renamed, so parallel runs never read
    half an artefact.
    """
    key, inputs, final = _artefact_dir(config, data_path, year, counties)
    if usable(config, final, say):
        return final, False
    final.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(final.parent)
    tmp = final.with_name(f".tmp-{key}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        compute(config, data_path, year, tmp, counties)
        meta = json.loads((tmp / "meta.json").read_text(encoding="utf-8"))
        meta["inputs"] = inputs
        meta["files"] = {p.relative_to(tmp).as_posix(): sha256(p) for p in sorted(tmp.rglob("*"))
                         if p.is_file() and p.name != "meta.json"}
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        try:
            tmp.rename(final)
        except OSError:  # another run finished the same artefact first
            if not (final / "meta.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final, True


@lru_cache(maxsize=4)
def read_meta(path: str) -> dict:
    return json.loads((Path(path) / "meta.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def read_grouping(path: str):
    """The comparison grouping the artefact was computed with (validated once, when it was computed)."""
    from analysis.compute.groups import Grouping

    data = json.loads((Path(path) / GROUPING_FILE).read_text(encoding="utf-8"))
    return Grouping.from_json(data, geo_root(Path(path)))


def report_codes(code: str, geo) -> tuple[str, list[str]]:
    """(länskod, the codes whose rows a report shows): a kommun with its län and riket; a län with all
    its kommuner, itself and riket."""
    area = geo.area(code)
    if area.level == "kommun":
        return area.county, [area.code, area.county_code, "0000"]
    if area.level == "lan":
        return area.county, [k.code for k in geo.kommuner_in(area.county)] + [area.code, "0000"]
    raise AnalysisError(f"{code}: rapporter finns för kommuner och län")


def slice_digest(path: Path, code: str, geo) -> str:
    """Checksum of exactly the rows one report shows (for the incremental build)."""
    county, codes = report_codes(code, geo)
    areas = read_meta(str(path))["counties"][county]["areas"]
    by_kommun = read_grouping(str(path)).by_kommun
    keys = codes + sorted({f"group:{by_kommun[c]}" for c in codes if c in by_kommun})
    if geo.area(code).level == "kommun":
        keys.append("strip")
    return hashlib.sha256("|".join(f"{c}:{areas.get(c, '-')}" for c in keys).encode()).hexdigest()[:20]


def geo_root(path: Path) -> Path:
    """The project root an artefact belongs to (``<root>/.cache/results/<key>``)."""
    return Path(path).resolve().parents[2]


def _project_of(path: Path) -> Path | None:
    """The project an artefact was computed in (its folder is ``<root>/.cache/results/<key>``), None when it
    lies elsewhere (then the project is found as for any command, :func:`analysis.config.project_root`)."""
    root = geo_root(path)
    return root if (root / "analysis.yml").is_file() else None


def open_results(path: str | Path, code: str, year: int, config: Config | None = None):
    """The :class:`~analysis.compute.results.Results` of one report, read from the artefact (no computation).

    An artefact never changes once written (its folder is named by its inputs' checksums), so the five
    notebooks of a report, run one after the other in one warm kernel, share one read (and the selections
    kept on it, :meth:`~analysis.compute.results.Results.rows`). Only the last report's is kept: a kernel runs its
    reports one after the other, and each kept one held ≈ 50 MB. Read-only: nothing that presents the results
    may change them."""
    if config is None:
        return _open_results_cached(str(Path(path).resolve()), str(code), int(year))
    return _open_results(path, code, year, config)


@lru_cache(maxsize=1)
def _open_results_cached(path: str, code: str, year: int):
    return _open_results(path, code, year, None)


def _open_results(path: str | Path, code: str, year: int, config: Config | None):
    from analysis.domain.catalogue import load_catalogue
    from analysis.domain.geography import load_geography
    from analysis.compute.results import Results
    from analysis.domain.strategy import load_strategy

    path = Path(path)
    meta = read_meta(str(path))
    if int(meta["year"]) != int(year):
        raise AnalysisError(f"{path}: resultaten gäller {meta['year']}, inte {year}")
    config = config or load_config(_project_of(path))
    geo = load_geography(config.root)
    county, codes = report_codes(code, geo)
    if county not in meta["counties"]:
        raise AnalysisError(f"{path}: resultaten omfattar inte län {county} (beräknade för län "
                            f"{', '.join(sorted(meta['counties']))}); kör med results_path = \"\" eller beräkna dem")
    frames = dict(_county_frames(str(path), county, int(year)))
    for name in TABLES:
        df = frames[name]
        frames[name] = df[df["geo_code"].isin(codes)].reset_index(drop=True)
    return Results(
        config, load_catalogue(config.root), geo, load_strategy(county, config.root), int(year),
        int(meta["counties"][county]["baseline_year"]), frames["tidy"], frames["gaps"], frames["trends"],
        Path(meta["data_path"]), read_grouping(str(path)), frames["group_values"], frames["group_gaps"],
        frames["positions"], artefact=path,
    )


@lru_cache(maxsize=1)
def _county_frames(path: str, county: str, year: int) -> dict[str, pd.DataFrame]:
    """One län's tables as a report reads them, read once for all of the län's reports that follow one another
    in a process (the batch's main process, a worker's kernel); each report takes its own rows
    (:func:`_open_results`). Read-only, like the results made from them."""
    meta = read_meta(path)
    folder = Path(path) / f"lan-{county}"
    frames = {}
    for name in (*TABLES, *GROUP_TABLES):
        df = pd.read_parquet(folder / f"{name}.parquet")
        for col, missing in meta["object_columns"][name].items():  # text comes back as pandas' string dtype
            if col in df and df[col].dtype != object:
                df[col] = df[col].astype(object).where(df[col].notna(), _MISSING[missing or "None"])
        if name == "positions":  # every kommun's place in the report year (a report shows no other year's)
            df = df[df["year"] == year]
        # the other text columns as Python strings too (object): a report selects a few rows some 300 times, and
        # pandas takes rows from one block of objects at once, from pyarrow-backed text column by column
        # (≈ 0,4 → 0,2 ms per selection); values and missing values (NaN) stay as they were
        text = {c: object for c, t in df.dtypes.items() if pd.api.types.is_string_dtype(t) and t != object}
        frames[name] = (df.astype(text) if text else df).reset_index(drop=True)
    return frames


if __name__ == "__main__":  # pragma: no cover - run by ensure_artefact_in_child
    main()
