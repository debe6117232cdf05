"""Back test: gaps computed from the real SCB BAS snapshot equal the published values."""
import pytest

from analysis.gaps import compute_gaps

PUBLISHED_EMPLOYMENT_GAP_2024 = {"1081": 24.4, "0010": 20.0, "0000": 14.4, "1060": 14.4}
PUBLISHED_UNEMPLOYMENT_2024 = {"0000": (11.9, 3.1), "0010": (16.5, 3.9), "1081": (24.0, 5.2)}


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


def test_real_rows_are_not_example(tidy):
    real = tidy[tidy["indicator"].isin(["sysselsattningsgrad", "arbetsloshet"])]
    assert len(real) == 140 and not real["example"].any()
    assert set(real["year"]) == {2020, 2021, 2022, 2023, 2024}
