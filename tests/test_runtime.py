"""The run's processes are set up in one place (analysis.runtime): the command's collector threshold, one BLAS
thread for it and every process it starts; the kernels keep Python's default collector (their memory)."""
import os
import subprocess
import sys

import pytest

from analysis import runtime


def test_tune_sets_the_collector_and_keeps_a_users_thread_setting(monkeypatch):
    import gc

    before = gc.get_threshold()
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")  # the user's choice wins
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    try:
        runtime.tune()
        assert gc.get_threshold() == runtime.GC_THRESHOLDS
        assert os.environ["OPENBLAS_NUM_THREADS"] == "4" and os.environ["OMP_NUM_THREADS"] == "1"
    finally:
        gc.set_threshold(*before)


def _python_threads(code: str, env: dict) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport os\nprint(*(open(f'/proc/self/task/{t}/comm').read()"
                          ".strip() for t in os.listdir('/proc/self/task')))"],
                         capture_output=True, text=True, check=True, env=env)
    return out.stdout.split()


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="Linux: threads listed in /proc")
def test_the_command_is_tuned_before_numpy_starts_its_threads():
    env = {k: v for k, v in os.environ.items() if k not in runtime.THREAD_ENV}
    # numpy alone: OpenBLAS starts a thread per further core (named as the process)
    plain = _python_threads("import numpy", env)
    tuned = _python_threads("import analysis.cli, numpy, gc\nassert gc.get_threshold() == "
                            f"{runtime.GC_THRESHOLDS!r}", env)
    if (os.cpu_count() or 1) > 1:
        assert plain.count("python") > 1
    assert tuned.count("python") == 1


@pytest.mark.e2e
def test_a_warm_kernel_has_one_blas_thread_and_the_default_collector(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from analysis.publish.kernel import WarmKernel

    nb = tmp_path / "a.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("import gc, os\nprint(gc.get_threshold(), "
                                                     "os.environ.get('OPENBLAS_NUM_THREADS'))")],
                                metadata={"kernelspec": {"name": "python3", "language": "python",
                                                         "display_name": "Python 3"}}), nb)
    kernel = WarmKernel(tmp_path)
    try:
        with pytest.MonkeyPatch.context() as mp:  # the command's environment, as runtime.tune() leaves it
            for key, value in runtime.THREAD_ENV.items():
                mp.setenv(key, value)
            assert kernel.warm_up(browser=False)
        executed = kernel.execute(nb, None, {})
        assert executed.cells[0].outputs[0]["text"].strip() == "(700, 10, 10) 1"
    finally:
        kernel.shutdown()
