"""A run's helper processes end with it (analysis.orphans), also when the run is killed with SIGKILL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from analysis.orphans import PARENT_ENV, pid_alive

#: a run (parent) that starts a helper (child) which calls die_with_parent and starts a grandchild of its own
RUN = textwrap.dedent("""
    import subprocess, sys, time
    helper = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE, text=True)
    print(helper.stdout.readline().strip(), flush=True)
    time.sleep(60)
""")
HELPER = textwrap.dedent("""
    import subprocess, time, os
    from analysis.orphans import die_with_parent
    die_with_parent()
    grandchild = subprocess.Popen(["sleep", "60"])
    print(os.getpid(), grandchild.pid, flush=True)
    time.sleep(60)
""")


def _gone(pids, within=5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(pid_alive(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


def test_a_helper_and_its_children_end_when_the_run_is_killed():
    run = subprocess.Popen([sys.executable, "-c", RUN, HELPER], stdout=subprocess.PIPE, text=True)
    helper, grandchild = map(int, run.stdout.readline().split())
    try:
        assert pid_alive(helper) and pid_alive(grandchild)
        run.send_signal(signal.SIGKILL)
        run.wait()
        assert _gone([helper, grandchild]), "the helper or its child outlived the killed run"
    finally:
        for pid in (helper, grandchild):
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_helper_whose_run_is_already_gone_ends_at_once():
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    t = time.monotonic()
    helper = subprocess.run([sys.executable, "-c", HELPER], env={**os.environ, PARENT_ENV: str(dead.pid)},
                            capture_output=True, text=True, timeout=30)
    assert helper.returncode == 143 and not helper.stdout and time.monotonic() - t < 20


def test_pid_alive():
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert pid_alive(os.getpid()) and not pid_alive(dead.pid) and not pid_alive(0)
