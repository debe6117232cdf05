"""Ending the processes of a run: a kernel with everything it started, or any list of processes."""

from __future__ import annotations

import contextlib

#: a kernel's connection file in the system's temporary folder: ``analysis-karna-<pid of the run>-….json`` (one
#: left by a killed run is removed by the next: :func:`analysis.publish.engine.clean_stale_temp`)
CONNECTION_PREFIX = "analysis-karna-"


def kill_tree_of(km) -> None:
    """Make sure a kernel and anything it started (its Chromium) are gone."""
    import psutil

    pid = getattr(getattr(getattr(km, "provisioner", None), "process", None), "pid", None)
    if pid is None:
        return
    with contextlib.suppress(psutil.Error):
        proc = psutil.Process(pid)
        kill_processes([proc, *proc.children(recursive=True)])


def end_processes(procs, timeout: float = 3.0) -> None:
    """SIGKILL ``procs`` and reap them."""
    import psutil

    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(procs, timeout=timeout)


def kill_processes(procs, grace: float = 2.0) -> None:
    import psutil

    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=grace)
