"""The BAS snapshot through the pipeline, and against the producer's own figures where one is recorded.

Most checks here are CONSISTENCY checks, not back tests: the expected 2024 figures below were read from the same
carrier file as the snapshot (Region Halland's dashboard data), so they show that the pipeline reproduces the
carrier's values, not that the carrier reproduces SCB. The one comparison with a figure the producer published
itself is ``test_snapshot_equals_the_producers_published_figure``: SCB's BAS values for Linköping as Kolada's API
served them (a recorded Kolada v2 response, tests/fixtures/api/data_kpi_N02282_municipality_0580.json).
"""
import json
from pathlib import Path

import pytest

from analysis.compute.gaps import compute_gaps

# 2024 figures as the carrier file has them (SCB BAS via Region Halland): Blekinge and riket, plus kommuner and
# regions in three other län: Luleå (Norrbotten), Malmö (Skåne), Kalmar (Kalmar län).
CARRIER_EMPLOYMENT_GAP_2024 = {"1081": 24.4, "0010": 20.0, "0000": 14.4, "1060": 14.4,
                                 "2580": 9.0, "1280": 15.8, "0880": 15.7, "0025": 10.9, "0012": 16.3, "0008": 17.3}
CARRIER_EMPLOYMENT_2024 = {"2580": (75.2, 84.2), "1280": (65.9, 81.7), "0880": (68.8, 84.5)}
CARRIER_UNEMPLOYMENT_2024 = {"0000": (11.9, 3.1), "0010": (16.5, 3.9), "1081": (24.0, 5.2),
                               "2580": (6.5, 2.5), "1280": (16.5, 5.4), "0880": (13.2, 3.1)}


@pytest.fixture(scope="module")
def gaps(tidy, catalogue, geography):
    real = tidy[~tidy["example"]]
    return compute_gaps(real, catalogue, geography)


@pytest.mark.parametrize("code,expected", CARRIER_EMPLOYMENT_GAP_2024.items())
def test_employment_gap_2024(gaps, code, expected):
    row = gaps[(gaps.indicator == "sysselsattningsgrad") & (gaps.geo_code == code) & (gaps.year == 2024)
               & (gaps.sex == "T")]
    assert len(row) == 1
    assert round(row["disadvantage"].iloc[0], 1) == expected
    assert row["worse_off"].iloc[0] == "subject"  # utrikes födda have the lower employment rate
    assert not row["example"].iloc[0]


@pytest.mark.parametrize("code,levels", CARRIER_UNEMPLOYMENT_2024.items())
def test_unemployment_2024(gaps, code, levels):
    row = gaps[(gaps.indicator == "arbetsloshet") & (gaps.geo_code == code) & (gaps.year == 2024)].iloc[0]
    assert (row.value_subject, row.value_reference) == levels
    assert round(row.gap, 1) == round(levels[0] - levels[1], 1)


@pytest.mark.parametrize("code,levels", CARRIER_EMPLOYMENT_2024.items())
def test_employment_2024(gaps, code, levels):
    row = gaps[(gaps.indicator == "sysselsattningsgrad") & (gaps.geo_code == code) & (gaps.year == 2024)
               & (gaps.sex == "T")].iloc[0]
    assert (row.value_subject, row.value_reference) == levels


def test_real_rows_are_not_example(tidy):
    real = tidy[tidy["indicator"].isin(["sysselsattningsgrad", "arbetsloshet"])]
    assert len(real) == 6240 and not real["example"].any()
    assert set(real["year"]) == {2020, 2021, 2022, 2023, 2024}


def test_every_area_has_real_bas_figures(tidy, geography):
    """Every kommun, region and riket: both indicators, both groups, 2020–2024, a value and no example."""
    real = tidy[tidy["indicator"].isin(["sysselsattningsgrad", "arbetsloshet"]) & ~tidy["example"]]
    assert real["value"].notna().all()
    per_area = real.groupby("geo_code").size()
    codes = {a.code for a in geography.kommuner} | {a.code for a in geography.counties} | {"0000"}
    assert len(codes) == 312
    assert set(per_area.index) == codes
    assert (per_area == 2 * 2 * 5).all()


def test_tidy_equals_the_raw_snapshot(tidy, config):
    """Each value in the tidy table is the raw file's value for the same area, series and year."""
    import pandas as pd

    from analysis.data.sources.scb_bas import SNAPSHOT

    raw = pd.read_csv(config.raw_dir / SNAPSHOT, dtype={"area_code": str})
    ind = raw["measure"].map({"sysselsattningsgrad": "sysselsattningsgrad",
                              "arbetsloshet_av_arbetskraften": "arbetsloshet"})
    grp = raw["birth_group"].str.replace("_fodda", "")
    expected = dict(zip(zip(ind, raw["area_code"], raw["year"], grp), raw["value"]))
    real = tidy[tidy["indicator"].isin(["sysselsattningsgrad", "arbetsloshet"])]
    got = dict(zip(zip(real["indicator"], real["geo_code"], real["year"], real["group"]), real["value"]))
    assert got == expected


RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "api" / "data_kpi_N02282_municipality_0580.json"


def test_snapshot_equals_the_producers_published_figure(tidy):
    """Arbetslöshet bland utrikes födda, Linköping 2020–2023: the carried snapshot (one decimal) against SCB's BAS
    values as Kolada published them (full precision, recorded 2025-10-02): equal after rounding, every year."""
    published = {row["period"]: next(v["value"] for v in row["values"] if v["gender"] == "T")
                 for row in json.loads(RECORDED.read_text(encoding="utf-8"))["values"] if row["kpi"] == "N02282"}
    assert sorted(published) == [2020, 2021, 2022, 2023]
    ours = tidy[(tidy["indicator"] == "arbetsloshet") & (tidy["geo_code"] == "0580") & (tidy["group"] == "utrikes")
                & (tidy["sex"] == "T")].set_index("year")["value"]
    for year, value in published.items():
        assert ours[year] == round(value, 1), (year, ours[year], value)
