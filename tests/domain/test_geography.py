import csv
from pathlib import Path

import pytest

from analysis.errors import UnknownAreaError
from analysis.domain.geography import county_name, fold, genitive, load_names

EVIDENCE = Path(__file__).resolve().parents[1] / "fixtures" / "geography"


def test_all_areas_with_string_codes(geography):
    assert len(geography.kommuner) == 290
    assert len(geography.counties) == 21
    assert geography.area("0000").level == "riket"
    for a in geography:
        assert isinstance(a.code, str) and len(a.code) == 4 and a.code.isdigit()


def test_leading_zeros_and_county_mapping(geography):
    kalmar = geography.area("0880")
    assert kalmar.name == "Kalmar" and kalmar.county == "08" and kalmar.county_code == "0008"
    assert geography.area("0008").name == "Kalmar län" and geography.area("0008").region == "Region Kalmar"
    assert geography.area("0010").name == "Blekinge län" and geography.area("0010").region == "Region Blekinge"
    assert [a.code for a in geography.kommuner_in("10")] == ["1060", "1080", "1081", "1082", "1083"]
    assert len(geography.kommuner_in("08")) == 12
    assert [a.code for a in geography.comparison_areas("1081")] == ["1081", "0010", "0000"]


def test_swedish_names_intact(geography):
    assert geography.area("1083").name == "Sölvesborg"
    assert geography.area("0884").name == "Vimmerby"
    assert geography.area("0821").name == "Högsby"


def test_find_by_name_without_accents(geography):
    assert geography.find("Solvesborg").code == "1083"
    assert geography.find("region blekinge").code == "0010"
    assert geography.county("8").code == "0008"
    assert geography.county("10").code == "0010"


def test_unknown_code_suggests_near_matches(geography):
    with pytest.raises(UnknownAreaError) as exc:
        geography.area("880")
    msg = str(exc.value)
    assert "'0880'" in msg and "0880 Kalmar" in msg
    with pytest.raises(UnknownAreaError) as exc:
        geography.find("Solvesborgh")
    assert "1083 Sölvesborg" in str(exc.value)


def test_integer_code_is_rejected_with_hint(geography):
    with pytest.raises(UnknownAreaError, match="'0880'"):
        geography.area(880)


def test_county_rejects_kommun(geography):
    with pytest.raises(UnknownAreaError, match="inte ett län"):
        geography.county("1081")


def test_fold():
    assert fold("Sölvesborg") == "solvesborg"
    assert fold("Håbo Älvdalen") == "habo alvdalen"


def _evidence(name):
    with open(EVIDENCE / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_official_kommun_names_match_the_evidence(geography):
    rows = _evidence("official_kommun_names.csv")
    assert len(rows) == 290
    for r in rows:
        area = geography.area(r["code"])
        assert area.name == r["kommun"]  # the Kolada short name
        assert area.official == r["official_friberg_2024"], r
        if r["official_jobtech_2018"] == r["official_friberg_2024"]:
            assert area.official == r["official_jobtech_2018"]
        assert county_name(area) == r["lan"]


def test_kommun_exceptions_are_needed_and_few():
    names = load_names()
    by_code = {r["code"]: r for r in _evidence("official_kommun_names.csv")}
    for code, official in names.kommun_exceptions.items():
        rule = names.kommun_stem(by_code[code]["kommun"]) + names.kommun_suffix
        assert official != rule and official == by_code[code]["official_friberg_2024"]
    assert set(names.kommun_exceptions) == {"0880", "1421", "2080", "0980"}


def test_official_lan_names_match_the_evidence(geography):
    rows = _evidence("official_lan_names.csv")
    assert len(rows) == 21
    for r in rows:
        lan = geography.area("00" + r["lan_code"])
        assert lan.official == lan.name == r["official_jobtech_2018"]
        assert lan.region.startswith("Region ") or lan.region == "Västra Götalandsregionen"


def test_names_in_running_text(geography):
    assert [geography.area(c).official for c in ("1082", "1060", "1083", "1081", "1080")] == [
        "Karlshamns kommun", "Olofströms kommun", "Sölvesborgs kommun", "Ronneby kommun", "Karlskrona kommun"]
    assert geography.area("2080").official == "Falu kommun"
    assert geography.area("0980").official == "Region Gotland" and county_name(geography.area("0980")) == "Gotlands län"
    assert geography.area("0025").official == "Norrbottens län" and geography.area("0025").region == "Region Norrbotten"
    assert county_name(geography.area("2580")) == "Norrbottens län"
    assert genitive("Karlshamn") == "Karlshamns" and genitive("Borås") == "Borås" and genitive("Ronneby") == "Ronnebys"
    assert geography.find("Region Norrbotten").code == geography.find("Norrbottens län").code == "0025"


def test_unknown_county_suggests_only_counties(geography):
    with pytest.raises(UnknownAreaError) as exc:
        geography.county("99")
    msg = str(exc.value)
    assert "Okänt län" in msg and "län" in msg.split("Menade du:")[1]
    assert "kommun" not in msg.split("Menade du:")[1] and "Ödeshög" not in msg
    with pytest.raises(UnknownAreaError, match="25 Norrbottens län"):
        geography.county("Norrboten")


def test_names_shared_by_a_kommun_and_a_lan_resolve_by_kind(geography):
    # "Region Gotland" names both the kommun 0980 (officially) and the region of Gotlands län 0009
    assert geography.county("Region Gotland").code == "0009" and geography.county("Gotland").code == "0009"
    assert geography.find("Region Gotland", level="kommun").code == "0980"
    assert geography.county("Blekinge").code == "0010" and geography.county("norrbotten").code == "0025"
    assert geography.find("Karlshamns kommun").code == "1082"
