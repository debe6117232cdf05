"""Benchmark: the national batch, 290 kommun + 21 county reports and the index (not a test).

    .venv/bin/python benchmarks/national.py [--formats html,pdf] [--jobs 2] [--county 01,12]

``--county`` renders only those län (their kommuner and county reports) from the same national data: a
quicker look at the rate per report and the memory, not the benchmark's result.

Data: the embedded national data (real SCB BAS for every kommun, län and riket) plus EXAMPLE values for
every other indicator and every area, generated here with the project's example generator, so every
report has all its charts. The example rows are flagged example=true and marked in the reports as ever;
the file is written to the scratch project only. Targets (issue 24, 2 cores): **≤ 2,0 CPU-s per report** (aim
1,5) for the whole process tree (``getrusage`` of the children; this process is a child subreaper, so orphans
count too), ≤ 6 minutes on two idle cores (aim 4; wall time on a shared machine is not comparable, CPU-s is),
peak memory of the whole process tree **≤ 1,0 GB** PSS (shared pages counted once). No browser may start: the
PDF's charts are SVG written from their chart specs; the benchmark fails (exit 1) if the sampled process tree
ever held a Chromium, kaleido or the image server.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from _common import analysis, built, children_cpu, cpu_line, load, start
from floor import floor, line


def national_data(project) -> "Path":  # noqa: F821
    from analysis.data.build import build_dataset
    from analysis.domain.catalogue import load_catalogue
    from analysis.config import load_config
    from analysis.data.contract import KEY, write_tidy
    from analysis.data.example_data import generate_example_data, load_profiles
    from analysis.domain.geography import load_geography

    config = load_config(project)
    catalogue, geo = load_catalogue(project), load_geography(project)
    res = build_dataset(config, catalogue, geo)
    real = res.table[~res.table["example"]]
    profiles = load_profiles(project)
    ids = [i for i in catalogue.ids() if i in profiles and i not in set(real["indicator"])]
    parts = [generate_example_data(catalogue, geo, lan.county, config.example_years, config.example_seed,
                                   profiles, indicators=ids) for lan in geo.counties]
    example = pd.concat(parts, ignore_index=True).drop_duplicates(KEY, keep="first")
    table = pd.concat([real, example], ignore_index=True)
    path = project / "data" / "tidy" / "national-benchmark.csv"
    write_tidy(table, path)
    print(f"data: {len(real)} real rows + {len(example)} example rows (example=true) for {len(ids)} indicators, "
          f"{table['geo_code'].nunique()} areas -> {path.name}")
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--formats", default="html,pdf")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--county", default="", help="only these län (comma-separated): a partial run")
    ap.add_argument("--floor", type=int, default=12, help="the floor (pandoc + typst alone) on this many of the "
                    "reports, spread over the run (0: none)")
    args, project = start(ap)
    data = national_data(project)
    areas = ["--county", args.county] if args.county else ["--all"]
    cpu0 = children_cpu()
    s, out, err, mem = analysis(project, "render", *areas, "-f", args.formats, "--jobs", str(args.jobs), "--force",
                                "--data", str(data), memory=True, check=False)
    reports = built(out)
    kommun = sum(1 for _, f in reports if not f.startswith("lan-"))
    lan = sum(1 for _, f in reports if f.startswith("lan-"))
    failed = out.count("FEL ")
    index = (project / "reports" / "2024" / "index.html").is_file()
    scope = f"PARTIAL (län {args.county})" if args.county else "national"
    print(f"RESULT {scope} ({args.formats}, {args.jobs} jobs): {s / 60:.1f} min ({s / max(len(reports), 1):.2f} s per report) for {kommun} kommun + {lan} county "
          f"reports (index {'written' if index else 'MISSING'}, {failed} failed); peak memory of the process tree "
          f"{mem.peak_pss / 2**30:.2f} GB PSS ({mem.peak_rss / 2**30:.2f} GB RSS summed, {mem.peak_procs} processes) "
          "(targets: ≤ 6 min on two idle cores, ≤ 1,0 GB)")
    cpu = children_cpu() - cpu0
    print(cpu_line(mem, cpu, s, len(reports)))
    print(f"RESULT {cpu / max(len(reports), 1):.2f} CPU-s per report (target ≤ 2,0, aim 1,5); browsers started: "
          f"{', '.join(mem.browsers()) or 'none'}")
    if args.floor and reports:
        step = max(1, len(reports) // args.floor)
        sample = [project / "reports" / "2024" / f for _, f in reports[::step]][:args.floor]
        result = floor(sample, tuple(f.strip() for f in args.formats.split(",")), project)
        n = max(result["reports"], 1)
        tools = (result["pandoc"] + result["typst"] + result["other children"]) / n
        per = cpu / max(len(reports), 1)
        print(f"RESULT {line(result)} (benchmarks/floor.py on {n} of the run's reports); ratio report/floor "
              f"{per / max(tools + result['python'] / n, 1e-9):.1f} (against pandoc + typst alone: "
              f"{per / max(tools, 1e-9):.1f})")
    print("end:", load())
    if failed:
        print(out[-4000:])
    if mem.browsers():
        sys.exit("FEL: a browser was started in a report run (a chart without a chart spec?)")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
