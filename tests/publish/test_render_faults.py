"""Faults stay local: an OS error (disk full, …) while a report is built, published or indexed is one Swedish
line and the report published before is kept (quick: the errors are injected at the write boundary; a real
full disk, a small tmpfs, was tried by hand, see the README)."""
import dataclasses
import errno

import pytest

import analysis.publish.render as render
from analysis.publish.render import build_job, plan, write_atomic, write_index

ENOSPC = OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture()
def job(out_config, tmp_path):
    config = dataclasses.replace(out_config, output_dir=tmp_path / "reports")
    job = plan(["1081"], None, 2024, ("html",), config=config)[0]
    job.final_dir.mkdir(parents=True)
    (job.final_dir / "rapport.html").write_text("den publicerade rapporten", encoding="utf-8")
    return dataclasses.replace(job, run_tag="4711")


def _published(job) -> dict:
    return {p.name: p.read_bytes() for p in job.final_dir.parent.rglob("*") if p.is_file()}


def test_disk_full_while_a_report_is_built_is_one_line_and_keeps_the_old_report(job, monkeypatch):
    before = _published(job)

    def full(*args, **kw):
        raise ENOSPC

    monkeypatch.setattr(render, "_execute", full)
    result = build_job(job, kernel=None)
    assert not result.ok and result.work is None
    assert result.error == (f"kunde inte skrivas: {job.final_dir.parent}: disken är full; den tidigare "
                            "publicerade rapporten finns kvar")
    assert _published(job) == before
    assert not [p for p in job.final_dir.parent.iterdir() if p.name.startswith(".")]


def test_an_os_error_inside_a_notebook_is_one_swedish_line():
    class Failed:
        ename, evalue = "OSError", "[Errno 28] No space left on device: '/x/data/arbete.csv'"

    assert render._notebook_os_error(Failed()) == ("kunde inte skrivas: /x/data/arbete.csv: disken är full; den "
                                                   "tidigare publicerade rapporten finns kvar")
    Failed.ename, Failed.evalue = "ValueError", "[Errno 28] x"
    assert render._notebook_os_error(Failed()) is None


def test_a_report_that_cannot_be_moved_into_place_puts_the_old_one_back(tmp_path, monkeypatch):
    final, work = tmp_path / "1081", tmp_path / ".tmp-1-1081"
    final.mkdir()
    (final / "rapport.html").write_text("gammal")
    work.mkdir()
    (work / "rapport.html").write_text("ny")
    real = type(work).rename

    def rename(self, target):
        if self == work:
            raise OSError(errno.EIO, "Input/output error")
        return real(self, target)

    monkeypatch.setattr(type(work), "rename", rename)
    with pytest.raises(OSError):
        render._move_into_place(work, final)
    assert (final / "rapport.html").read_text() == "gammal"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tmp-1-1081", "1081"]  # no .old- left


def test_a_full_disk_keeps_the_old_index(out_config, tmp_path, monkeypatch):
    config = dataclasses.replace(out_config, output_dir=tmp_path)
    (tmp_path / "2024").mkdir()
    index = tmp_path / "2024" / "index.html"
    index.write_text("gammalt index")
    real = type(index).write_bytes

    def write_bytes(self, data):
        real(self, data[:10])  # half written, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(type(index), "write_bytes", write_bytes)
    with pytest.raises(OSError) as exc:
        write_index(tmp_path, 2024, config)
    assert exc.value.errno == errno.ENOSPC and exc.value.filename == str(index)
    assert index.read_text() == "gammalt index"
    assert [p.name for p in (tmp_path / "2024").iterdir()] == ["index.html"]


def test_write_atomic(tmp_path):
    path = tmp_path / "a.txt"
    write_atomic(path, b"1")
    write_atomic(path, b"2")
    assert path.read_bytes() == b"2" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]
