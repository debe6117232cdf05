"""The batch engine: workers with one warm kernel each, interrupt-safe publishing.

* **Workers are threads** of the main process: a worker only drives its kernel (over ZeroMQ), pandoc and typst;
  the work happens in those processes. (Worker processes cost ≈ 200 MB each for their imports.)
* **Warm execution, still papermill.** Each worker keeps one Jupyter kernel (:class:`WarmKernel`) and runs
  every notebook of its reports through ``papermill.execute_notebook`` with the registered engine
  ``warm``, which hands papermill's client the worker's kernel manager (nbclient's ``km``) instead of
  starting a kernel per notebook. Before each notebook the kernel's namespace is reset (as ``%reset -f``); a
  dead kernel is restarted. The kernel keeps its imports, and the worker one client of it for all notebooks.
  The static charts are drawn by the run's image server (:mod:`analysis.publish.imageserver`) while the kernel goes on;
  the worker waits for their files before it makes the PDF (:meth:`WarmKernel.finish_drawings`).
* **Publishing in the main thread only.** Workers build reports into ``reports/<year>/.tmp-<run>-<folder>``;
  the main thread moves a complete folder into place. On SIGINT/SIGTERM it stops publishing at once, tells
  the workers to stop, terminates every process of the run (kernels, browsers, pandoc, typst: the whole
  process tree, kept together by making the main process a child subreaper), removes its temporary folders
  and exits with 130/143. Temporary folders of killed runs are removed by the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import queue
import signal
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from papermill.engines import NBClientEngine, papermill_engines

#: The kernel keeps no output cache (``Out``, ``_1`` …) and no input history database: a batch reads neither,
#: and with an output cache IPython's reset runs a full garbage collection before every notebook (≈ 0,9 s per
#: report: what a report's charts leave for the collector was made after the warm-up's ``gc.freeze()``).
KERNEL_ARGUMENTS = ["--InteractiveShell.cache_size=0", "--HistoryManager.enabled=False"]

#: Run before each notebook: the namespace emptied as ``%reset -f`` does, without its garbage collection
#: (Python's own collector still runs as memory is allocated).
RESET_CODE = """\
get_ipython().reset(new_session=False)
import os as _os, sys as _sys
_os.chdir({cwd!r})
_m = _sys.modules.get('analysis.present.report')
if _m is not None and hasattr(_m, '_figure_ids'):
    _m._figure_ids.clear()
_m = _sys.modules.get('analysis.present.display')  # per-notebook display state (the browser stays)
if _m is not None:
    getattr(_m, '_state', {{}})['plotlyjs_sent'] = False
    getattr(_m, '_collectors', []).clear()
get_ipython().execution_count = 1
del _os, _sys, _m
"""


WARM_UP_CODE = """\
import analysis.present.report, analysis.present.comparison
from analysis.present import display as _display
if {browser}:
    _display.start_browser()
del _display
import gc as _gc
_gc.collect()
_gc.freeze()  # what is loaded now lives as long as the kernel: the collector stops walking it per notebook
del _gc
"""


FINISH_DRAWINGS_CODE = """\
import sys as _sys
_m = _sys.modules.get('analysis.present.display')
if _m is not None:
    _m.wait_for_drawings(240)
del _sys, _m
"""


#: nbclient's own log lines ("Kernel died while waiting for execute reply." when Ctrl-C reaches a kernel) would
#: reach the terminal through papermill's logger; a failed notebook is reported in the run's summary instead
_NBCLIENT_LOG = logging.getLogger("analysis.publish.engine.nbclient")
_NBCLIENT_LOG.addHandler(logging.NullHandler())
_NBCLIENT_LOG.propagate = False


class WarmEngine(NBClientEngine):
    """papermill engine ``warm``: executes in the kernel manager passed as ``km`` and resets its namespace."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None, km=None,
                                 reset_code="", kc=None, **kwargs):
        from papermill.clientwrap import PapermillNotebookClient

        class _Client(PapermillNotebookClient):
            def papermill_execute_cells(self):
                if reset_code:
                    reply = self.wait_for_reply(self.kc.execute(reset_code, silent=True, store_history=False))
                    if reply is None or reply["content"]["status"] != "ok":
                        raise RuntimeError("the kernel's namespace could not be reset")
                super().papermill_execute_cells()

        client = _Client(nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                         kernel_name=kernel_name, log=_NBCLIENT_LOG, log_output=log_output,
                         stdout_file=stdout_file, stderr_file=stderr_file)
        client.kc = kc  # the worker's client, kept (None: nbclient starts one for this notebook)
        try:
            return client.execute()
        finally:
            if kc is None and client.kc is not None:  # the kernel stays; a client of this notebook's own goes
                client.kc.stop_channels()
            client.kc = None


papermill_engines.register("warm", WarmEngine)


class WarmKernel:
    """One kernel kept for all notebooks of a worker; restarted when it dies."""

    def __init__(self, root: Path, log: Path | None = None, env: dict | None = None):
        self.root = Path(root)
        self.log_path = log
        self.env = dict(env or {})  # added to the kernel's environment (the run's image server)
        self.km = None
        self.kc = None  # the client of every notebook this kernel runs (:meth:`_client`)
        self.starts = 0
        self.executions = 0

    #: set when the run is being stopped: no kernel is (re)started any more
    stopping = None

    def _start(self):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        if self.stopping is not None and self.stopping.is_set():
            raise RuntimeError("the run is stopping")
        self.shutdown()
        km = AsyncKernelManager(kernel_name="python3")
        out = open(self.log_path, "ab") if self.log_path else open(os.devnull, "wb")  # noqa: SIM115
        env = {**os.environ, "ANALYSIS_ROOT": str(self.root), "PYDEVD_DISABLE_FILE_VALIDATION": "1", **self.env}
        try:
            run_sync(km.start_kernel)(cwd=str(self.root), stdout=out, stderr=out, env=env,
                                      extra_arguments=KERNEL_ARGUMENTS)
        finally:
            out.close()
        self.km = km
        self.starts += 1

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    @property
    def pid(self) -> int | None:
        prov = getattr(self.km, "provisioner", None)
        return getattr(getattr(prov, "process", None), "pid", None)

    def execute(self, src: Path, dest: Path, parameters: dict) -> None:
        import papermill as pm
        from nbclient.exceptions import DeadKernelError

        for attempt in (1, 2):
            if not self.alive():
                self._start()
            try:
                pm.execute_notebook(
                    str(src), str(dest), parameters=parameters, engine_name="warm", kernel_name="python3",
                    progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                    start_timeout=120, km=self.km, kc=self._client(), reset_code=RESET_CODE.format(cwd=str(self.root)),
                )
                self.executions += 1
                return
            except DeadKernelError:
                if attempt == 2:
                    raise RuntimeError("the kernel died twice") from None
                self._start()

    def _client(self):
        """The kernel's client, started once and kept for all its notebooks: a client started per notebook waits
        until the kernel's IOPub channel has been silent for 0,2 s (jupyter_client's ``wait_for_ready``), which
        left the kernel idle ≥ 1 s of every five-notebook report. Used by the worker's thread only."""
        if self.kc is None:
            from jupyter_core.utils import run_sync

            kc = self.km.client()
            kc.start_channels()
            try:
                run_sync(kc.wait_for_ready)(timeout=120)
            except Exception:
                kc.stop_channels()
                raise
            kc.allow_stdin = False
            self.kc = kc
        return self.kc

    def finish_drawings(self) -> None:
        """Wait until the kernel has written the files of every chart it sent ahead
        (:func:`analysis.present.display.wait_for_drawings`): the PDF reads them."""
        from jupyter_core.utils import run_sync

        if not self.alive():
            raise RuntimeError("the kernel died before the charts' images were written")
        reply = run_sync(self._client().execute_interactive)(
            FINISH_DRAWINGS_CODE, silent=True, store_history=False, timeout=300, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError("the charts' images could not be written: " + reply["content"].get("evalue", ""))

    def warm_up(self, browser: bool = True) -> bool:
        """Start the kernel, import the presentation code and (for PDF charts) start kaleido's browser, while
        the main process is still computing or checking; a failure here only means a cold first report."""
        from jupyter_core.utils import run_sync

        try:
            if not self.alive():
                self._start()
            kc = self.km.client()
            kc.start_channels()
            try:
                run_sync(kc.wait_for_ready)(timeout=120)
                reply = run_sync(kc.execute_interactive)(WARM_UP_CODE.format(browser=bool(browser)), timeout=120,
                                                         store_history=False, output_hook=lambda msg: None)
            finally:
                kc.stop_channels()
            return reply["content"]["status"] == "ok"
        except Exception:  # noqa: BLE001 - the first notebook starts what is missing
            return False

    def shutdown(self) -> None:
        if self.kc is not None:
            kc, self.kc = self.kc, None
            with contextlib.suppress(Exception):
                kc.stop_channels()
        if self.km is None:
            return
        from jupyter_core.utils import run_sync

        km, self.km = self.km, None
        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)  # its notebooks are written; nothing to wait for
        kill_tree_of(km)


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
    except BaseException:  # noqa: BLE001 - the main loop reports the job it was building as failed
        pass
    finally:
        if not stopping.is_set():
            kernel.shutdown()
        results.put(("exit", me, (kernel.starts, kernel.executions)))


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
        _set_child_subreaper()
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

        from analysis.publish.imageserver import ENV

        self.socket_dir = Path(tempfile.mkdtemp(prefix="analysis-bilder-"))
        path = str(self.socket_dir / "s")
        log = open(logs / "imageserver.log", "ab")  # noqa: SIM115 - closed with the pool
        self.image_server = subprocess.Popen(
            [sys.executable, "-m", "analysis.publish.imageserver", path, "1"], cwd=self.root,
            env={**os.environ, "ANALYSIS_ROOT": str(self.root)}, stdout=log, stderr=log)
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
                    publish(res)
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


def run_batch(jobs: list, workers: int, on_start=None, on_done=None, browser: bool = True) -> BatchOutcome:
    """Build ``jobs`` in ``workers`` processes (a :class:`Pool` started now); publish each finished report
    unless interrupted."""
    if not jobs:
        return BatchOutcome()
    with Pool(jobs[0].root, min(workers, len(jobs)), browser) as pool:
        try:
            return pool.run(jobs, on_start, on_done)
        except Interrupted as exc:  # a signal between start and run
            return BatchOutcome(interrupted=exc.signum, workers=pool.workers)
