"""Build the embedded tidy dataset: real snapshots first, generated example rows only where none exist."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.domain.catalogue import Catalogue, load_catalogue
from analysis.config import Config, load_config
from analysis.data.contract import KEY, load_tidy, validate_tidy, write_tidy
from analysis.data.example_data import generate_example_data, load_profiles
from analysis.domain.geography import Geography, load_geography
from analysis.data.provenance import load_snapshot
from analysis.data.sources import fohm, kolada, pxweb
from analysis.data.sources.scb_bas import tidy_bas

IMPORT_DIR = "import"
#: Example rows are dropped where real or imported rows exist for the same indicator, area, year and sex.
COVER_KEY = ["indicator", "geo_code", "year", "sex"]


@dataclass
class BuildResult:
    table: pd.DataFrame
    real_indicators: list[str]
    example_indicators: list[str]
    path: Path | None = None


def build_dataset(
    config: Config | None = None,
    catalogue: Catalogue | None = None,
    geography: Geography | None = None,
    county: str | None = None,
) -> BuildResult:
    """Real rows from data/raw plus example rows for every indicator that has no real rows."""
    config = config or load_config()
    catalogue = catalogue or load_catalogue(config.root)
    geography = geography or load_geography(config.root)
    real = real_rows(config, catalogue, geography)
    real_ids = sorted(real["indicator"].unique())
    profiles = load_profiles(config.root)
    # Example rows only for indicators with an example profile: a new catalogue indicator needs nothing but
    # its entry and its data; without data it is shown as "uppgift saknas", never invented.
    example_ids = [i for i in catalogue.ids() if i not in real_ids and i in profiles]
    imported = imported_rows(config, catalogue, geography)
    example = generate_example_data(
        catalogue,
        geography,
        county=county or config.county,
        years=config.example_years,
        seed=config.example_seed,
        profiles=profiles,
        indicators=example_ids,
    )
    # Later sources win: real snapshots, then imported files (in name order), then example rows where
    # nothing else covers the same indicator, area, year and sex.
    if len(imported):
        real = pd.concat([real, imported], ignore_index=True).drop_duplicates(KEY, keep="last")
    covered = pd.MultiIndex.from_frame(real[COVER_KEY])
    example = example[~pd.MultiIndex.from_frame(example[COVER_KEY]).isin(covered)]
    table = pd.concat([real, example], ignore_index=True)
    table = validate_tidy(table, catalogue, geography, source="built dataset")
    return BuildResult(table.sort_values(KEY).reset_index(drop=True), real_ids, example_ids)


def real_rows(config: Config, catalogue: Catalogue, geography: Geography) -> pd.DataFrame:
    """Rows from the raw snapshots: the transcribed BAS file, then API snapshots (Kolada, SCB PxWebApi).

    Where two snapshots give the same key, the later one wins: data fetched from the APIs replace the
    transcribed copy.
    """
    frames = [
        tidy_bas(config.raw_dir),
        fohm.tidy_fohm(config.raw_dir, catalogue, geography),
        kolada.tidy_snapshots(config.raw_dir, catalogue, geography),
        pxweb.tidy_snapshots(config.raw_dir, catalogue),
    ]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True).drop_duplicates(KEY, keep="last")


def build_and_write(config: Config | None = None, path: Path | None = None) -> BuildResult:
    from analysis.locks import data_lock

    config = config or load_config()
    with data_lock(config.root):  # the raw snapshots do not change while the table is built from them
        result = build_dataset(config)
        path = path or config.data_path
        write_tidy(result.table, path)
    result.path = path
    return result


def imported_rows(config: Config, catalogue: Catalogue, geography: Geography) -> pd.DataFrame:
    """Every file imported with `analysis import` (data/raw/import/*, checksums verified), in name order."""
    folder = config.raw_dir / IMPORT_DIR
    frames = []
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.name.endswith(".source.yml") or path.name.startswith("."):
            continue
        snap = load_snapshot(path)
        frames.append(load_tidy(path, catalogue, geography, sheet=snap.meta.get("sheet")))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
