"""Comparison groups: the SKR grouping as validated data, group values, places within group and riket."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.config import load_config
from analysis.errors import AnalysisError, DataValidationError
from analysis.compute.groups import (
    ComparisonGroup,
    Grouping,
    compute_group_gaps,
    compute_group_values,
    compute_positions,
    grouping_config,
    load_grouping,
    load_spec,
    validate_grouping,
)
from analysis.data.provenance import write_sidecar
from conftest import make_rows

SKR_FILE = "data/raw/skr/skr_kommungrupp_2023.csv"


def test_skr_2023_grouping_has_every_kommun_once_with_skr_wording(config, geography):
    grouping = load_grouping(config, geography)
    kommuner = {a.code for a in geography.kommuner}
    assert set(grouping.by_kommun) == kommuner and len(kommuner) == 290
    assert sum(len(g.members) for g in grouping.groups.values()) == 290
    sizes = {gid: len(g.members) for gid, g in grouping.groups.items()}
    assert sizes == {"A1": 3, "A2": 43, "B3": 23, "B4": 63, "B5": 24, "C6": 27, "C7": 51, "C8": 35, "C9": 21}
    ronneby = grouping.group_of("1081")
    assert ronneby.id == "C7"
    assert ronneby.label == "kommungruppen Pendlingskommun nära mindre stad/tätort"  # SKR's wording, not the file's
    assert all(isinstance(c, str) and len(c) == 4 for c in grouping.by_kommun)
    assert grouping.snapshots[0].meta["caveats"]  # provenance with caveats travels with the grouping


def _table(root):
    return pd.read_csv(root / SKR_FILE, dtype=str, keep_default_na=False)


def test_validation_lists_every_problem_with_line_and_column(root, geography):
    spec = load_spec(root / "data/groupings/skr-2023.yml")
    t = _table(root)
    t.loc[0, "kommunkod"] = "114"  # lost its leading zero
    t.loc[5, "kommungrupp_kod"] = "D1"  # not a declared group
    t.loc[7, "kommun"] = "Fel namn"
    t = pd.concat([t, t.iloc[[10]]], ignore_index=True)  # one kommun twice
    with pytest.raises(DataValidationError) as exc:
        validate_grouping(t, spec, geography, "test.csv")
    text = "\n".join(exc.value.problems)
    assert "rad 2, kolumn kommunkod: '114' har inte formen ^[0-9]{4}$" in text
    assert "rad 7, kolumn kommungrupp_kod: 'D1' är ingen deklarerad grupp" in text
    assert "rad 9, kolumn kommun: 'Fel namn' är inte namnet på" in text
    assert "rad 292, kolumn kommunkod" in text and "förekommer mer än en gång" in text  # pandera's unique check
    assert "fails" not in text and "line " not in text
    assert "1 kommun(er) saknar grupp: 0114 Upplands Väsby" in text
    assert "deklarerat 43" in text  # A2 lost a member


def test_group_name_in_file_must_match_the_declared_wording(root, geography):
    spec = load_spec(root / "data/groupings/skr-2023.yml")
    spec["groups"]["C7"].pop("file_names")
    with pytest.raises(DataValidationError, match="Pendlingskommun nära mindre tätort"):
        validate_grouping(_table(root), spec, geography, "test.csv")


def _set_grouping(project, **kommungrupp):
    path = project.root / "analysis.yml"
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    cfg["kommungrupp"] = {**(cfg.get("kommungrupp") or {}), **kommungrupp}
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    load_config.cache_clear()
    return load_config(project.root)


def test_a_new_skr_edition_is_data_and_configuration_only(project, geography):
    """A (made-up, test-only) later edition moving Ronneby to C6 replaces 2023 without code changes."""
    t = _table(project.root)
    t.loc[t["kommunkod"] == "1081", ["kommungrupp_kod", "kommungrupp"]] = ["C6", "Mindre stad/tätort"]
    new = project.root / "data/raw/skr/skr_kommungrupp_test_edition.csv"
    t.to_csv(new, index=False)
    write_sidecar(new, {"title": "test edition", "producer": "test", "url": "-", "retrieved": "2026-01-01",
                        "licence": "-"})
    spec = yaml.safe_load((project.root / "data/groupings/skr-2023.yml").read_text(encoding="utf-8"))
    spec.update(title="Testindelning", edition=2099, file=str(new.relative_to(project.root)))
    spec["groups"]["C6"]["size"], spec["groups"]["C7"]["size"] = 28, 50
    (project.root / "data/groupings/test.yml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    cfg = _set_grouping(project, skr="data/groupings/test.yml")
    grouping = load_grouping(cfg, geography)
    assert grouping.title == "Testindelning" and grouping.group_of("1081").id == "C6"
    # a changed snapshot without an updated sidecar is refused
    new.write_text(new.read_text(encoding="utf-8").replace("Ronneby", "Ronneby "), encoding="utf-8")
    with pytest.raises(AnalysisError, match="kontrollsumman"):
        load_grouping(cfg, geography)


def test_configuration_errors_are_one_clear_message(project):
    with pytest.raises(AnalysisError, match="source"):
        grouping_config(_set_grouping(project, source="scb"))
    with pytest.raises(AnalysisError, match="min_coverage"):
        grouping_config(_set_grouping(project, source="skr", min_coverage=0))


# --------------------------------------------------------------------------- group values

G = Grouping("test", {"X": ComparisonGroup("X", "Testgrupp", ("0001", "0002", "0003", "0004"), "skr")},
             {c: "X" for c in ("0001", "0002", "0003", "0004")}, min_coverage=0.5)


def _rows(values: dict, indicator="sysselsattningsgrad", group="utrikes", year=2024, **extra):
    rows = []
    for code, v in values.items():
        r = {"indicator": indicator, "geo_code": code, "year": year, "group": group, "age_band": "20-64",
             "value": v, "status": "" if v is not None and not np.isnan(v) else "..", **extra.get(code, {})}
        rows.append(r)
    df = make_rows(rows)
    df["value"] = df["value"].astype(float)
    return df


def test_group_value_is_the_unweighted_mean_of_kommuner_with_a_value(catalogue):
    tidy = _rows({"0001": 60.0, "0002": 70.0, "0003": 80.0, "0004": None, "9999": 10.0})
    v = compute_group_values(tidy, catalogue, G).iloc[0]
    assert v["value"] == pytest.approx(70.0) and v["n"] == 3 and v["n_members"] == 4
    assert v["method"] == "unweighted" and v["status"] == "" and not v["example"]


def test_group_value_needs_the_declared_coverage_and_marks_example_values(catalogue):
    few = compute_group_values(_rows({"0001": 60.0, "0002": None, "0003": None, "0004": None}), catalogue, G)
    assert few["value"].isna().all() and (few["status"] == "..").all() and few["n"].item() == 1
    ex = _rows({"0001": 60.0, "0002": 70.0}, **{"0002": {"example": True}})
    assert compute_group_values(ex, catalogue, G)["example"].item()


def test_weighted_method_pools_counts_only_where_every_kommun_has_them(catalogue):
    weighted = dataclasses.replace(G, method="weighted")
    counts = _rows({"0001": 50.0, "0002": 80.0},
                   **{"0001": {"numerator": 50, "denominator": 100}, "0002": {"numerator": 240, "denominator": 300}})
    v = compute_group_values(counts, catalogue, weighted).iloc[0]
    assert v["value"] == pytest.approx(290 / 400 * 100) and v["method"] == "weighted"
    mixed = _rows({"0001": 50.0, "0002": 80.0}, **{"0001": {"numerator": 50, "denominator": 100}})
    v = compute_group_values(mixed, catalogue, weighted).iloc[0]
    assert v["value"] == pytest.approx(65.0) and v["method"] == "unweighted"


def test_group_gap_is_the_difference_of_the_group_values(catalogue):
    tidy = pd.concat([_rows({"0001": 60.0, "0002": 64.0}), _rows({"0001": 80.0, "0002": 86.0}, group="inrikes")])
    gaps = compute_group_gaps(compute_group_values(tidy, catalogue, G), catalogue)
    g = gaps.iloc[0]
    assert g["gap"] == pytest.approx(62.0 - 83.0) and g["disadvantage"] == pytest.approx(21.0)
    assert g["n_subject"] == 2 and g["status"] == ""


@pytest.mark.parametrize("indicator", ["sysselsattningsgrad", "arbetsloshet"])  # higher / lower is better
def test_group_gap_is_the_gap_function_on_the_same_rows(catalogue, indicator):
    """The group gap is the one gap rule of compute.gaps: the group values, read as the rows of an area, give
    the same gap, disadvantage and status through compute_gaps – a missing side included."""
    from analysis.compute.gaps import compute_gaps

    two = Grouping("test", {**G.groups, "Y": ComparisonGroup("Y", "Andra", ("0005", "0006"), "skr")},
                   {**G.by_kommun, "0005": "Y", "0006": "Y"}, min_coverage=0.5)
    tidy = pd.concat([
        _rows({"0001": 60.0, "0002": 64.5, "0005": 7.25, "0006": None}, indicator=indicator),
        _rows({"0001": 80.0, "0002": 86.0, "0005": None, "0006": None}, indicator=indicator, group="inrikes"),
        _rows({"0001": 61.0, "0003": 52.0, "0005": 9.0}, indicator=indicator, year=2023),
        _rows({"0001": 58.0, "0004": 55.0, "0005": 9.5}, indicator=indicator, group="inrikes", year=2023),
    ], ignore_index=True)
    values = compute_group_values(tidy, catalogue, two)
    group_gaps = compute_group_gaps(values, catalogue)
    as_areas = make_rows(values.rename(columns={"group_id": "geo_code"})
                         .drop(columns=["n", "n_members", "method"]).to_dict("records"))
    area_gaps = compute_gaps(as_areas, catalogue, suppressed=True)
    assert len(group_gaps) == len(area_gaps) == 4
    keys = ["group_id", "year", "sex"]
    mine = group_gaps.set_index(keys)[["value_subject", "value_reference", "gap", "disadvantage", "status"]]
    theirs = (area_gaps.rename(columns={"geo_code": "group_id"}).set_index(keys)
              [["value_subject", "value_reference", "gap", "disadvantage", "status"]])
    pd.testing.assert_frame_equal(mine.sort_index(), theirs.sort_index(), check_dtype=False)
    missing = group_gaps[(group_gaps["group_id"] == "Y") & (group_gaps["year"] == 2024)].iloc[0]
    assert pd.isna(missing["gap"]) and missing["status"] == ".."
    sign = -1 if catalogue.get(indicator).higher_is_better else 1
    assert (group_gaps["disadvantage"].dropna() == sign * group_gaps["gap"].dropna()).all()


def test_positions_rank_the_disadvantage_and_never_rank_missing_values(catalogue, geography):
    from analysis.compute.gaps import compute_gaps

    kommuner = [a.code for a in geography.kommuner]
    grouping = Grouping("test", {"X": ComparisonGroup("X", "Testgrupp", tuple(kommuner[:4]), "skr"),
                                 "Y": ComparisonGroup("Y", "Rest", tuple(kommuner[4:]), "skr")},
                        {c: ("X" if i < 4 else "Y") for i, c in enumerate(kommuner)})
    utr = {c: 60.0 + (i % 50) * 0.5 for i, c in enumerate(kommuner)}
    utr[kommuner[3]] = None  # missing: never ranked
    utr[kommuner[2]] = utr[kommuner[1]]  # a tie shares the lower rank
    tidy = pd.concat([_rows(utr), _rows({c: 85.0 for c in kommuner}, group="inrikes")], ignore_index=True)
    gaps = compute_gaps(tidy, catalogue, geography, suppressed=True)
    pos = compute_positions(tidy, gaps, catalogue, grouping, geography)
    x = pos[pos["group_id"] == "X"].set_index("geo_code")
    assert kommuner[3] not in x.index
    # higher employment among utrikes födda = smaller disadvantage = lower rank
    assert list(x.loc[kommuner[:3], "rank_group"]) == [3, 1, 1]
    assert (x["n_group"] == 3).all() and (x["n_riket"] == 289).all()
    assert x.loc[kommuner[0], "rank_riket"] == 1 + sum(
        1 for c, v in utr.items() if v is not None and v > utr[kommuner[0]])


def test_positions_need_coverage(catalogue, geography):
    from analysis.compute.gaps import compute_gaps

    tidy = pd.concat([_rows({"0001": 60.0}), _rows({"0001": 80.0}, group="inrikes")])
    tidy["geo_code"] = "1081"
    grouping = Grouping("t", {"C7": ComparisonGroup("C7", "g", ("1081", "1060"), "skr")}, {"1081": "C7", "1060": "C7"})
    pos = compute_positions(tidy, compute_gaps(tidy, catalogue, geography, suppressed=True), catalogue, grouping,
                            geography)
    assert pos["rank_group"].notna().all() and pos["rank_riket"].isna().all()  # 1 of 2 in the group, 1 of 290


def test_suppressed_values_are_neither_in_the_group_value_nor_ranked(catalogue, geography):
    from analysis.compute.gaps import compute_gaps, suppress

    kommuner = [a.code for a in geography.kommuner]
    grouping = Grouping("t", {"X": ComparisonGroup("X", "g", tuple(kommuner), "skr")}, {c: "X" for c in kommuner})
    counts = {kommuner[0]: {"numerator": 3, "denominator": 10}}  # 3 of 10 persons: SCB's rule hides it
    utr = _rows({c: 60.0 + i % 7 for i, c in enumerate(kommuner)}, **counts)
    utr.loc[utr["geo_code"] == kommuner[0], "value"] = 30.0
    tidy = suppress(pd.concat([utr, _rows({c: 85.0 for c in kommuner}, group="inrikes")], ignore_index=True),
                    catalogue)
    assert tidy.loc[tidy["geo_code"] == kommuner[0], "status"].iloc[0] == ".."
    v = compute_group_values(tidy, catalogue, grouping)
    u = v[v["group"] == "utrikes"].iloc[0]
    assert u["n"] == 289 and u["value"] == pytest.approx(np.mean([60.0 + i % 7 for i in range(1, 290)]))
    pos = compute_positions(tidy, compute_gaps(tidy, catalogue, geography, suppressed=True), catalogue, grouping,
                            geography)
    assert kommuner[0] not in set(pos["geo_code"]) and (pos["n_riket"] == 289).all()


def test_methods_page_says_how_group_values_and_places_are_formed(config, geography):
    from analysis.compute.groups import methods_text

    text = methods_text(load_grouping(config, geography))
    assert "SKR:s kommungruppsindelning 2023 (290 kommuner i 9 grupper)" in text
    assert "ovägt medelvärde av kommunerna med värde" in text and "minst 50 procent" in text
