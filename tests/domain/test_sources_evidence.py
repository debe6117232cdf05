"""Every source the catalogue declares, checked against recorded evidence (tests/fixtures/sources/).

The live services cannot be reached here, so each declaration is tested against what was read from public material:
the Kolada KPI catalogue (which KPIs exist, for which levels, with or without a split by sex), Skolverket's export
measure list, the values SCB's and Folkhälsomyndigheten's tables list in public fetch scripts, and the FoHM snapshot
itself. A declaration that no evidence covers must say so in the entry's note.
"""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.data.sources.pxweb import _fold

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
ALL_LEVELS = {"kommun", "lan", "riket"}
KOLADA_LEVELS = {"K": {"kommun"}, "L": {"lan"}, "A": ALL_LEVELS}


@pytest.fixture(scope="module")
def evidence():
    return yaml.safe_load((HERE / "evidence.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def kpis():
    return pd.read_csv(HERE / "kolada_kpi_catalogue_2026-03_subset.csv", dtype=str, keep_default_na=False).set_index("id")


def evidenced_tables(evidence) -> dict[str, str]:
    """SCB v2 table id -> level, where a recorded script names it."""
    out = {}
    for key in ("scb_tab6383_tab6384", "scb_valdeltagande_v2_ids", "scb_ohalsotal"):
        out.update({table: level for level, table in evidence[key]["tables"].items()})
    return out


def table_values(evidence, table: str) -> dict[str, list[str]]:
    """The values (codes or labels) a recorded script lists for one SCB table's dimensions."""
    if table in ("TAB6383", "TAB6384"):
        vals = {k: list(v) for k, v in evidence["scb_intgr1_bas"]["values"].items()}
        for dim, codes in evidence["scb_intgr1komutbbas_codes"]["codes"].items():
            if table == "TAB6383" or dim != "ContentsCode":
                vals.setdefault(dim, []).extend(codes)
        return vals
    if table in ("TAB4268", "TAB4255"):
        return evidence["scb_valdeltagande"]["values"]
    return {}


def covered_levels(ind, evidence, kpis, fohm_levels) -> set[str]:
    levels = set()
    if ind.source.get("kolada"):
        levels |= set.intersection(*(KOLADA_LEVELS[kpis.loc[k, "municipality_type"]] for k in ind.source["kolada"]))
    tables = evidenced_tables(evidence)
    for level, table in (ind.source.get("pxweb") or {}).get("tables", {}).items():
        if tables.get(table) == level:
            levels.add(level)
    export = ind.source.get("skolverket_export")
    if isinstance(export, dict) and export == evidence["skolverket_genomstromning"]["exports"]:
        levels |= set(export)
    for table, level in tables.items():  # a table named in the entry without a fetch declaration
        if table in str(ind.source.get("scb_table", "")):
            levels.add(level)
    if ind.id == "god_halsa":
        levels |= fohm_levels
    return levels


@pytest.fixture(scope="module")
def fohm_rows(root):
    path = root / "data/raw/fohm/fohm_hlv_dalarna_kommuner_lan_riket_efter_fodelseland_2014_2018_2021.csv"
    raw = pd.read_csv(path)
    return raw[raw["Fråga"] == "Allmänt hälsotillstånd - Bra eller mycket bra hälsa"]


def test_every_kolada_kpi_exists_in_the_catalogue_of_2026(catalogue, kpis):
    for ind in catalogue:
        for kpi in ind.source.get("kolada", []):
            assert kpi in kpis.index, f"{ind.id}: {kpi} is not in Kolada's KPI catalogue 2026-03"
        for g in ind.groups.values():
            if g["series"].startswith(("N", "U")) and g["series"][1:].isdigit():
                assert g["series"] in ind.source.get("kolada", []), f"{ind.id}: series {g['series']} not declared"


def test_every_declared_level_is_evidenced_or_said_to_be_unconfirmed(catalogue, evidence, kpis, fohm_rows):
    fohm_levels = {"riket" if a == "Riket" else "lan" if a == "Dalarna" else "kommun" for a in fohm_rows["Kommun"]}
    for ind in catalogue:
        missing = set(ind.levels) - covered_levels(ind, evidence, kpis, fohm_levels)
        if missing:
            assert "inte belagt" in ind.source.get("note", ""), f"{ind.id}: levels {missing} have no evidence"


def test_kommun_only_kpis_make_kommun_only_indicators(catalogue, kpis):
    """N18409 / N18949 (sfi) are type K: the entries no longer promise län and riket."""
    for ind_id in ("sfi_minst_tva_kurser", "sfi_godkanda"):
        ind = catalogue.get(ind_id)
        assert {kpis.loc[k, "municipality_type"] for k in ind.source["kolada"]} == {"K"}
        assert ind.levels == ("kommun",)
    vote = catalogue.get("valdeltagande_kf")  # U65861/U65860 are K: län and riket come from SCB's tables
    assert {kpis.loc[k, "municipality_type"] for k in vote.source["kolada"]} == {"K"}
    assert set(vote.source["pxweb"]["tables"]) == {"lan", "riket"}


def test_a_split_by_sex_is_declared_only_where_a_source_has_it(catalogue, evidence, kpis, fohm_rows):
    for ind in catalogue:
        sources_with_sex = []
        if ind.source.get("kolada"):
            sources_with_sex.append(all(kpis.loc[k, "is_divided_by_gender"] == "True" for k in ind.source["kolada"]))
        if (ind.source.get("pxweb") or {}).get("sex"):
            sources_with_sex.append(True)
        if ind.id == "god_halsa":
            sources_with_sex.append({"Kvinna", "Man"} <= set(fohm_rows["Kön"]))
        if "TAB1768" in str(ind.source.get("scb_table", "")):
            sources_with_sex.append(evidence["scb_ohalsotal"]["codes"]["Kon"] == ["1", "2"])
        if ind.source.get("skolverket_export") == 25:
            sources_with_sex.append(bool(evidence["skolverket_export_25"]["sex_measures_in_export"]))
        assert ind.sex_split == any(sources_with_sex), ind.id
    assert not catalogue.get("sfi_godkanda").sex_split  # N18949: is_divided_by_gender False


def test_skolverket_series_are_measures_of_the_declared_export(catalogue, evidence):
    ind = catalogue.get("behorighet_yrkesprogram")
    ev = evidence["skolverket_export_25"]
    assert ind.source["skolverket_export"] == 25
    assert {g["series"] for g in ind.groups.values()} <= set(ev["measures"])
    assert ind.groups["utrikes"]["series"] == "and_behorig_f_utl"  # born abroad; and_behorig_utl does not exist
    assert "and_behorig_utl" in ev["not_in_export"]


def test_completion_is_not_declared_from_the_pupil_composition_export(catalogue, evidence):
    ind = catalogue.get("gymnasieexamen_4ar")
    assert not evidence["skolverket_export_461"]["measures_completion"]
    assert 461 not in (ind.source["skolverket_export"].values())
    assert ind.source["skolverket_export"] == evidence["skolverket_genomstromning"]["exports"]
    # no source splits completion by background: compared with län and riket instead
    assert not evidence["skolverket_genomstromning"]["background_split"] and ind.comparison == "regional"


def test_every_declared_scb_table_and_value_is_one_a_recorded_script_names(catalogue, evidence):
    tables = evidenced_tables(evidence)
    for ind in catalogue:
        spec = ind.source.get("pxweb")
        if not spec:
            continue
        for level, table in spec["tables"].items():
            assert tables.get(table) == level, f"{ind.id}: {table} for {level} has no evidence"
            have = {dim: {_fold(v) for v in vals} for dim, vals in table_values(evidence, table).items()}
            contents = spec["contents"] if isinstance(spec["contents"], str) else spec["contents"][level]
            declared = [("ContentsCode", contents)]
            declared += [(spec["group"]["dimension"], v) for v in spec["group"]["codes"].values()]
            declared += [(spec["sex"]["dimension"], v) for v in spec.get("sex", {}).get("codes", {}).values()
                         if v not in ("1", "2")]  # SCB's sex codes 1 = män, 2 = kvinnor
            declared += list((spec.get("fixed") or {}).items())
            for dim, value in declared:
                assert _fold(value) in have.get(dim, set()), f"{ind.id} {table}: {dim}={value!r} not evidenced"


def test_ohalsotal_is_not_fetched_without_a_known_contents_code(catalogue, evidence):
    ind = catalogue.get("ohalsotal")
    assert not evidence["scb_ohalsotal"]["contents_code_known"] and "pxweb" not in ind.source
    assert {g["series"] for g in ind.groups.values()} == set(evidence["scb_ohalsotal"]["codes"]["Bakgrund"])
    assert ind.levels == ("lan",)
    # the recorded call names no age variable: 20–64 is what the integration tables say, and the entry says so
    assert "Alder" not in evidence["scb_ohalsotal"]["codes"] and "inte bekräftad" in ind.population


def test_health_groups_are_the_birth_regions_the_survey_has(catalogue, evidence, fohm_rows):
    ind = catalogue.get("god_halsa")
    assert {g["series"] for g in ind.groups.values()} == set(fohm_rows["Födelseland"])
    assert {_fold(g["series"]) for g in ind.groups.values()} == {
        _fold(v) for v in evidence["fohm_halsgodcfod"]["values"]["Fodelseland"]}
    assert evidence["fohm_halsgodcfod"]["levels"] == ["riket"] and not evidence["fohm_halsgodyreg"]["by_fodelseland"]
    # the producer's table by födelseland is declared for the one level it has
    assert ind.source["fohm_table"] == {lv: "halsgodcfod" for lv in evidence["fohm_halsgodcfod"]["levels"]}
    assert "riket" in ind.source["note"]


def test_declared_first_years_are_the_first_years_the_recorded_scripts_list(catalogue, evidence):
    """sysselsattningsgrad: SCB's BAS integration tables start 2022 (the scripts list Tid 2022, 2023), so the
    tables are declared `from: 2022` and the series' 2020–2021 come from Kolada; valdeltagande: SCB's tables
    list only election years (2018, 2022), which is what `election_years` says."""
    work = catalogue.get("sysselsattningsgrad")
    first = min(int(y) for y in evidence["scb_intgr1_bas"]["values"]["Tid"])
    assert work.source["pxweb"]["from"] == first == 2022
    assert work.series_start < first and work.source.get("kolada")  # the years before come from Kolada
    vote = catalogue.get("valdeltagande_kf")
    years = [int(y) for y in evidence["scb_valdeltagande"]["values"]["Tid"]]
    assert vote.election_years and all(vote.measured_in(y) for y in years)
    assert not vote.measured_in(2020)  # a non-election year: the latest election is shown instead
