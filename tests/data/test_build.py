
from analysis.data.build import build_dataset
from analysis.data.contract import write_tidy


def test_embedded_dataset_is_up_to_date(tmp_path, config):
    """data/tidy/integration.csv is exactly what `analysis build-data` makes from data/raw."""
    result = build_dataset(config)
    out = tmp_path / "rebuilt.csv"
    write_tidy(result.table, out)
    assert out.read_bytes() == config.data_path.read_bytes(), "run `make data` and commit the result"


def test_real_first_example_only_where_missing(config):
    result = build_dataset(config)
    assert result.real_indicators == ["arbetsloshet", "god_halsa", "sysselsattningsgrad"]
    t = result.table
    assert not t[t["indicator"].isin(result.real_indicators)]["example"].any()
    ex = t[t["indicator"].isin(result.example_indicators)]
    assert ex["example"].all() and ex["source"].str.startswith("Exempeldata").all()
    assert set(ex[ex["indicator"] != "valdeltagande_kf"]["year"]) == set(range(2019, 2025))
    assert set(ex[ex["indicator"] == "valdeltagande_kf"]["year"]) == {2022}  # election years only
    assert set(ex["geo_code"]) >= {"1060", "1080", "1081", "1082", "1083", "0010", "0000"}


def test_county_report_data_for_kalmar(config):
    result = build_dataset(config, county="08")
    ex = result.table[result.table["example"]]
    assert "0880" in set(ex["geo_code"]) and "0008" in set(ex["geo_code"])
    assert ex["geo_code"].map(len).eq(4).all()


def test_survey_figures_by_birth_region_come_with_their_interval_and_carrier(config):
    """FoHM HLV (Region Dalarna's compilation): four birth regions as the source has them, never pooled."""
    t = build_dataset(config).table
    h = t[(t["indicator"] == "god_halsa")].set_index(["geo_code", "year", "sex", "group"])
    assert set(t[t["indicator"] == "god_halsa"]["group"]) == {"inrikes", "utrikes_norden", "utrikes_europa",
                                                              "utrikes_varlden"}
    row = h.loc[("2080", 2021, "T", "inrikes")]  # Falun, född i Sverige: 71 % (68,1–74,3)
    assert row["value"] == 71 and round(row["margin"], 2) == 3.1
    assert h.loc[("0000", 2021, "T", "inrikes"), "value"] == 74 and h.loc[("0020", 2018, "T", "inrikes"), "value"] == 68
    assert row["source"] == ("Folkhälsomyndigheten HLV, Region Dalarnas utökade urval, hämtad ur Region Dalarnas "
                             "öppna data, ej kontrollerad mot Folkhälsomyndigheten")
    assert not (t["indicator"] == "god_halsa").pipe(lambda m: t[m]["example"]).any()
