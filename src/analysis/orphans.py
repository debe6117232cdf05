"""No orphans: a helper process of a run ends when the run ends, however it ends (``kill -9`` included).

A run's long-lived helpers (the image server with its Chromium, the results computation) call
:func:`die_with_parent` first thing. Two guards, because either alone has gaps:

* ``prctl(PR_SET_PDEATHSIG, SIGTERM)``: the kernel sends SIGTERM when the thread that started the process
  ends (the run's main thread; also when the run is killed with SIGKILL). The handler ends the helper's own
  children (the image server's Chromium) and then the helper.
* a watch thread: checks every :data:`WATCH_EVERY` seconds whether the parent is still the one that started
  the process (``ANALYSIS_PARENT_PID``, else the parent at start) and does the same when it is not.

The Jupyter kernels need neither: ipykernel polls its parent itself (``JPY_PARENT_PID``) and exits within a
second of its parent's death. What a dead run leaves on disk (temporary folders named with its pid) is
removed by the next run (:func:`pid_alive` tells which runs are gone).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time
from typing import Callable

PARENT_ENV = "ANALYSIS_PARENT_PID"
PR_SET_PDEATHSIG = 1
WATCH_EVERY = 0.5

_on_exit: list[Callable[[], None]] = []
_installed = False


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (a zombie counts as gone)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def end_children() -> None:
    """SIGKILL every descendant of this process (the image server's Chromium and its helpers)."""
    try:
        import psutil

        procs = psutil.Process().children(recursive=True)
    except Exception:  # noqa: BLE001 - psutil missing or /proc unreadable: nothing more to do
        return
    for p in procs:
        with contextlib.suppress(Exception):
            p.kill()
    with contextlib.suppress(Exception):
        psutil.wait_procs(procs, timeout=2)


def _end(code: int = 143) -> None:
    for hook in list(_on_exit):
        with contextlib.suppress(Exception):
            hook()
    end_children()
    os._exit(code)


def _on_term(signum, frame) -> None:  # noqa: ARG001
    _end(128 + signum)


def _watch(parent: int) -> None:
    while True:
        time.sleep(WATCH_EVERY)
        if os.getppid() != parent:
            _end(143)


def die_with_parent(on_exit: Callable[[], None] | None = None) -> bool:
    """End this process (and its children) when its parent ends. Returns whether the kernel's guard
    (``PR_SET_PDEATHSIG``) is set; the watch thread runs in any case. Call from the main thread."""
    global _installed
    if on_exit is not None:
        _on_exit.append(on_exit)
    if _installed:
        return True
    _installed = True
    expected = os.environ.get(PARENT_ENV, "")
    parent = int(expected) if expected.isdigit() else os.getppid()
    guarded = False
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_term)
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        guarded = libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0
    if os.getppid() != parent:  # the parent died before the guard was set
        _end(143)
    threading.Thread(target=_watch, args=(parent,), name="föräldervakt", daemon=True).start()
    return guarded
