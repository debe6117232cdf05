"""Benchmark: the Blekinge batch against the naive loop, alternated in one run (not a test).

    .venv/bin/python benchmarks/blekinge_batch_vs_naive.py [--repeat 2] [--formats html,pdf] [--jobs 2]

batch: one `analysis render --county 10 --force` (5 kommun reports + the county report).
naive: one `analysis render -m X --jobs 1 --force` process per kommun, then `analysis render --county 10
       --jobs 1` for the county report (its kommuner are then up to date), each process starting with an
       empty results cache, as every process of the old design computed its own results.
Both run in a scratch copy of the project with an empty results cache. Target: batch ≥ 6× faster.
"""

from __future__ import annotations

import argparse
import shutil
import statistics

from _common import analysis, built, clear_cache, load, start

KOMMUNER = ("1060", "1080", "1081", "1082", "1083")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--formats", default="html,pdf")
    ap.add_argument("--jobs", type=int, default=2)
    args, project = start(ap)
    batch, naive = [], []
    for i in range(args.repeat):
        clear_cache(project)
        s, out, _, _ = analysis(project, "render", "--county", "10", "-f", args.formats, "--jobs", str(args.jobs),
                                "--force")
        assert len(built(out)) == 6, out
        batch.append(s)
        print(f"run {i + 1} batch: {s:.1f} s for 6 reports ({load()})")
        total = 0.0
        shutil.rmtree(project / "reports" / "2024", ignore_errors=True)  # the loop starts from nothing too
        for code in KOMMUNER:
            clear_cache(project)
            s, out, _, _ = analysis(project, "render", "-m", code, "-f", args.formats, "--jobs", "1", "--force")
            assert len(built(out)) == 1, out
            total += s
            print(f"  naive: analysis render -m {code}: {s:.1f} s")
        clear_cache(project)
        s, out, _, _ = analysis(project, "render", "--county", "10", "-f", args.formats, "--jobs", "1")
        assert [f for _, f in built(out)] == ["lan-10"], out
        total += s
        naive.append(total)
        print(f"run {i + 1} naive loop: {total:.1f} s for 6 processes ({load()})")
    b, n = statistics.median(batch), statistics.median(naive)
    print(f"RESULT Blekinge ({args.formats}, {args.jobs} jobs): batch {b:.1f} s, naive loop {n:.1f} s, "
          f"batch {n / b:.1f}× faster (target ≥ 6×); medians of {args.repeat} alternated run(s)")
    print("end:", load())


if __name__ == "__main__":
    main()
