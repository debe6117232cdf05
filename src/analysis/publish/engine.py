"""The batch engine: kernel workers with one warm kernel each, render threads beside them, interrupt-safe
publishing.

* **A pipeline of threads** of the main process. A *kernel worker* runs a report's notebooks in its kernel
  (:func:`analysis.publish.render.execute_job`) and hands the report to a *render thread*
  (:func:`~analysis.publish.render.finish_job`: pandoc and typst, or Quarto), then goes on with the next
  report while that one is rendered. ``--jobs N`` gives :func:`kernels_for` N kernel workers (half, at least
  one) and N render threads; at most N executed reports wait for a render thread. The threads only drive
  processes (the kernels, pandoc, typst); worker processes would cost ≈ 200 MB each for their imports.
* **Warm execution, still papermill.** Each kernel worker keeps one Jupyter kernel (:class:`~analysis.publish.kernel.WarmKernel`) and runs
  every notebook of its reports through ``papermill.execute_notebook`` with the registered engine
  ``warm``, which hands papermill's client the worker's kernel manager (nbclient's ``km``) instead of
  starting a kernel per notebook. Before each notebook the kernel's namespace is reset (as ``%reset -f``); a
  dead kernel is restarted. The kernel keeps its imports, and the worker one client of it for all notebooks.
  A chart without a chart spec is drawn by the run's image server (:mod:`analysis.publish.imageserver`) while the kernel goes on;
  the render thread waits for its file before it makes the PDF (the files the report model names, :mod:`analysis.publish.figurefiles`).
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


def kernels_for(jobs: int) -> int:
    """The kernels of a run of ``jobs`` parallel processes: half of them, at least one. A report's notebooks cost
    its kernel about as much CPU as its pandoc and typst cost theirs, and those run beside the kernels (in
    ``jobs`` render threads) while each kernel goes on with its next report. Measured on Blekinge's
    ``make report`` (2 cores): one kernel instead of two saved ≈ 1 CPU-s of kernel start and more of two kernels
    contending for the two cores (README, Benchmarks)."""
    return max(1, jobs // 2)


class _Handed:
    """The reports a kernel worker handed to the render threads and not finished yet. Its kernel stays until
    none is left: a PDF may still wait for chart files that kernel draws ahead (:mod:`analysis.publish.figurefiles`)."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()

    def add(self) -> None:
        with self.changed:
            self.count += 1

    def finished(self) -> None:
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait(self, give_up) -> None:
        """Until none is left, or ``give_up()`` (the run stops, or no render thread is left)."""
        with self.changed:
            while self.count > 0 and not give_up():
                self.changed.wait(0.2)


def _kernel_worker(tasks: queue.Queue, rendering: queue.Queue, results: queue.Queue, root: Path, log: Path,
                   browser: bool, stopping: threading.Event, env: dict, phases, renderers: list) -> None:
    """A kernel worker (a thread of the main process): start its kernel (and the kernel's browser) at once,
    then run the notebooks of the reports it is given in that warm kernel and hand each to the render threads
    (``renderers``, :func:`_render_worker`), waiting while each has a report waiting. It ends when it is given
    None, when the run stops or when no render thread is left (the main loop then fails what is left); its
    kernel is shut down once the reports it handed over are finished. Threads, not processes: a worker only
    drives its kernel, and a process of its own cost ≈ 200 MB (PSS) per worker."""
    me = threading.get_ident()
    kernel = phases.kernel(root, log, env)
    kernel.stopping = stopping
    handed = _Handed()

    def give_up() -> bool:  # the run stops, or every render thread has ended (none would take a report)
        return stopping.is_set() or (bool(renderers) and not any(t.is_alive() for t in renderers))

    try:
        kernel.warm_up(browser)
        while not stopping.is_set():
            item = tasks.get()
            if item is None:
                break
            index, job = item
            results.put(("start", index, me))
            res = phases.execute(job, kernel)
            if stopping.is_set():
                break
            if not res.ok:
                results.put(("done", index, res))
                continue
            results.put(("executed", index, me))
            handed.add()
            if not _hand_over(rendering, (index, res, kernel, handed), give_up):
                handed.finished()
                break
    except BaseException:  # noqa: BLE001 - the main loop reports the job it was building as failed
        pass
    finally:
        if not stopping.is_set():
            handed.wait(give_up)
            kernel.shutdown()
        results.put(("exit", me, (kernel.starts, kernel.executions)))


def _hand_over(rendering: queue.Queue, item: tuple, give_up) -> bool:
    """Put ``item`` for a render thread, waiting while the queue is full (at most one waiting report per render
    thread); False when ``give_up()`` says so first."""
    while not give_up():
        try:
            rendering.put(item, timeout=0.2)
            return True
        except queue.Full:
            pass
    return False


def _render_worker(rendering: queue.Queue, results: queue.Queue, stopping: threading.Event, phases,
                   kernel_workers: list) -> None:
    """A render thread: finish the reports the kernels executed (every format with pandoc/typst or Quarto, the
    manifest), until every kernel worker has ended and no report waits."""
    me = threading.get_ident()
    try:
        while not stopping.is_set():
            try:
                index, res, kernel, handed = rendering.get(timeout=0.2)
            except queue.Empty:
                # an ended kernel worker puts nothing more: with all ended, an empty queue stays empty
                if not any(t.is_alive() for t in kernel_workers) and rendering.empty():
                    break
                continue
            try:
                results.put(("rendering", index, me))
                res = phases.finish(res, kernel)
            finally:
                handed.finished()
            if stopping.is_set():
                break
            results.put(("done", index, res))
            _trim_heap()
    except BaseException:  # noqa: BLE001 - the main loop reports the job it was rendering as failed
        pass


@dataclass(frozen=True)
class Phases:
    """What the pool runs: a kernel per kernel worker, and a report's two halves
    (:func:`analysis.publish.render.execute_job` in the kernel's thread, :func:`~analysis.publish.render.finish_job`
    in a render thread). Tests hand in their own."""
    kernel: object
    execute: object
    finish: object

    @classmethod
    def default(cls) -> "Phases":
        from analysis.publish.kernel import WarmKernel
        from analysis.publish.render import execute_job, finish_job

        return cls(WarmKernel, execute_job, finish_job)


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
    """Kernel workers with one warm kernel each, and render threads beside them (a pipeline: a kernel runs the
    next report's notebooks while its last report is rendered).

    Started before the jobs are known (:meth:`start`), so kernels and browsers start while the main process
    computes the results; :meth:`run` then builds the jobs and publishes each finished report unless
    interrupted; :meth:`close` stops every process of the run (also on an exception or a signal).
    ``jobs``: parallel processes; :func:`kernels_for` of them keep a kernel, and ``jobs`` threads render."""

    def __init__(self, root: Path, jobs: int, browser: bool = True, phases: Phases | None = None):
        self.root, self.browser = Path(root), browser
        self.phases = phases or Phases.default()
        self.renderers = max(1, jobs)
        self.workers = kernels_for(self.renderers)  # kernel workers
        self.threads: list = []  # kernel workers, then render threads
        self.stop = _Stop()
        self.previous: dict = {}
        self.jobs: list = []
        self.tasks = self.results = self.rendering = None
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
        self.rendering = queue.Queue(maxsize=self.renderers)  # executed reports waiting for a render thread
        env = self._start_image_server(logs) if self.browser else {}
        kernel_workers, renderers = [], []  # the kernel workers see the render threads once they are started
        for i in range(self.workers):
            t = threading.Thread(target=_kernel_worker, args=(self.tasks, self.rendering, self.results, self.root,
                                                              logs / f"kernel-{i}.log", self.browser, self.stopping,
                                                              env, self.phases, renderers),
                                 name=f"arbetare-{i}", daemon=True)
            t.start()
            kernel_workers.append(t)
        for i in range(self.renderers):
            t = threading.Thread(target=_render_worker, args=(self.rendering, self.results, self.stopping, self.phases,
                                                              kernel_workers),
                                 name=f"renderare-{i}", daemon=True)
            t.start()
            renderers.append(t)
        self.threads = kernel_workers + renderers
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
            self.renderers = max(1, min(self.renderers, len(jobs)))
            self.workers = kernels_for(self.renderers)
        self.start()
        self.jobs = list(jobs)
        for item in enumerate(jobs):
            self.tasks.put(item)
        for _ in range(self.workers):
            self.tasks.put(None)
        pending = set(range(len(jobs)))
        running: dict[int, int] = {}  # job index -> the thread on it (its kernel worker, then a render thread)
        exited = 0
        stop, results, threads = self.stop, self.results, self.threads

        def failed(index: int, error: str) -> None:
            res = JobResult(jobs[index], error=error)
            outcome.results.append(res)
            pending.discard(index)
            running.pop(index, None)
            if on_done:
                on_done(res)

        while pending and not stop.signum:
            try:
                kind, a, b = results.get(timeout=0.2)
            except queue.Empty:
                dead = {p.ident for p in threads if not p.is_alive()}
                if not results.empty():  # what a thread posted before it ended is read first
                    continue
                for index, ident in list(running.items()):
                    if ident in dead:  # the thread died under this report
                        failed(index, "arbetaren avslutades oväntat")
                if len(dead) == len(threads):
                    break
                continue
            if kind != "exit" and a not in pending:  # a job already reported (failed when its thread ended)
                continue
            if kind in ("start", "rendering"):
                running[a] = b
                if kind == "start" and on_start:
                    on_start(jobs[a])
            elif kind == "executed":  # its notebooks are done: waiting for a render thread
                running.pop(a, None)
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
        if not stop.signum:
            for index in sorted(pending):  # every thread ended with reports left (none should)
                failed(index, "arbetaren avslutades oväntat")
            # let the kernel workers shut their kernels down
            deadline = time.monotonic() + 30
            while exited < self.workers and time.monotonic() < deadline and not stop.signum:
                try:
                    kind, a, b = results.get(timeout=0.2)
                    if kind == "exit":
                        exited += 1
                        outcome.kernel_starts += b[0]
                        outcome.notebooks += b[1]
                except queue.Empty:
                    if not any(p.is_alive() for p in threads[:self.workers]):
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
