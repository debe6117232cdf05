"""Back test: gaps computed from the real SCB BAS snapshot equal the published values."""
import pytest

from analysis.compute.gaps import compute_gaps

# Published 2024 figures (SCB BAS, as carried by the national snapshot): Blekinge and riket, plus kommuner
# and regions in three other län: Luleå (Norrbotten), Malmö (Skåne), Kalmar (Kalmar län).
PUBLISHED_EMPLOYMENT_GAP_2024 = {"1081": 24.4, "0010": 20.0, "0000": 14.4, "1060": 14.4,
                                 "2580": 9.0, "1280": 15.8, "0880": 15.7, "0025": 10.9, "0012": 16.3, "0008": 17.3}
PUBLISHED_EMPLOYMENT_2024 = {"2580": (75.2, 84.2), "1280": (65.9, 81.7), "0880": (68.8, 84.5)}
PUBLISHED_UNEMPLOYMENT_2024 = {"0000": (11.9, 3.1), "0010": (16.5, 3.9), "1081": (24.0, 5.2),
                               "2580": (6.5, 2.5), "1280": (16.5, 5.4), "0880": (13.2, 3.1)}


@pytest.fixture(scope="module")
def gaps(tidy, catalogue, geography):
    real = tidy[~tidy["example"]]
    return compute_gaps(real, catalogue, geography)


@pytest.mark.parametrize("code,expected", PUBLISHED_EMPLOYMENT_GAP_2024.items())
def test_employment_gap_2024(gaps, code, expected):
    row = gaps[(gaps.indicator == "sysselsattningsgrad") & (gaps.geo_code == code) & (gaps.year == 2024)
               & (gaps.sex == "T")]
    assert len(row) == 1
    assert round(row["disadvantage"].iloc[0], 1) == expected
    assert row["worse_off"].iloc[0] == "subject"  # utrikes födda have the lower employment rate
    assert not row["example"].iloc[0]


@pytest.mark.parametrize("code,levels", PUBLISHED_UNEMPLOYMENT_2024.items())
def test_unemployment_2024(gaps, code, levels):
    row = gaps[(gaps.indicator == "arbetsloshet") & (gaps.geo_code == code) & (gaps.year == 2024)].iloc[0]
    assert (row.value_subject, row.value_reference) == levels
    assert round(row.gap, 1) == round(levels[0] - levels[1], 1)


@pytest.mark.parametrize("code,levels", PUBLISHED_EMPLOYMENT_2024.items())
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
