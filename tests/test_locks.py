"""One lock per shared place (analysis.locks): real processes hold and wait, a dead holder's lock is taken over."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from analysis import locks
from analysis.errors import AnalysisError

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from analysis import locks
    with locks.hold(Path(sys.argv[1]), sys.argv[2], "data/", shared=sys.argv[3] == "shared",
                    command="analysis import egen.csv"):
        print("held", flush=True)
        time.sleep(float(sys.argv[4]))
""")


def _holder(root, name="data", mode="exclusive", seconds=60.0) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(root), name, mode, str(seconds)],
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


def test_a_second_writer_is_told_who_holds_the_lock(tmp_path):
    p = _holder(tmp_path)
    try:
        with pytest.raises(AnalysisError) as exc:
            with locks.data_lock(tmp_path, timeout=0):
                pass
        text = str(exc.value)
        assert text.startswith(f"data/ används av pid {p.pid} ('analysis import egen.csv', sedan ")
        assert time.strftime("%H:") in text and "\n" not in text and locks.TIMEOUT_ENV in text
    finally:
        p.kill()
        p.wait()


@pytest.mark.slow
def test_a_waiting_run_says_so_once_and_goes_on_when_the_holder_is_done(tmp_path):
    p = _holder(tmp_path, seconds=1.5)
    said = []
    t = time.monotonic()
    with locks.data_lock(tmp_path, timeout=30, say=said.append):
        waited = time.monotonic() - t
    p.wait()
    assert 0.5 < waited < 10
    assert len(said) == 1 and said[0].startswith(f"Väntar: data/ används av pid {p.pid} ")


def test_the_lock_of_a_killed_run_is_taken_over_at_once(tmp_path):
    p = _holder(tmp_path)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert len(list(locks.lock_dir(tmp_path).glob("data.lock.*.json"))) == 1  # its note is still there
    t = time.monotonic()
    with locks.data_lock(tmp_path, timeout=0):
        assert time.monotonic() - t < 1
        notes = list(locks.lock_dir(tmp_path).glob("data.lock.*.json"))
        assert [n.name for n in notes] == [f"data.lock.{os.getpid()}.json"]  # the dead run's note is gone
    assert not list(locks.lock_dir(tmp_path).glob("data.lock.*.json"))


def test_readers_share_and_a_writer_waits_for_them(tmp_path):
    p = _holder(tmp_path, mode="shared")
    try:
        with locks.data_lock(tmp_path, shared=True, timeout=0):  # two renders read data/ together
            pass
        with pytest.raises(AnalysisError, match=f"pid {p.pid}"):
            with locks.data_lock(tmp_path, timeout=0):  # an import does not change it under them
                pass
    finally:
        p.kill()
        p.wait()


def test_reentrant_within_a_process_and_released_after(tmp_path):
    with locks.data_lock(tmp_path, timeout=0):
        with locks.data_lock(tmp_path, timeout=0):  # an import that rebuilds the table
            with locks.data_lock(tmp_path, shared=True, timeout=0):
                pass
        probe = subprocess.run([sys.executable, "-c", HOLDER, str(tmp_path), "data", "exclusive", "0"],
                               capture_output=True, text=True, env={**os.environ, locks.TIMEOUT_ENV: "0"})
        assert probe.returncode != 0 and "används av pid" in probe.stderr
    probe = subprocess.run([sys.executable, "-c", HOLDER, str(tmp_path), "data", "exclusive", "0"],
                           capture_output=True, text=True, env={**os.environ, locks.TIMEOUT_ENV: "0"})
    assert probe.returncode == 0, probe.stderr


def test_report_folders_have_locks_of_their_own(tmp_path):
    with locks.reports_lock(tmp_path, tmp_path / "reports", timeout=0):
        with locks.reports_lock(tmp_path, tmp_path / "annan", timeout=0):
            pass


def test_the_waiting_time_is_configurable(monkeypatch):
    monkeypatch.setenv(locks.TIMEOUT_ENV, "12")
    assert locks.timeout_seconds() == 12
    monkeypatch.setenv(locks.TIMEOUT_ENV, "snart")
    with pytest.raises(AnalysisError, match=locks.TIMEOUT_ENV):
        locks.timeout_seconds()
    monkeypatch.delenv(locks.TIMEOUT_ENV)
    assert locks.timeout_seconds() == locks.DEFAULT_TIMEOUT
