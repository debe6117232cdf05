"""The checks of scripts/concurrent_imports.py (the issue-22 demonstration) catch each loss they name."""
from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location("concurrent_imports",
                                              Path(__file__).resolve().parents[1] / "scripts" / "concurrent_imports.py")
ci = sys.modules["concurrent_imports"] = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(ci)


def _snapshot(root: Path, name: str, text: str = "x\n", sidecar: bool = True) -> Path:
    d = root / "data" / "raw" / "import"
    d.mkdir(parents=True, exist_ok=True)
    p = d / name
    p.write_text(text, encoding="utf-8")
    if sidecar:
        (d / (name + ci.SIDECAR)).write_text(f"sha256: {hashlib.sha256(text.encode()).hexdigest()}\n", encoding="utf-8")
    return p


def test_the_reported_path_is_read_relative_to_the_folder_the_import_ran_in(tmp_path):
    """The old script resolved it against its own cwd and reported every snapshot as lost."""
    _snapshot(tmp_path, "20261205T150540_egna-0.csv")
    out = "Inläst egna-0.csv: 1 rader, sparad som\ndata/raw/import/20261205T150540_egna-0.csv (med härkomstfil).\n"
    snap = ci.reported_snapshot(out, tmp_path)
    assert snap == tmp_path / "data/raw/import/20261205T150540_egna-0.csv"
    chk = ci.check_round(tmp_path, [snap], expected=1)
    assert chk.ok and chk.lost == [] and chk.snapshots == 1


def test_no_reported_path_when_the_import_failed():
    assert ci.reported_snapshot("Fel: data/ används av pid 12 …", Path("/x")) is None


@pytest.mark.parametrize("fault, field", [
    ("lost", "lost"), ("no_sidecar", "bad_checksum"), ("wrong_sum", "bad_checksum"), ("orphan", "orphans"),
    ("tmp", "temp"), ("staging", "temp"), ("extra", None), ("rebuild", None)])
def test_each_kind_of_loss_fails_the_round(tmp_path, fault, field):
    a = _snapshot(tmp_path, "a.csv")
    b = _snapshot(tmp_path, "b.csv", sidecar=fault != "no_sidecar")
    d = tmp_path / "data" / "raw" / "import"
    if fault == "lost":
        b.unlink()
        (d / ("b.csv" + ci.SIDECAR)).unlink()
    if fault == "wrong_sum":
        b.write_text("changed\n", encoding="utf-8")
    if fault == "orphan":
        (d / ("c.csv" + ci.SIDECAR)).write_text("sha256: 0\n", encoding="utf-8")
    if fault == "tmp":
        (tmp_path / "data" / "tidy").mkdir(parents=True)
        (tmp_path / "data" / "tidy" / "integration.csv.tmp").write_text("", encoding="utf-8")
    if fault == "staging":
        (d / ".staging-123").mkdir()
    if fault == "extra":
        _snapshot(tmp_path, "c.csv")
    chk = ci.check_round(tmp_path, [a, b], expected=2, same_as_rebuild=fault != "rebuild")
    assert not chk.ok and chk.problems
    if field:
        assert len(getattr(chk, field)) == 1
    clean = ci.check_round(tmp_path, [a], expected=chk.snapshots)
    assert clean.ok == (fault in ("lost", "extra", "rebuild"))


def test_usage_errors_are_swedish(capsys):
    with pytest.raises(SystemExit) as exc:
        ci.main(["--rounds", "0"])
    assert exc.value.code == 2 and "fel: --rounds: mellan 1 och 1000" in capsys.readouterr().err
