"""The batch engine: warm kernels, incremental re-runs and interrupt safety (through the real CLI)."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from analysis.publish.engine import clean_stale


def test_clean_stale_removes_only_folders_of_runs_that_are_gone(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone = tmp_path / f".tmp-{dead.pid}-1081"
    old = tmp_path / f".old-{dead.pid}-1081"
    live = tmp_path / f".tmp-{os.getppid()}-1080"  # a run that still runs (our parent process)
    report = tmp_path / "1082"
    for d in (gone, old, live, report):
        d.mkdir()
    removed = clean_stale(tmp_path)
    assert set(removed) == {gone, old}
    assert live.is_dir() and report.is_dir()


@pytest.fixture()
def render_root(root, tmp_path):
    """A copy of the project where the CLI can render (and be killed) without touching the repository."""
    dest = tmp_path / "proj"
    for name in ("data", "notebooks", "reports/templates"):
        shutil.copytree(root / name, dest / name)
    for name in ("analysis.yml", "_quarto.yml", "_brand.yml"):
        shutil.copy(root / name, dest / name)
    return dest


def _cli(root: Path, *args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "ANALYSIS_ROOT": str(root), "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "analysis.cli", "render", *args], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


@pytest.mark.e2e
def test_second_run_skips_and_force_rebuilds(render_root):
    first = _cli(render_root, "-m", "1081", "-f", "html")
    out, errs = first.communicate(timeout=300)
    assert first.returncode == 0, errs
    html = render_root / "reports" / "2024" / "1081" / "rapport.html"
    stamp = html.stat().st_mtime_ns
    again = _cli(render_root, "-m", "1081", "-f", "html")
    out, errs = again.communicate(timeout=120)
    assert again.returncode == 0 and "AKTUELL" in out and "1 rapport(er) oförändrade" in out
    assert "0 av 1 rapport(er)" in errs and "Resultaten fanns redan" in errs
    assert html.stat().st_mtime_ns == stamp
    forced = _cli(render_root, "-m", "1081", "-f", "html", "--force")
    out, errs = forced.communicate(timeout=300)
    assert forced.returncode == 0 and "OK" in out
    assert html.stat().st_mtime_ns != stamp


def _tree(proc: psutil.Process) -> dict[int, float]:
    out = {}
    for p in [proc, *proc.children(recursive=True)]:
        try:
            out[p.pid] = p.create_time()
        except psutil.Error:
            pass
    return out


def _children(proc: psutil.Process) -> list[tuple[str, str]]:
    """(name, command line) of every live descendant; one that exits or turns zombie while read is left out."""
    out = []
    for p in proc.children(recursive=True):
        try:
            out.append((p.name(), " ".join(p.cmdline())))
        except psutil.Error:
            pass
    return out


def _still_running(seen: dict[int, float]) -> list[str]:
    left = []
    for pid, created in seen.items():
        try:
            p = psutil.Process(pid)
            if p.create_time() == created and p.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{pid} {p.name()}")
        except psutil.Error:
            pass
    return left


@pytest.mark.e2e
@pytest.mark.parametrize("to", ["process", "group"])  # group: Ctrl-C in a terminal reaches every process of it
def test_sigint_stops_every_process_and_publishes_nothing_after(render_root, to):
    proc = _cli(render_root, "--county", "10", "-f", "html,pdf", "--jobs", "2", start_new_session=(to == "group"))
    ps = psutil.Process(proc.pid)
    seen: dict[int, float] = {}
    deadline = time.monotonic() + 240
    browser = False
    while time.monotonic() < deadline and proc.poll() is None:
        seen.update(_tree(ps))
        children = _children(ps)
        names = " ".join(name for name, _ in children)
        if "chrom" in names.lower():  # a report run draws its charts from their specs: no browser
            browser = True
        kernels = [cmd for _, cmd in children if "ipykernel" in cmd]
        published = list((render_root / "reports" / "2024").glob("*/.build.json"))
        if len(kernels) >= 1 and (to == "process" or published):  # group: while notebooks run
            break
        time.sleep(0.3)
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    assert not browser, "a browser was started for a report run (the PDF's charts need none)"
    seen.update(_tree(ps))
    if to == "group":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    t0 = time.monotonic()
    out, errs = proc.communicate(timeout=30)
    stopped = time.monotonic() - t0
    assert proc.returncode == 130, errs
    assert stopped < 15
    assert "Avbrutet (Ctrl-C)" in errs
    assert "Traceback" not in errs and "Kernel died" not in errs, errs  # one clear message, no log noise
    time.sleep(1)
    assert _still_running(seen) == []
    year = render_root / "reports" / "2024"
    published = sorted(p.name for p in year.iterdir()) if year.exists() else []
    time.sleep(3)
    assert (sorted(p.name for p in year.iterdir()) if year.exists() else []) == published
    assert not [p for p in published if p.startswith((".tmp-", ".old-"))]


@pytest.mark.e2e
def test_sigterm_while_the_results_are_computed_stops_the_warming_pool(render_root):
    """The pool starts its kernels while the main process still computes the results (empty cache here)."""
    proc = _cli(render_root, "-m", "1081", "-f", "html,pdf", "--force")
    ps = psutil.Process(proc.pid)
    seen: dict[int, float] = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        seen.update(_tree(ps))
        if any("ipykernel" in cmd for _, cmd in _children(ps)):
            break
        time.sleep(0.1)
    computed = list((render_root / ".cache" / "results").glob("*/meta.json"))
    assert proc.poll() is None, "the run ended before it could be stopped"
    seen.update(_tree(ps))
    proc.send_signal(signal.SIGTERM)
    out, errs = proc.communicate(timeout=30)
    assert proc.returncode == 143, errs
    assert "Avbrutet (SIGTERM)" in errs
    time.sleep(1)
    assert _still_running(seen) == []
    year = render_root / "reports" / "2024"
    assert not (year / "1081").exists()  # nothing published
    assert not list(year.glob(".tmp-*")) if year.exists() else True
    assert not list((render_root / ".cache" / "results").glob(".tmp-*"))  # no half-written results
    if computed:
        pytest.skip("the results were computed before a kernel was up: interrupted later than intended")


@pytest.mark.slow
@pytest.mark.parametrize("args, message", [
    (["-m", "9999"], "Okänd kommunkod"),
    (["--county", "10", "--year", "2031"], "inga uppgifter för 2031"),
    (["--county", "99"], "Okänt län"),
])
def test_plan_is_checked_before_any_work(project, monkeypatch, args, message):
    from typer.testing import CliRunner

    from analysis.cli import app

    monkeypatch.setenv("ANALYSIS_ROOT", str(project.root))
    r = CliRunner().invoke(app, ["render", *args])
    assert r.exit_code != 0
    assert message in " ".join(r.output.split())
    assert not (project.root / "reports").exists()  # nothing created


def test_unwritable_output_folder_is_one_error(project, monkeypatch):
    from typer.testing import CliRunner

    from analysis.cli import app

    monkeypatch.setenv("ANALYSIS_ROOT", str(project.root))
    (project.root / "reports").write_text("not a folder", encoding="utf-8")
    r = CliRunner().invoke(app, ["render", "-m", "1081"])
    assert r.exit_code != 0 and "inte en mapp" in r.output
    assert not (project.root / ".cache").exists()  # stopped before computing anything


def _notebook(path: Path, *cells: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.mark.e2e
def test_warm_kernel_runs_notebooks_in_one_kernel_with_a_fresh_namespace(tmp_path):
    import nbformat

    from analysis.publish.kernel import WarmKernel

    first = _notebook(tmp_path / "a.ipynb", "import os\nx = 41\npid = os.getpid()", "x + 1")
    second = _notebook(tmp_path / "b.ipynb", "import os\nprint(os.getpid(), 'x' in dir(), bool(get_ipython().displayhook.do_full_cache))")
    kernel = WarmKernel(tmp_path)
    try:
        kernel.execute(first, tmp_path / "a.out.ipynb", {})
        kernel.execute(second, tmp_path / "b.out.ipynb", {})
        assert kernel.starts == 1 and kernel.executions == 2
        a = nbformat.read(tmp_path / "a.out.ipynb", as_version=4)
        assert a.cells[1].outputs[0]["data"]["text/plain"] == "42"
        text = nbformat.read(tmp_path / "b.out.ipynb", as_version=4).cells[0].outputs[0]["text"].split()
        assert text[0] == str(kernel.pid)  # the same kernel process ran both
        assert text[1:] == ["False", "False"]  # nothing of the first notebook is left; no output cache (its reset collects)
    finally:
        kernel.shutdown()


def test_clean_stale_temp_removes_what_dead_runs_left_in_the_temp_folder(tmp_path):
    from analysis.publish.engine import SOCKET_PREFIX, clean_stale_temp
    from analysis.publish.processes import CONNECTION_PREFIX

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone_socket = tmp_path / f"{SOCKET_PREFIX}{dead.pid}-abc"
    live_socket = tmp_path / f"{SOCKET_PREFIX}{os.getppid()}-def"
    gone_kernel = tmp_path / f"{CONNECTION_PREFIX}{dead.pid}-0a1b.json"
    live_kernel = tmp_path / f"{CONNECTION_PREFIX}{os.getppid()}-0a1b.json"
    other = tmp_path / "tmpxyz.json"
    for d in (gone_socket, live_socket):
        d.mkdir()
        (d / "s").write_text("")
    for f in (gone_kernel, live_kernel, other):
        f.write_text("{}")
    assert set(clean_stale_temp(tmp_path)) == {gone_socket, gone_kernel}
    assert live_socket.is_dir() and live_kernel.is_file() and other.is_file()


@pytest.mark.e2e
def test_kill_9_of_render_leaves_no_process_and_the_next_run_cleans_up(render_root, monkeypatch):
    """kill -9 of `analysis render` while its kernel runs: every process of the run ends (PDEATHSIG, parent
    watch, ipykernel's own parent poller); a second render meanwhile names the holder of the report folder's
    lock; after the kill the lock is free at once, and the next run removes the dead run's temp folders.
    A report run starts no image server or Chromium since the PDF's charts are SVG from their specs (issue 24);
    the image server's own end on a killed parent is tested in tests/test_orphans.py."""
    import tempfile

    proc = _cli(render_root, "-m", "1081", "-f", "html,pdf", "--force")
    ps = psutil.Process(proc.pid)
    seen: dict[int, float] = {}
    year = render_root / "reports" / "2024"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        seen.update(_tree(ps))
        cmds = " ".join(cmd for _, cmd in _children(ps))
        if "ipykernel" in cmds and list(year.glob(f".tmp-{proc.pid}-*")):
            break
        time.sleep(0.1)
    assert proc.poll() is None, "the render ended before it could be killed"
    seen.update(_tree(ps))
    cmds = " ".join(cmd for _, cmd in _children(ps))
    assert "imageserver" not in cmds and "chromium" not in cmds  # no browser in a report run
    monkeypatch.setenv("ANALYSIS_LOCK_TIMEOUT", "0")  # the runs below do not wait for the lock
    second = _cli(render_root, "-m", "1081", "-f", "html")
    out, errs = second.communicate(timeout=120)
    assert second.returncode == 2 and "Traceback" not in errs
    assert f"Rapportmappen reports/ används av pid {proc.pid} ('analysis render -m 1081" in errs
    sockets = list(Path(tempfile.gettempdir()).glob(f"analysis-bilder-{proc.pid}-*"))  # none without a server
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(4)
    assert _still_running(seen) == []
    assert list(year.glob(f".tmp-{proc.pid}-*"))  # left by the killed run …
    third = _cli(render_root, "-m", "1081", "-f", "html")
    out, errs = third.communicate(timeout=300)
    assert third.returncode == 0, errs  # the dead run's lock is taken over at once
    assert not list(year.glob(f".tmp-{proc.pid}-*")) and not [s for s in sockets if s.exists()]  # … and removed


@pytest.mark.e2e
def test_no_browser_starts_in_a_report_run_with_every_kind_of_chart(render_root):
    """Falun (2080) has every kind of chart a kommun report draws, the survey's dots by birth region with
    horizontal error bars included (that chart once had no chart spec, so its PDF image started kaleido's
    Chromium in the kernel): the whole process tree, sampled until the run ends, never holds a browser."""
    proc = _cli(render_root, "-m", "2080", "-f", "pdf", "--force")
    ps = psutil.Process(proc.pid)
    seen: set[str] = set()
    while proc.poll() is None:
        seen.update(f"{name} {cmd}" for name, cmd in _children(ps))
        time.sleep(0.1)
    out, errs = proc.communicate()
    assert proc.returncode == 0, errs
    browsers = sorted(c[:120] for c in seen if "chrom" in c.lower() or "kaleido" in c.lower())
    assert browsers == []
    assert any("ipykernel" in c for c in seen)  # the sampling saw the run's kernel
    figures = render_root / "reports" / "2024" / "2080" / "figurer"
    assert (figures / "fig-2080-god-halsa-fodelseland.svg").is_file()
