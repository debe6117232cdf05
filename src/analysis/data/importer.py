"""`analysis import`: add a municipality's or region's own figures (CSV or XLSX in the tidy contract).

The file is validated (every problem with line and column), kept as a raw snapshot under
``data/raw/import/`` with a provenance sidecar, and the tidy dataset is rebuilt: imported rows replace
example rows (and earlier values) for the same indicator, area, year and sex. The report says what was replaced.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.data.build import COVER_KEY, IMPORT_DIR, build_dataset
from analysis.domain.catalogue import load_catalogue
from analysis.config import Config, load_config
from analysis.data.contract import load_tidy, read_table, validate_tidy, write_tidy
from analysis.errors import AnalysisError, os_error_reason
from analysis.locks import data_lock
from analysis.domain.geography import load_geography
from analysis.data.provenance import sidecar_path, write_sidecar


@dataclass
class ImportReport:
    snapshot: Path
    rows: int
    replaced_example: pd.DataFrame  # indicator, geo_code, rows
    replaced_real: int
    data_path: Path


def safe_name(name: str, limit: int = 100) -> str:
    """A file name that every file system accepts: word characters, dots and dashes, at most ``limit`` long
    (the suffix is kept)."""
    safe = re.sub(r"[^\w.-]+", "_", name).lstrip(".") or "fil"
    stem, suffix = (safe[: -len(Path(safe).suffix)], Path(safe).suffix) if Path(safe).suffix else (safe, "")
    return stem[: max(1, limit - len(suffix[:10]))] + suffix[:10]


def keep_snapshot(path: Path, folder: Path, meta: dict) -> Path:
    """Copy a validated file into ``folder`` as a time-stamped raw snapshot with its provenance sidecar.

    The name is new (created exclusively): a snapshot is never overwritten, and a failed import removes only
    its own. A name taken already (the same file imported twice in one second) gets the next free second, so
    that name order stays import order (later imports win)."""
    now = dt.datetime.now().replace(microsecond=0)
    name = safe_name(Path(path).name)
    target = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(1000):
            candidate = folder / f"{(now + dt.timedelta(seconds=n)).strftime('%Y%m%dT%H%M%S')}_{name}"
            try:
                with open(candidate, "xb"):
                    pass
            except FileExistsError:
                continue
            target = candidate
            break
        if target is None:
            raise AnalysisError(f"{folder}: för många inlästa filer med samma namn och tid")
        shutil.copyfile(path, target)
        write_sidecar(target, {"retrieved": dt.date.today().isoformat(),
                               "imported_from": str(Path(path).resolve()), **meta})
    except OSError as exc:
        if target is not None:
            target.unlink(missing_ok=True)
            sidecar_path(target).unlink(missing_ok=True)
        raise AnalysisError(f"{folder}: kan inte skriva den inlästa filen ({os_error_reason(exc)})") from None
    return target


def import_file(path: Path, producer: str, title: str | None = None, url: str | None = None,
                licence: str = "enligt leverantören", config: Config | None = None,
                sheet: str | None = None) -> ImportReport:
    config = config or load_config()
    catalogue, geography = load_catalogue(config.root), load_geography(config.root)
    table = read_table(Path(path), sheet)
    new = validate_tidy(table, catalogue, geography, source=str(path))  # raises with every problem listed
    meta = {
        "title": title or f"Egna uppgifter: {Path(path).name}", "producer": producer,
        "url": url or f"file://{Path(path).resolve()}", "licence": licence, "rows": int(len(new)),
    }
    if table.attrs.get("sheet"):
        meta["sheet"] = table.attrs["sheet"]  # the rebuild reads the same sheet
    with data_lock(config.root):  # one writer of data/ at a time; the table is rebuilt from what is there now
        target = keep_snapshot(Path(path), config.raw_dir / IMPORT_DIR, meta)
        try:
            before = load_tidy(config.data_path, catalogue, geography) if config.data_path.is_file() else None
            result = build_dataset(config, catalogue, geography)
            write_tidy(result.table, config.data_path)  # atomic: the old table stays if this fails
        except BaseException:  # only this run's own snapshot goes
            target.unlink(missing_ok=True)
            sidecar_path(target).unlink(missing_ok=True)
            raise
    replaced_example = pd.DataFrame(columns=["indicator", "geo_code", "rows"])
    replaced_real = 0
    if before is not None:
        keys = pd.MultiIndex.from_frame(new[COVER_KEY])
        hit = before[pd.MultiIndex.from_frame(before[COVER_KEY]).isin(keys)]
        ex = hit[hit["example"]]
        replaced_example = ex.groupby(["indicator", "geo_code"]).size().rename("rows").reset_index()
        replaced_real = int((~hit["example"]).sum())
    return ImportReport(target, len(new), replaced_example, replaced_real, config.data_path)
