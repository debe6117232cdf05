"""Where a report's CPU goes: the kernel, the main process and pandoc + typst, per report (not a test).

    .venv/bin/python benchmarks/per_report.py [--county 12] [--formats html,pdf] [--national]

Builds every report of the län one after the other in this process with one warm kernel, as a worker of
``analysis render`` does (:func:`analysis.publish.render.build_job`, then publish), in the project's own
``reports/`` (the results as they are in ``.cache``). ``--national``: in a scratch copy of the project with the
national benchmark's data instead (real SCB BAS plus example values for every other indicator, so every
report has all its charts, as in ``national.py``). The first report warms the kernel and is not counted. Per
report: the CPU-s of the kernel process (psutil), of this process (the worker's share of the main process:
papermill/nbclient, the report model, the workbook, the stitching) and of its finished children (pandoc, typst).
Prints the machine and the load at the start and the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
from pathlib import Path

from _common import load, machine, scratch_project

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    import psutil

    from analysis.compute.artefact import ensure_artefact
    from analysis.config import load_config
    from analysis.publish.kernel import WarmKernel
    from analysis.publish.render import build_job, plan, prepare_assets, publish

    ap = argparse.ArgumentParser()
    ap.add_argument("--county", default="12")
    ap.add_argument("--formats", default="html,pdf")
    ap.add_argument("--national", action="store_true", help="the national benchmark's data, in a scratch copy")
    args = ap.parse_args()
    print(machine())
    print("start:", load())
    root, data = ROOT, None
    if args.national:
        from national import national_data

        root = scratch_project()
        data = national_data(root)
    config = load_config(root)
    jobs = plan([], args.county, config.year, tuple(args.formats.split(",")), data=data, config=config)
    jobs = [j for j in jobs if j.kind == "kommun"]  # the county report is of another size: not in the mean
    path, _ = ensure_artefact(config, jobs[0].data_path, jobs[0].year)
    jobs = [dataclasses.replace(j, results_path=path) for j in jobs]
    prepare_assets(jobs[0].out_root, jobs[0].year)
    kernel = WarmKernel(jobs[0].root)
    kernel.warm_up(False)
    me = psutil.Process()

    def kernel_cpu() -> float:
        return sum(sum(p.cpu_times()[:2]) for p in me.children(recursive=True) if "ipykernel" in " ".join(p.cmdline()))

    def usage(who) -> float:
        r = resource.getrusage(who)
        return r.ru_utime + r.ru_stime

    try:
        publish(build_job(jobs[0], kernel))
        k0, m0, c0 = kernel_cpu(), usage(resource.RUSAGE_SELF), usage(resource.RUSAGE_CHILDREN)
        for job in jobs[1:]:
            result = build_job(job, kernel)
            publish(result)
            if not result.ok:
                raise SystemExit(f"{job.code}: {result.error}")
        n = len(jobs) - 1
        k, m, c = (kernel_cpu() - k0) / n, (usage(resource.RUSAGE_SELF) - m0) / n, (usage(resource.RUSAGE_CHILDREN) - c0) / n
    finally:
        kernel.shutdown()
    print(f"RESULT län {args.county}{', national data' if args.national else ''}, {n} kommun reports after the first ({args.formats}): per report kernel {k:.2f}, "
          f"main {m:.2f}, pandoc + typst {c:.2f} = {k + m + c:.2f} CPU-s")
    print("end:", load())


if __name__ == "__main__":
    main()
