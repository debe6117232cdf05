
import pandas as pd
import pytest

from analysis.data.build import build_dataset
from analysis.data.contract import load_tidy
from analysis.errors import DataValidationError
from analysis.data.importer import import_file


def kalmar_file(config, path):
    """Test file for Kalmar län's kommuner (generated example values, flagged as such)."""
    t = build_dataset(config, county="08").table
    t = t[t["geo_code"].str.startswith("08") | (t["geo_code"] == "0008")]
    t.to_csv(path, index=False)
    return t


def test_import_kalmar_keeps_leading_zeros_and_provenance(project, catalogue, geography, tmp_path):
    src = tmp_path / "kalmar.csv"
    rows = kalmar_file(project, src)
    rep = import_file(src, producer="Länsstyrelsen Kalmar län (test)", config=project)
    assert rep.rows == len(rows)
    assert rep.snapshot.parent.name == "import" and rep.snapshot.with_name(rep.snapshot.name + ".source.yml").is_file()
    data = load_tidy(project.data_path, catalogue, geography)
    assert {"0880", "0821", "0008"} <= set(data["geo_code"])
    # a rebuild from data/raw gives the same table (imports are raw snapshots too)
    assert len(build_dataset(project).table) == len(data)


def test_import_replaces_example_rows_and_reports_them(project, catalogue, geography, tmp_path):
    src = tmp_path / "ronneby_sfi.xlsx"
    pd.DataFrame([
        {"indicator": "sfi_godkanda", "geo_code": "1081", "year": 2024, "sex": "T", "group": "total",
         "age_band": "16+", "value": 77.7, "status": "", "source": "Ronneby kommun, egen uppföljning",
         "example": "false"},
    ]).to_excel(src, index=False)
    rep = import_file(src, producer="Ronneby kommun", config=project)
    assert rep.replaced_example.to_dict("records") == [{"indicator": "sfi_godkanda", "geo_code": "1081", "rows": 1}]
    data = load_tidy(project.data_path, catalogue, geography)
    row = data[(data.indicator == "sfi_godkanda") & (data.geo_code == "1081") & (data.year == 2024)]
    assert len(row) == 1 and row["value"].iloc[0] == 77.7 and not row["example"].iloc[0]


def test_invalid_import_changes_nothing(project, tmp_path):
    before = project.data_path.read_bytes()
    src = tmp_path / "bad.csv"
    src.write_text("indicator,geo_code,year,sex,group,age_band,value,status,source,example\n"
                   "sfi_godkanda,881,2024,T,total,16+,80,,x,false\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="rad 2, kolumn geo_code"):
        import_file(src, producer="x", config=project)
    assert project.data_path.read_bytes() == before
    assert not (project.raw_dir / "import").exists() or not list((project.raw_dir / "import").iterdir())


def test_long_file_name_is_shortened_in_the_snapshot(project, tmp_path):
    src = tmp_path / ("ronneby_" + "x" * 236 + ".csv")  # 250 characters: fine for the file system, but with
    pd.DataFrame([{                                      # the import time stamp in front it would not be
        "indicator": "sfi_godkanda", "geo_code": "1081", "year": 2024, "sex": "T", "group": "total",
        "age_band": "16+", "value": 77.7, "status": "", "source": "Ronneby kommun", "example": "false"}
    ]).to_csv(src, index=False)
    rep = import_file(src, producer="Ronneby kommun", config=project)
    assert len(rep.snapshot.name) <= 120 and rep.snapshot.suffix == ".csv"
