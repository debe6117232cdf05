from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.domain.catalogue import load_catalogue
from analysis.config import load_config
from analysis.data.contract import COLUMNS, load_tidy
from analysis.domain.geography import load_geography

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def config():
    return load_config(ROOT)


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue(ROOT)


@pytest.fixture(scope="session")
def geography():
    return load_geography(ROOT)


@pytest.fixture(scope="session")
def tidy(config, catalogue, geography) -> pd.DataFrame:
    return load_tidy(config.data_path, catalogue, geography)


@pytest.fixture()
def project(root, tmp_path):
    """A throwaway copy of the project's data and configuration (tests may write into its data/)."""
    shutil.copytree(root / "data", tmp_path / "data")
    shutil.copy(root / "analysis.yml", tmp_path / "analysis.yml")
    load_config.cache_clear()
    yield load_config(tmp_path)
    load_config.cache_clear()


@pytest.fixture(scope="session")
def out_config(config, tmp_path_factory):
    """The configuration with reports going to a temporary folder."""
    return dataclasses.replace(config, output_dir=tmp_path_factory.mktemp("reports"))


def _render(out_config, municipalities, county):
    from analysis.publish.render import plan, prepare_assets, run_job

    jobs = plan(municipalities, county, 2024, ("html", "pdf"), config=out_config)
    prepare_assets(out_config.output_path, 2024)
    results = [run_job(job) for job in jobs if job.kind == ("kommun" if municipalities else "lan")]
    for result in results:
        assert result.ok, result.error
    return results[0]


@pytest.fixture(scope="session")
def ronneby(out_config):
    """Ronneby's report (HTML and PDF) rendered from the embedded data, once per test session."""
    return _render(out_config, ["1081"], None)


@pytest.fixture(scope="session")
def county_report(out_config):
    """Blekinge's county report (HTML and PDF), once per test session."""
    return _render(out_config, [], "10")


def make_rows(rows: list[dict]) -> pd.DataFrame:
    """Tidy rows with defaults for the columns a test does not care about."""
    base = {"sex": "T", "numerator": float("nan"), "denominator": float("nan"), "margin": float("nan"),
            "status": "", "source": "test", "example": False}
    return pd.DataFrame([{**base, **r} for r in rows], columns=COLUMNS)
