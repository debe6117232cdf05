"""Benchmark: CPU-seconds per report for Blekinge, and the floor (pandoc + typst alone) — not a test.

    .venv/bin/python benchmarks/blekinge_cpu.py [--formats html,pdf] [--jobs 2] [--county 10] [--runs 1] [--fresh 1]

1. ``make report`` after set-up: ``analysis render`` (the default län and formats of analysis.yml) in a fresh
   copy of the project, so it computes the results too (target ≤ 15 CPU-s for the whole tree), ``--fresh`` times
   (each in a new copy; with more than one, the median and the range are printed: on a shared machine one run's
   CPU-s moves with the host's load, ±20 % seen here, so each run prints the CPU-s of a fixed piece of work,
   :func:`_common.host_check`, done just before it); then ``--runs``
   timed ``render --county 10 --force`` runs (results computed): CPU-seconds of the whole process tree from
   ``getrusage(RUSAGE_CHILDREN)``. This process makes itself a *child subreaper*
   (Linux ``prctl``), so processes orphaned inside the run (a browser whose parent ended first) are reparented
   here and their CPU is counted too; they are reaped at the end of each run.
2. **The floor** (:mod:`floor`, also a script of its own): the same reports' ``rapport.qmd`` (as the run left
   them, with their executed notebooks and chart files) rendered again by pandoc + typst alone
   (``analysis.publish.pandoc_render.render`` for each format), with the CPU of the pandoc and typst processes
   and, separately, of the Python stitching here.

Prints machine, load before and after, wall, CPU-s per report and the ratio report/floor.
"""

from __future__ import annotations

import argparse
import statistics

from _common import analysis, built, children_cpu, host_check, load, reap, scratch_project, start
from floor import floor, line

def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--formats", default="html,pdf")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--county", default="10")
    ap.add_argument("--year", default="2024")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--fresh", type=int, default=1, help="make report runs, each in a fresh copy of the project")
    args, project = start(ap)
    # ``make report`` after set-up: ``analysis render`` as the Makefile runs it (the default län and formats of
    # analysis.yml, the default jobs), in a fresh copy of the project: the results are computed too
    fresh = []
    for i in range(max(args.fresh, 1)):
        here = project if i == args.fresh - 1 else scratch_project()  # the last one is kept for the runs below
        check = host_check()
        cpu0 = children_cpu()
        s, out, _, mem = analysis(here, "render", memory=True)
        reap()
        fresh.append(children_cpu() - cpu0)
        print(f"RESULT make report (analysis render, fresh project: computes the results, then {len(built(out))} "
              f"reports): wall {s:.1f} s, CPU {fresh[-1]:.1f} s for the whole tree (target ≤ 15 s CPU), peak "
              f"{mem.peak_pss / 2**20:.0f} MB PSS; browsers started: {', '.join(mem.browsers()) or 'none'}; host check "
              f"{check:.2f} CPU-s just before ({load()})")
    if len(fresh) > 1:
        print(f"RESULT make report, {len(fresh)} fresh runs: median {statistics.median(fresh):.1f} CPU-s "
              f"(range {min(fresh):.1f}–{max(fresh):.1f}; {sum(c <= 15 for c in fresh)} of {len(fresh)} ≤ 15)")
    per = []
    for i in range(args.runs):
        cpu0 = children_cpu()
        s, out, _, mem = analysis(project, "render", "--county", args.county, "-f", args.formats, "--jobs",
                                  str(args.jobs), "--force", memory=True)
        reap()
        cpu = children_cpu() - cpu0
        reports = built(out)
        per.append(cpu / max(len(reports), 1))
        print(f"RESULT run {i + 1}: render --county {args.county} --force ({args.formats}, {args.jobs} jobs): "
              f"{len(reports)} reports, wall {s:.1f} s, CPU {cpu:.1f} s for the whole tree = "
              f"{per[-1]:.2f} CPU-s per report ({load()})")
        kinds = ", ".join(f"{k} {v:.1f}" for k, v in mem.cpu_by_kind().items())
        print(f"  sampled by kind of process (CPU-s; short processes partly missed): {kinds}; "
              f"peak {mem.peak_pss / 2**20:.0f} MB PSS")
    folders = [project / "reports" / args.year / f for _, f in reports]
    result = floor(folders, tuple(f.strip() for f in args.formats.split(",")), project)
    n = max(result["reports"], 1)
    tools = (result["pandoc"] + result["typst"] + result["other children"]) / n
    best = min(per)
    print(f"RESULT {line(result)} (benchmarks/floor.py on the same reports); ratio report/floor "
          f"{best / max(tools + result['python'] / n, 1e-9):.1f} (against pandoc + typst alone: "
          f"{best / max(tools, 1e-9):.1f})")
    print("end:", load())


if __name__ == "__main__":
    main()
