"""Shared helpers for the benchmarks: a scratch copy of the project, the machine and its load, running the
CLI while sampling the memory of its whole process tree."""

from __future__ import annotations

import atexit
import ctypes
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
COPY = ("data", "notebooks", "reports/templates")
FILES = ("analysis.yml", "_quarto.yml", "_brand.yml")


def scratch_project() -> Path:
    """A copy of the project's inputs in a temporary folder: reports and caches never touch the repository.
    Removed when the benchmark ends (a national run leaves ≈ 1 GB), unless ``BENCH_KEEP=1`` keeps it."""
    dest = Path(tempfile.mkdtemp(prefix="bench-"))
    if os.environ.get("BENCH_KEEP") == "1":
        print(f"scratch project kept: {dest}")
    else:
        atexit.register(shutil.rmtree, dest, True)
    for name in COPY:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, dest / name)
    for name in FILES:
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, dest / name)
    return dest


PR_SET_CHILD_SUBREAPER = 36


def subreaper() -> bool:
    """Make this process a child subreaper (Linux ``prctl``): a process orphaned inside a run (a browser whose
    parent ended first) is reparented here, and its CPU counts in ``getrusage(RUSAGE_CHILDREN)`` once reaped."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap() -> None:
    """Wait for orphans reparented to this process (their CPU then counts in RUSAGE_CHILDREN)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.2)  # one still running: give it a moment (a browser closing down)
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return


def start(ap) -> tuple:
    """Parse the benchmark's arguments, print the machine and its load, make this process a child subreaper
    and make a scratch project."""
    args = ap.parse_args()
    print(machine())
    print("start:", load())
    print("child subreaper:", "yes" if subreaper() else "NO (orphans' CPU may be missed)")
    return args, scratch_project()


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    rev = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                         text=True).stdout.strip()
    return (f"machine: {platform.node()}, {os.cpu_count()} cores ({cpu}), {mem:.1f} GB RAM, "
            f"Python {platform.python_version()}, code {rev}")


#: a fixed piece of work like a run's (imports, then pure Python): its CPU-s show how fast the shared host is now
HOST_CHECK = "import pandas, plotly.io, json\nsum(i * i for i in range(2_000_000))"


def host_check() -> float:
    """CPU-s of :data:`HOST_CHECK` in a new interpreter (the same work every time: on a shared machine its
    CPU-s move with the host's load, and a run's CPU-s with them; printed beside each run)."""
    start = children_cpu()
    subprocess.run([sys.executable, "-c", HOST_CHECK], check=True)
    return children_cpu() - start


def load() -> str:
    """The load average as /proc/loadavg has it (1, 5, 15 min, running/all tasks)."""
    try:
        raw = Path("/proc/loadavg").read_text().split()
        one, five, fifteen, tasks = float(raw[0]), float(raw[1]), float(raw[2]), raw[3]
    except (OSError, IndexError, ValueError):
        (one, five, fifteen), tasks = os.getloadavg(), "?"
    return (f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min, /proc/loadavg; {tasks} tasks) "
            f"on {os.cpu_count()} cores")


class TreeMemory:
    """Samples the summed memory (PSS where readable, else RSS) of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.5):
        self.pid, self.interval = pid, interval
        self.peak_pss = self.peak_rss = 0
        self.peak_procs = 0
        self._cpu: dict[int, tuple[str, float]] = {}
        self.peak_by_kind: dict[str, float] = {}  # PSS per kind of process in the sample with the highest total  # pid -> (kind, its last seen user+system CPU seconds)
        self.peak_at = 0.0  # seconds after the start when the peak was sampled
        self.max_by_kind: dict[str, float] = {}  # the highest PSS of each kind of process (summed over its processes)
        self._t0 = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            pss = rss = 0
            by_kind: dict[str, float] = {}
            for p in procs:
                try:
                    # looked at every time: a child seen between fork and exec still has its parent's command
                    kind = "analysis (main)" if p.pid == self.pid else kind_of(p)
                    if kind == "?" and p.pid in self._cpu:  # a process that is exiting keeps its kind
                        kind = self._cpu[p.pid][0]
                    t = p.cpu_times()
                    self._cpu[p.pid] = (kind, t.user + t.system)
                    info = p.memory_full_info()
                    pss += getattr(info, "pss", info.rss)
                    by_kind[kind] = by_kind.get(kind, 0) + getattr(info, "pss", info.rss)
                    rss += info.rss
                except psutil.Error:
                    pass
            if pss > self.peak_pss:
                self.peak_by_kind = by_kind
                self.peak_at = time.monotonic() - self._t0
            for kind, v in by_kind.items():
                self.max_by_kind[kind] = max(self.max_by_kind.get(kind, 0), v)
            self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)
            self.peak_procs = max(self.peak_procs, len(procs))
            self._stop.wait(self.interval)


    def browsers(self) -> list[str]:
        """The kinds of browser processes seen in the run (a report run must start none: its PDF charts are SVG
        written from their chart specs)."""
        return sorted({kind for kind, _ in self._cpu.values() if kind in BROWSER_KINDS})

    def cpu_by_kind(self) -> dict[str, float]:
        """CPU seconds per kind of process, as last seen by the sampler (processes shorter than one interval,
        such as a Typst compile, are partly missed: the total from getrusage is the exact figure)."""
        out: dict[str, float] = {}
        for kind, seconds in self._cpu.values():
            out[kind] = out.get(kind, 0.0) + seconds
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))


#: kinds of process (:func:`kind_of`) that mean a browser was started
BROWSER_KINDS = ("chromium", "image server", "kaleido")


def kind_of(p) -> str:
    try:
        cmd = " ".join(p.cmdline())
    except psutil.Error:
        return "?"
    for kind, needle in (("kernel", "ipykernel"), ("image server", "analysis.publish.imageserver"), ("chromium", "chrom"),
                         ("kaleido", "kaleido"),
                         ("pandoc", "pandoc"), ("typst", "typst")):
        if needle in cmd:
            return kind
    if "analysis.compute.artefact" in cmd:
        return "results (child)"
    return "analysis (forking)" if "analysis" in cmd else p.name()


def cpu_line(mem: "TreeMemory", children_cpu: float, wall: float, reports: int) -> str:
    kinds = ", ".join(f"{k} {v:.0f}" for k, v in mem.cpu_by_kind().items())
    peak = ", ".join(f"{k} {v / 2**20:.0f}" for k, v in sorted(mem.peak_by_kind.items(), key=lambda kv: -kv[1]))
    most = ", ".join(f"{k} {v / 2**20:.0f}" for k, v in sorted(mem.max_by_kind.items(), key=lambda kv: -kv[1]))
    return (f"CPU: {children_cpu:.0f} CPU-s for the whole tree ({children_cpu / max(reports, 1):.2f} per report, "
            f"{children_cpu / wall / (os.cpu_count() or 1):.0%} of {os.cpu_count()} cores); sampled by kind: {kinds}\n"
            f"memory at the peak ({mem.peak_at:.0f} s after the start), MB PSS by kind: {peak}\n"
            f"highest MB PSS of each kind during the run: {most}")


def children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def analysis(project: Path, *args: str, memory: bool = False, check: bool = True):
    """Run ``analysis …`` in the scratch project; returns (seconds, stdout, stderr, TreeMemory or None)."""
    env = {**os.environ, "ANALYSIS_ROOT": str(project), "COLUMNS": "200"}
    exe = Path(sys.executable).with_name("analysis")
    start = time.perf_counter()
    proc = subprocess.Popen([str(exe), *args], cwd=project, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    mem = TreeMemory(proc.pid) if memory else None
    if mem:
        mem.__enter__()
    out, err = proc.communicate()
    if mem:
        mem.__exit__(None, None, None)
    seconds = time.perf_counter() - start
    reap()
    if check and proc.returncode != 0:
        raise SystemExit(f"analysis {' '.join(args)} failed ({proc.returncode}):\n{out[-3000:]}\n{err[-3000:]}")
    return seconds, out, err, mem


def built(out: str) -> list[str]:
    """The reports a run built, from its summary ("OK     Ronneby (1081, 12 s): …")."""
    return re.findall(r"OK\s+(.+?) \((\S+?),", out)


def clear_cache(project: Path) -> None:
    shutil.rmtree(project / ".cache" / "results", ignore_errors=True)
