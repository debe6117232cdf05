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
from analysis.errors import AnalysisError
from analysis.domain.geography import load_geography
from analysis.data.provenance import write_sidecar


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
    """Copy a validated file into ``folder`` as a time-stamped raw snapshot with its provenance sidecar."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    target = folder / f"{stamp}_{safe_name(Path(path).name)}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        write_sidecar(target, {"retrieved": dt.date.today().isoformat(),
                               "imported_from": str(Path(path).resolve()), **meta})
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise AnalysisError(f"{folder}: kan inte skriva den inlästa filen ({exc.strerror or exc})") from None
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
    target = keep_snapshot(Path(path), config.raw_dir / IMPORT_DIR, meta)
    try:
        before = load_tidy(config.data_path, catalogue, geography) if config.data_path.is_file() else None
        result = build_dataset(config, catalogue, geography)
        write_tidy(result.table, config.data_path)  # atomic: the old table stays if this fails
    except BaseException:
        target.unlink(missing_ok=True)
        target.with_name(target.name + ".source.yml").unlink(missing_ok=True)
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
