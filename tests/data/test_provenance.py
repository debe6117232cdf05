import pytest

from analysis.errors import AnalysisError
from analysis.data.provenance import REQUIRED, all_snapshots, load_snapshot, write_sidecar


def test_every_raw_file_has_valid_provenance(config):
    snaps = all_snapshots(config.raw_dir)
    assert len(snaps) >= 2
    for s in snaps:
        for key in REQUIRED:
            assert s.meta[key], (s.path, key)


def test_changed_snapshot_is_refused(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n", encoding="utf-8")
    write_sidecar(f, {"title": "t", "producer": "p", "url": "u", "retrieved": "2026-01-01", "licence": "CC0"})
    assert load_snapshot(f).sha256
    f.write_text("a,b\n1,3\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="kontrollsumman"):
        load_snapshot(f)


def test_missing_sidecar(tmp_path):
    f = tmp_path / "y.csv"
    f.write_text("a\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="ursprungsfilen"):
        load_snapshot(f)
