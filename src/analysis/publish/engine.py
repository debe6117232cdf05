"""The batch engine: workers with one warm kernel each, interrupt-safe publishing.

* **Workers are threads** of the main process: a worker only drives its kernel (over ZeroMQ), pandoc and typst;
  the work happens in those processes. (Worker processes cost ≈ 200 MB each for their imports.)
* **Warm execution, still papermill.** Each worker keeps one Jupyter kernel (:class:`~analysis.publish.kernel.WarmKernel`) and runs
  every notebook of its reports through ``papermill.execute_notebook`` with the registered engine
  ``warm``, which hands papermill's client the worker's kernel manager (nbclient's ``km``) instead of
  starting a kernel per notebook. Before each notebook the kernel's namespace is reset (as ``%reset -f``); a
  dead kernel is restarted. The kernel keeps its imports, and the worker one client of it for all notebooks.
  The static charts are drawn by the run's image server (:mod:`analysis.publish.imageserver`) while the kernel goes on;
  the worker waits for their files before it makes the PDF (the files the report model names, :mod:`analysis.publish.figurefiles`).
* **Publishing in the main thread only.** Workers build reports into ``reports/<year>/.tmp-<run>-<folder>``;
  the main thread moves a complete folder into place. On SIGINT/SIGTERM it stops publishing at once, tells
  the workers to stop, terminates every process of the run (kernels, browsers, pandoc, typst: the whole
  process tree, kept together by making the main process a child subreaper), removes its temporary folders
  and exits with 130/143. Temporary folders of killed runs are removed by the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import signal
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import os_error_text
from analysis.orphans import PARENT_ENV, pid_alive
from analysis.publish.processes import CONNECTION_PREFIX, end_processes

# --------------------------------------------------------------------------------------- workers


def _set_child_subreaper() -> None:
    """Orphans of the run (a browser whose kernel died) re-parent to this process, so none escapes."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _worker(tasks: queue.Queue, results: queue.Queue, root: Path, log: Path, browser: bool,
            stopping: threading.Event, env: dict) -> None:
    """A worker (a thread of the main process): start its kernel (and the kernel's browser) at once, then
    build the reports it is given in that warm kernel. Threads, not processes: a worker only drives its
    kernel, pandoc and typst, and a process of its own cost ≈ 200 MB (PSS) per worker."""
    from analysis.publish.kernel import WarmKernel
    from analysis.publish.render import build_job

    me = threading.get_ident()
    kernel = WarmKernel(root, log, env)
    kernel.stopping = stopping
    try:
        kernel.warm_up(browser)
        while not stopping.is_set():
            item = tasks.get()
            if item is None:
                break
            index, job = item
            results.put(("start", index, me))
            res = build_job(job, kernel)
            if stopping.is_set():
                break
            results.put(("done", index, res))
            _trim_heap()
    except BaseException:  # noqa: BLE001 - the main loop reports the job it was building as failed
        pass
    finally:
        if not stopping.is_set():
            kernel.shutdown()
        results.put(("exit", me, (kernel.starts, kernel.executions)))


def _trim_heap() -> None:
    """Give the main process's freed memory back to the system after a report (glibc ``malloc_trim``): its
    worker threads each allocate in their own arena, and what a report's notebooks, documents and workbook
    freed would otherwise stay mapped for the rest of the batch."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@dataclass
class BatchOutcome:
    results: list = field(default_factory=list)  # JobResult, published or failed
    interrupted: int = 0  # the signal number when interrupted, else 0
    kernel_starts: int = 0
    notebooks: int = 0
    workers: int = 0


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM while the pool was started but not yet running jobs (the main process was computing
    the results): raised in the main thread so that the pool's ``close`` stops everything."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class _Stop:
    def __init__(self):
        self.signum = 0
        self.raise_now = True  # outside Pool.run: unwind the main thread at once

    def __call__(self, signum, frame):
        self.signum = self.signum or signum
        if self.raise_now:
            self.raise_now = False
            raise Interrupted(signum)


def run_tag() -> str:
    return f"{os.getpid()}"


def clean_stale(year_dir: Path) -> list[Path]:
    """Remove ``.tmp-*`` / ``.old-*`` folders of runs that no longer run (killed or crashed)."""
    import psutil

    removed = []
    if not year_dir.is_dir():
        return removed
    for d in year_dir.iterdir():
        if not (d.name.startswith(".tmp-") or d.name.startswith(".old-")):
            continue
        owner = d.name.split("-")[1]  # .tmp-<pid of the run>-<folder>, .old-<pid>-<folder>
        if owner.isdigit() and int(owner) != os.getpid() and psutil.pid_exists(int(owner)):
            continue  # a run that is still going
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
    return removed


#: the image server's socket folder in the system's temporary folder: ``analysis-bilder-<pid of the run>-…``
SOCKET_PREFIX = "analysis-bilder-"


def clean_stale_temp(tmp: Path | None = None) -> list[Path]:
    """Remove what runs that no longer run (killed with ``kill -9``) left in the system's temporary folder: the
    image server's socket folder and the kernels' connection files, both named with the run's pid."""
    import tempfile

    removed = []
    for prefix in (SOCKET_PREFIX, CONNECTION_PREFIX):
        for d in Path(tmp or tempfile.gettempdir()).glob(prefix + "*"):
            owner = d.name[len(prefix):].split("-")[0]
            if owner.isdigit() and int(owner) != os.getpid() and not pid_alive(int(owner)):
                if d.is_dir():
                    shutil.rmtree(d, ignore_errors=True)
                else:
                    d.unlink(missing_ok=True)
                removed.append(d)
    return removed


class Pool:
    """Worker processes with one warm kernel each.

    Started before the jobs are known (:meth:`start`), so kernels and browsers start while the main process
    computes the results; :meth:`run` then builds the jobs and publishes each finished report unless
    interrupted; :meth:`close` stops every process of the run (also on an exception or a signal)."""

    def __init__(self, root: Path, workers: int, browser: bool = True):
        self.root, self.workers, self.browser = Path(root), max(1, workers), browser
        self.threads: list = []
        self.stop = _Stop()
        self.previous: dict = {}
        self.jobs: list = []
        self.tasks = self.results = None
        self.stopping = threading.Event()
        self.image_server = None
        self.socket_dir: Path | None = None

    @property
    def started(self) -> bool:
        return bool(self.threads)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self) -> "Pool":
        if self.started:
            return self
        logs = self.root / ".cache" / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        clean_stale_temp()
        _set_child_subreaper()
        # pyarrow's allocator for the processes the run starts from now on (the results' child, the kernels):
        # the system's, which returns what is freed (mimalloc keeps it), :data:`analysis.publish.kernel.ARROW_POOL_ENV`
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
        self.previous = {s: signal.signal(s, self.stop) for s in (signal.SIGINT, signal.SIGTERM)}
        self.tasks, self.results = queue.Queue(), queue.Queue()
        env = self._start_image_server(logs) if self.browser else {}
        for i in range(self.workers):
            t = threading.Thread(target=_worker, args=(self.tasks, self.results, self.root, logs / f"kernel-{i}.log",
                                                       self.browser, self.stopping, env),
                                 name=f"arbetare-{i}", daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def _start_image_server(self, logs: Path) -> dict:
        """One browser for the static charts of every worker (:mod:`analysis.publish.imageserver`); the kernels get its
        socket in their environment. It starts while the kernels start."""
        import subprocess
        import sys
        import tempfile

        from analysis.config import without_root_override
        from analysis.publish.imageserver import ENV

        self.socket_dir = Path(tempfile.mkdtemp(prefix=f"{SOCKET_PREFIX}{os.getpid()}-"))
        path = str(self.socket_dir / "s")
        log = open(logs / "imageserver.log", "ab")  # noqa: SIM115 - closed with the pool
        self.image_server = subprocess.Popen(
            [sys.executable, "-m", "analysis.publish.imageserver", path, "1"], cwd=self.root,
            env={**without_root_override(os.environ), PARENT_ENV: str(os.getpid())},  # its project: cwd
            stdout=log, stderr=log)
        log.close()
        return {ENV: path}

    def run(self, jobs: list, on_start=None, on_done=None) -> BatchOutcome:
        from analysis.publish.render import JobResult, publish

        outcome = BatchOutcome()
        self.stop.raise_now = False
        if self.stop.signum:
            outcome.interrupted = self.stop.signum
            return outcome
        if not self.started:
            self.workers = max(1, min(self.workers, len(jobs)))
        self.start()
        self.jobs = list(jobs)
        for item in enumerate(jobs):
            self.tasks.put(item)
        for _ in self.threads:
            self.tasks.put(None)
        pending = set(range(len(jobs)))
        running: dict[int, int] = {}  # job index -> worker pid
        exited = 0
        stop, results, threads = self.stop, self.results, self.threads
        while pending and not stop.signum:
            try:
                kind, a, b = results.get(timeout=0.2)
            except queue.Empty:
                dead = {p.ident for p in threads if not p.is_alive()}
                for index, pid in list(running.items()):
                    if pid in dead:  # the worker died under this report
                        res = JobResult(jobs[index], error="arbetaren avslutades oväntat")
                        outcome.results.append(res)
                        pending.discard(index)
                        running.pop(index)
                        if on_done:
                            on_done(res)
                if len(dead) == len(threads):
                    break
                continue
            if kind == "start":
                running[a] = b
                if on_start:
                    on_start(jobs[a])
            elif kind == "done":
                res = b
                running.pop(a, None)
                pending.discard(a)
                if stop.signum:
                    break
                if res.ok:
                    try:
                        publish(res)
                    except OSError as exc:  # the old report stays (render._move_into_place puts it back)
                        shutil.rmtree(res.work, ignore_errors=True)
                        res.work, res.outputs = None, []
                        res.error = f"kunde inte publiceras: {os_error_text(exc)}"
                outcome.results.append(res)
                if on_done:
                    on_done(res)
            elif kind == "exit":
                exited += 1
                outcome.kernel_starts += b[0]
                outcome.notebooks += b[1]
        if not stop.signum:  # let the workers shut their kernels down
            deadline = time.monotonic() + 30
            while exited < len(threads) and time.monotonic() < deadline and not stop.signum:
                try:
                    kind, a, b = results.get(timeout=0.2)
                    if kind == "exit":
                        exited += 1
                        outcome.kernel_starts += b[0]
                        outcome.notebooks += b[1]
                except queue.Empty:
                    if not any(p.is_alive() for p in threads):
                        break
        outcome.interrupted = stop.signum
        outcome.workers = self.workers
        return outcome

    def close(self) -> None:
        """Whatever is left of the run (workers, kernels, browsers, pandoc, typst) goes now."""
        import psutil

        from analysis.publish.render import work_dir

        if not self.started:
            return
        self.stop.raise_now = False
        self.stopping.set()  # no worker starts a kernel or takes a job any more
        # Nothing of the run holds state worth a goodbye (the browser took 3 s to leave after SIGTERM): the
        # whole tree goes with SIGKILL, orphans included (they re-parent to this subreaper).
        end_processes(psutil.Process().children(recursive=True))
        for t in self.threads:
            t.join(timeout=2)
        for j in self.jobs:
            shutil.rmtree(work_dir(j), ignore_errors=True)
        for s, h in self.previous.items():
            signal.signal(s, h)
        self.threads = []
        if self.socket_dir is not None:
            shutil.rmtree(self.socket_dir, ignore_errors=True)
