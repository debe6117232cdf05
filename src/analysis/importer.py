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

from .build import COVER_KEY, IMPORT_DIR, build_dataset
from .catalogue import load_catalogue
from .config import Config, load_config
from .contract import load_tidy, write_tidy
from .geography import load_geography
from .provenance import write_sidecar


@dataclass
class ImportReport:
    snapshot: Path
    rows: int
    replaced_example: pd.DataFrame  # indicator, geo_code, rows
    replaced_real: int
    data_path: Path


def keep_snapshot(path: Path, folder: Path, meta: dict) -> Path:
    """Copy a validated file into ``folder`` as a time-stamped raw snapshot with its provenance sidecar."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    safe = re.sub(r"[^\w.-]+", "_", Path(path).name)
    target = folder / f"{stamp}_{safe}"
    shutil.copyfile(path, target)
    write_sidecar(target, {"retrieved": dt.date.today().isoformat(),
                           "imported_from": str(Path(path).resolve()), **meta})
    return target


def import_file(path: Path, producer: str, title: str | None = None, url: str | None = None,
                licence: str = "enligt leverantören", config: Config | None = None) -> ImportReport:
    config = config or load_config()
    catalogue, geography = load_catalogue(config.root), load_geography(config.root)
    new = load_tidy(Path(path), catalogue, geography)  # raises with every problem listed
    target = keep_snapshot(Path(path), config.raw_dir / IMPORT_DIR, {
        "title": title or f"Egna uppgifter: {Path(path).name}", "producer": producer,
        "url": url or f"file://{Path(path).resolve()}", "licence": licence, "rows": int(len(new)),
    })
    try:
        before = load_tidy(config.data_path, catalogue, geography) if config.data_path.is_file() else None
        result = build_dataset(config, catalogue, geography)
    except Exception:
        target.unlink(missing_ok=True)
        target.with_name(target.name + ".source.yml").unlink(missing_ok=True)
        raise
    write_tidy(result.table, config.data_path)
    replaced_example = pd.DataFrame(columns=["indicator", "geo_code", "rows"])
    replaced_real = 0
    if before is not None:
        keys = pd.MultiIndex.from_frame(new[COVER_KEY])
        hit = before[pd.MultiIndex.from_frame(before[COVER_KEY]).isin(keys)]
        ex = hit[hit["example"]]
        replaced_example = ex.groupby(["indicator", "geo_code"]).size().rename("rows").reset_index()
        replaced_real = int((~hit["example"]).sum())
    return ImportReport(target, len(new), replaced_example, replaced_real, config.data_path)
