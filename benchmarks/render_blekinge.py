"""Benchmark: wall-clock time of rendering reports (not a test; run by hand or in a scheduled job).

    .venv/bin/python benchmarks/render_blekinge.py [--jobs 2] [--repeat 1] [--formats html,pdf]

Renders Blekinge's five kommuner and the county report into a temporary folder and prints the time per
run and per report. Reference (2-core development machine, pandoc+typst, html+pdf, 2 jobs): about 65 s
for the six reports (76 s measured on 2026-11-23).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from analysis.config import load_config
from analysis.render import plan, prepare_assets, run_job


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--formats", default="html,pdf")
    ap.add_argument("--county", default="10")
    args = ap.parse_args()
    times = []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            config = dataclasses.replace(load_config(), output_dir=Path(tmp))
            jobs = plan([], args.county, None, tuple(args.formats.split(",")), config=config)
            prepare_assets(config.output_path, jobs[0].year)
            start = time.perf_counter()
            with ProcessPoolExecutor(max_workers=args.jobs) as pool:
                results = list(pool.map(run_job, jobs))
            elapsed = time.perf_counter() - start
            failed = [r.job.folder for r in results if not r.ok]
            times.append(elapsed)
            print(f"run {i + 1}: {elapsed:.1f} s for {len(jobs)} reports "
                  f"({elapsed / len(jobs):.1f} s each), failed: {failed or 'none'}")
    print(f"median {statistics.median(times):.1f} s over {len(times)} run(s), jobs={args.jobs}, formats={args.formats}")


if __name__ == "__main__":
    main()
