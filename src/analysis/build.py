"""Build the embedded tidy dataset: real snapshots first, generated example rows only where none exist."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .catalogue import Catalogue, load_catalogue
from .config import Config, load_config
from .contract import KEY, validate_tidy, write_tidy
from .example_data import generate_example_data, load_profiles
from .geography import Geography, load_geography
from .sources.scb_bas import tidy_bas


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
    real = tidy_bas(config.raw_dir)
    real_ids = sorted(real["indicator"].unique())
    example_ids = [i for i in catalogue.ids() if i not in real_ids]
    example = generate_example_data(
        catalogue,
        geography,
        county=county or config.county,
        years=config.example_years,
        seed=config.example_seed,
        profiles=load_profiles(config.root),
        indicators=example_ids,
    )
    table = pd.concat([real, example], ignore_index=True)
    table = validate_tidy(table, catalogue, geography, source="built dataset")
    return BuildResult(table.sort_values(KEY).reset_index(drop=True), real_ids, example_ids)


def build_and_write(config: Config | None = None, path: Path | None = None) -> BuildResult:
    config = config or load_config()
    result = build_dataset(config)
    path = path or config.data_path
    write_tidy(result.table, path)
    result.path = path
    return result
