import pandas as pd
import pytest

from analysis.data.example_data import generate_example_data, load_profiles

IDS = ["behorighet_yrkesprogram", "gymnasieexamen_4ar", "sfi_minst_tva_kurser", "sfi_godkanda", "valdeltagande_kf"]


@pytest.fixture(scope="module")
def example(root, catalogue, geography):
    return generate_example_data(catalogue, geography, "10", (2019, 2024), 7, load_profiles(root), IDS)


def test_deterministic_by_seed(root, catalogue, geography, example):
    again = generate_example_data(catalogue, geography, "10", (2019, 2024), 7, load_profiles(root), IDS)
    pd.testing.assert_frame_equal(example, again)
    other = generate_example_data(catalogue, geography, "10", (2019, 2024), 8, load_profiles(root), IDS)
    assert not example["value"].equals(other["value"])


def test_flagged_and_plausible(example):
    assert example["example"].all()
    assert example["value"].between(1, 99).all()


def test_counts_add_up(example):
    c = example[example["indicator"] == "gymnasieexamen_4ar"]  # counts by sex (behörighet has no split by sex)
    p = c.pivot_table(index=["geo_code", "year", "group"], columns="sex", values="denominator", aggfunc="sum")
    assert (p["K"] + p["M"] == p["T"]).all()
    kommuner = c[~c["geo_code"].str.startswith("00") & (c["sex"] == "T")]
    lan = c[(c["geo_code"] == "0010") & (c["sex"] == "T")]
    summed = kommuner.groupby(["year", "group"])["numerator"].sum()
    assert (lan.set_index(["year", "group"])["numerator"].sort_index() == summed.sort_index()).all()


def test_levels_follow_catalogue(example):
    sfi = example[example["indicator"] == "sfi_godkanda"]
    assert set(sfi["sex"]) == {"T"} and not sfi["geo_code"].str.startswith("00").any()  # Kolada type K, no sex
    assert set(example[example["indicator"] == "valdeltagande_kf"]["year"]) == {2022}  # election years only
    assert set(example[example["indicator"] == "behorighet_yrkesprogram"]["sex"]) == {"T"}  # export 25: no sex


def test_no_profile_for_indicators_with_real_or_birth_region_figures(root):
    assert not {"god_halsa", "ohalsotal"} & set(load_profiles(root))
