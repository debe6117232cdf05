"""The batch engine's pipeline (analysis.publish.engine): kernel workers execute, render threads finish, with
stand-ins for the kernel and the two halves of a report (the real ones run in test_engine's end-to-end tests)."""

import os
import signal
import threading
from pathlib import Path

import pytest

from analysis.publish.engine import Phases, Pool, kernels_for
from analysis.publish.render import Job, JobResult

WAIT = 10.0  # seconds a stand-in waits for what the pipeline must let happen before it gives up


class FakeKernel:
    made: list = []

    def __init__(self, root, log, env):
        self.starts, self.executions, self.stopping, self.down = 1, 0, None, False
        FakeKernel.made.append(self)

    def warm_up(self, browser):
        return True

    def alive(self):
        return True

    def shutdown(self):
        self.down = True


def _jobs(tmp_path: Path, n: int) -> list[Job]:
    return [Job(kind="kommun", code=f"{1060 + i}", name=f"K{i}", year=2024, data_path=tmp_path / "d.csv",
                formats=("html",), out_root=tmp_path / "reports", root=tmp_path, renderer="pandoc+typst")
            for i in range(n)]


def _run(tmp_path, jobs: int, reports: list[Job], execute, finish):
    """The pool's run; one that has not ended after 30 s is stopped with SIGINT (as Ctrl-C) and fails the test."""
    FakeKernel.made = []
    pool = Pool(tmp_path, jobs, browser=False, phases=Phases(FakeKernel, execute, finish))
    watchdog = threading.Timer(30, lambda: os.kill(os.getpid(), signal.SIGINT))
    watchdog.start()
    try:
        outcome = pool.run(reports)
    finally:
        watchdog.cancel()
        pool.close()
    assert not outcome.interrupted, "the run hangs"
    return pool, outcome


@pytest.mark.parametrize(("jobs", "kernels"), [(1, 1), (2, 1), (3, 1), (4, 2), (8, 4)])
def test_half_the_jobs_keep_a_kernel(jobs, kernels):
    assert kernels_for(jobs) == kernels


def test_a_kernel_runs_the_next_report_while_the_last_one_is_rendered(tmp_path):
    """With two jobs: one kernel, two render threads. The first report's render waits until the kernel has
    started the second report: without the pipeline it would time out and fail."""
    started = {}

    def execute(job, kernel):
        started.setdefault(job.code, threading.Event()).set()
        kernel.executions += 1
        return JobResult(job)

    def finish(res, kernel):
        following = str(int(res.job.code) + 1)
        if following in {j.code for j in reports} and not started.setdefault(following, threading.Event()).wait(WAIT):
            res.error = "the kernel did not go on while this report was rendered"
        return res

    reports = _jobs(tmp_path, 4)
    pool, outcome = _run(tmp_path, 2, reports, execute, finish)
    assert (pool.workers, pool.renderers, len(FakeKernel.made)) == (1, 2, 1)
    assert sorted(r.job.code for r in outcome.results) == [j.code for j in reports]
    assert all(r.ok for r in outcome.results), [r.error for r in outcome.results]
    assert (outcome.workers, outcome.kernel_starts, outcome.notebooks) == (1, 1, 4)


def test_the_kernel_waits_when_every_render_thread_has_a_report_waiting(tmp_path):
    """One job: one kernel, one render thread, at most one executed report waiting. While the render thread
    is held, the kernel can have executed the held report, the waiting one and one it cannot hand over."""
    executed, release = [], threading.Event()
    most = []

    def execute(job, kernel):
        executed.append(job.code)
        return JobResult(job)

    def finish(res, kernel):
        if res.job.code == reports[0].code:
            release.wait(WAIT)  # let the kernel run ahead as far as it can
            most.append(len(executed))
        return res

    def let_go():
        import time

        time.sleep(1.0)
        release.set()

    threading.Thread(target=let_go, daemon=True).start()
    reports = _jobs(tmp_path, 6)
    _, outcome = _run(tmp_path, 1, reports, execute, finish)
    assert most == [3]
    assert len(outcome.results) == 6 and all(r.ok for r in outcome.results)


def test_a_failed_execution_is_not_rendered_and_a_dead_render_thread_fails_only_its_report(tmp_path):
    rendered = []

    def execute(job, kernel):
        return JobResult(job, error="notebooken misslyckades") if job.code == "1061" else JobResult(job)

    def finish(res, kernel):
        rendered.append(res.job.code)
        if res.job.code == "1062":
            raise SystemExit  # escapes finish_job's own handling: the render thread ends
        return res

    reports = _jobs(tmp_path, 5)
    _, outcome = _run(tmp_path, 2, reports, execute, finish)
    errors = {r.job.code: r.error for r in outcome.results}
    assert sorted(errors) == [j.code for j in reports]
    assert errors["1061"] == "notebooken misslyckades" and "1061" not in rendered
    assert errors["1062"] == "arbetaren avslutades oväntat"
    assert [c for c, e in errors.items() if e is None] == ["1060", "1063", "1064"]


def test_a_run_whose_render_threads_all_died_ends_and_fails_what_is_left(tmp_path):
    """One job: one render thread. It dies on the first report; the kernel worker stops handing over and the
    run ends with every report failed, not hanging."""
    def execute(job, kernel):
        return JobResult(job)

    def finish(res, kernel):
        raise SystemExit

    reports = _jobs(tmp_path, 4)
    _, outcome = _run(tmp_path, 1, reports, execute, finish)
    assert sorted(r.job.code for r in outcome.results) == [j.code for j in reports]  # each reported once
    assert {r.error for r in outcome.results} == {"arbetaren avslutades oväntat"}


def test_the_kernel_stays_until_the_reports_it_executed_are_rendered(tmp_path):
    """A PDF may wait for chart files its kernel still draws: the kernel is shut down only after the render
    threads finished its last report."""
    def execute(job, kernel):
        return JobResult(job)

    def finish(res, kernel):
        import time

        time.sleep(0.3)  # the kernel worker has had its None by now
        if kernel.down:
            res.error = "the kernel was shut down while its report was rendered"
        return res

    reports = _jobs(tmp_path, 3)
    _, outcome = _run(tmp_path, 2, reports, execute, finish)
    assert all(r.ok for r in outcome.results), [r.error for r in outcome.results]
    assert FakeKernel.made[0].down


def test_a_pool_sized_by_its_jobs_keeps_the_kernels_the_cli_announces(tmp_path):
    def execute(job, kernel):
        return JobResult(job)

    def finish(res, kernel):
        return res

    pool, outcome = _run(tmp_path, 8, _jobs(tmp_path, 3), execute, finish)
    assert (pool.renderers, pool.workers, len(FakeKernel.made)) == (3, kernels_for(3), 1)
    assert len(outcome.results) == 3
