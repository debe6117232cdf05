"""One warm Jupyter kernel per worker, driven through papermill (the registered engine ``warm``).

papermill hands engine keyword arguments to nbclient; :class:`WarmEngine` passes the worker's kernel manager
(``km``) and its kept client (``kc``), and resets the namespace (as ``%reset -f``) before each notebook, so
a kernel starts once per worker and keeps its imports. :class:`WarmKernel` restarts a dead kernel; the batch
around it is :mod:`analysis.publish.engine`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import uuid
from pathlib import Path

from papermill.engines import NBClientEngine, papermill_engines

from analysis.config import without_root_override
from analysis.publish import outputs
from analysis.publish.processes import CONNECTION_PREFIX, kill_tree_of

#: The kernel keeps no output cache (``Out``, ``_1`` …) and no input history database: a batch reads neither,
#: and with an output cache IPython's reset runs a full garbage collection before every notebook (≈ 0,9 s per
#: report: what a report's charts leave for the collector was made after the warm-up's ``gc.freeze()``).
KERNEL_ARGUMENTS = ["--InteractiveShell.cache_size=0", "--HistoryManager.enabled=False"]

#: pyarrow's allocator in a kernel: the system's (malloc) rather than mimalloc, which keeps what it freed: ≈ 18 MB
#: less per kernel after 24 reports, the same CPU (measured in-process on Blekinge's and Skåne's reports).
ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"

#: Run before each notebook: the namespace emptied as ``%reset -f`` does, without its garbage collection
#: (Python's own collector still runs as memory is allocated).
RESET_CODE = """\
get_ipython().reset(new_session=False)
import os as _os, sys as _sys
_os.chdir({cwd!r})
_m = _sys.modules.get('analysis.present.display')  # per-notebook display state (the browser stays)
if _m is not None:
    _m.new_notebook()
get_ipython().execution_count = 1
del _os, _sys, _m
try:  # the last notebook's freed memory back to the system (glibc), so a kernel of a long batch does not creep
    __import__("ctypes").CDLL("libc.so.6").malloc_trim(0)
except (OSError, AttributeError):
    pass
"""


WARM_UP_CODE = """\
import analysis.present.report, analysis.present.comparison, analysis.present.county_report
from analysis.present import display as _display
from analysis.publish.imageserver import client as _client  # the optional kaleido path (charts without a spec)
from analysis.publish.kaleido_tabs import reuse_kaleido_tabs as _reuse
_display.hooks.update(image_server=_client, prepare_kaleido=_reuse)
if {browser}:
    _display.start_browser()
del _display, _client, _reuse
import gc as _gc
_gc.collect()
_gc.freeze()  # what is loaded now lives as long as the kernel: the collector stops walking it per notebook
del _gc
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
                        raise RuntimeError("kärnans namnrymd kunde inte nollställas")
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
outputs.install()  # nbclient's outputs checked by a compiled schema (≈ 39 ms per report)


def _execute_in_memory(src: Path, parameters: dict, run: dict):
    """papermill's ``execute_notebook`` without its last step: it parameterizes and prepares the notebook
    (``prepare_only``), the engine runs it, execution errors are raised as papermill raises them, and the
    executed notebook is returned, not serialised. With no output path papermill still turns the whole executed
    notebook into validated JSON before its null handler drops it (``papermill/execute.py``: ``write_ipynb(nb,
    output_path)``; nteract/papermill#444), ≈ 15 ms per notebook of charts for nothing."""
    from papermill.execute import execute_notebook, raise_for_execution_errors

    nb = execute_notebook(str(src), None, parameters=parameters, prepare_only=True,
                          engine_name=run["engine_name"], kernel_name=run["kernel_name"])
    nb = papermill_engines.execute_notebook_with_engine(run["engine_name"], nb, input_path=str(src), output_path=None,
                                                        **{k: v for k, v in run.items() if k != "engine_name"})
    raise_for_execution_errors(nb, None)
    return nb


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
            raise RuntimeError("körningen avbryts")
        self.shutdown()
        # its connection file named with the run's pid: one left by a killed run is removed by the next
        # (:func:`analysis.publish.engine.clean_stale_temp`)
        connection = Path(tempfile.gettempdir()) / f"{CONNECTION_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}.json"
        km = AsyncKernelManager(kernel_name="python3", connection_file=str(connection))
        out = open(self.log_path, "ab") if self.log_path else open(os.devnull, "wb")  # noqa: SIM115
        # the kernel's project is its working folder (``root``, and again before each notebook: RESET_CODE), as
        # for a notebook an analyst opens in the project; a user's ANALYSIS_ROOT (the override for a command run
        # outside the project) is not passed on, so the kernel cannot read another project than its job's
        env = {**without_root_override(os.environ), "PYDEVD_DISABLE_FILE_VALIDATION": "1", **self.env}
        env.setdefault(ARROW_POOL_ENV, "system")
        try:
            run_sync(km.start_kernel)(cwd=str(self.root), stdout=out, stderr=out, env=env,
                                      extra_arguments=KERNEL_ARGUMENTS)
        finally:
            out.close()
        self.km = km
        self.starts += 1

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        km = self.km  # read once: the worker may shut the kernel down meanwhile
        return km is not None and bool(run_sync(km.is_alive)())

    @property
    def pid(self) -> int | None:
        prov = getattr(self.km, "provisioner", None)
        return getattr(getattr(prov, "process", None), "pid", None)

    def execute(self, src: Path, dest: Path | None, parameters: dict):
        """Run ``src`` with ``parameters``; the executed notebook is returned and, when ``dest`` is given, written
        there by papermill (None: the caller writes it once, :func:`analysis.publish.render._execute_notebooks`)."""
        import papermill as pm
        from nbclient.exceptions import DeadKernelError

        for attempt in (1, 2):
            if not self.alive():
                self._start()
            try:
                run = {"engine_name": "warm", "kernel_name": "python3", "progress_bar": False, "log_output": False,
                       "start_timeout": 120, "km": self.km, "kc": self._client(),
                       "reset_code": RESET_CODE.format(cwd=str(self.root))}
                if dest is not None:
                    nb = pm.execute_notebook(str(src), str(dest), parameters=parameters,
                                             request_save_on_cell_execute=False, **run)
                else:
                    nb = _execute_in_memory(src, parameters, run)
                self.executions += 1
                return nb
            except DeadKernelError:
                if attempt == 2:
                    raise RuntimeError("Python-kärnan dog två gånger") from None
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
