import pytest

from analysis.errors import UnknownAreaError
from analysis.domain.geography import fold


def test_all_areas_with_string_codes(geography):
    assert len(geography.kommuner) == 290
    assert len(geography.counties) == 21
    assert geography.area("0000").level == "riket"
    for a in geography:
        assert isinstance(a.code, str) and len(a.code) == 4 and a.code.isdigit()


def test_leading_zeros_and_county_mapping(geography):
    kalmar = geography.area("0880")
    assert kalmar.name == "Kalmar" and kalmar.county == "08" and kalmar.county_code == "0008"
    assert geography.area("0008").name == "Region Kalmar"
    assert geography.area("0010").name == "Region Blekinge"
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
