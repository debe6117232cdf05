"""Benchmark: what the maps cost (not a test).

    .venv/bin/python benchmarks/maps.py [--counties 10,12,14] [--repeat 3]

In one process, in a scratch copy of the project:

1. the geometry prepared once per run (:func:`analysis.data.geometry.prepared_geometry`): built from the raw
   GeoJSON (cold), then loaded from ``.cache/maps`` (what every later kernel of a run does);
2. per county report: every map of the report (one per indicator with a native comparison at kommun level),
   each made and displayed as in a report (plotly figure, HTML, SVG file, its table and CSV/XLSX downloads), in
   CPU seconds of this process (median of ``--repeat``);
3. the national index (:func:`analysis.publish.index.write_index`): CPU seconds and size in bytes, and
   ``analysis index`` as a command (wall and CPU of the whole process tree).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from _common import analysis, children_cpu, load, start


def cpu() -> float:
    return time.process_time()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counties", default="10,12,14")
    ap.add_argument("--repeat", type=int, default=3)
    args, project = start(ap)
    os.environ["ANALYSIS_ROOT"] = str(project)
    from analysis.compute.artefact import ensure_artefact
    from analysis.config import load_config
    from analysis.data import geometry
    from analysis.present import maps
    from analysis.present.display import configure
    from analysis.present.report import CountyReport
    from analysis.publish.index import write_index

    config = load_config(project)
    path, _ = ensure_artefact(config, config.data_path, config.year)  # untimed: every run computes its results

    t = cpu()
    geometry.prepared_geometry(project)
    cold = cpu() - t
    geometry._prepared.cache_clear()
    t = cpu()
    geometry.prepared_geometry(project)
    warm = cpu() - t
    print(f"RESULT geometry: built once per run {cold:.3f} CPU-s; loaded from .cache/maps {warm:.3f} CPU-s "
          f"(once per kernel) ({load()})")

    for county in args.counties.split(","):
        report = CountyReport(county, config.year, results_path=str(path), static_images=True)
        shown = {fa for goal in report.results.strategy.goals for fa in goal.focus_areas}  # the report's sections
        inds = [i for i in report.catalogue if i.is_native and "kommun" in i.levels and i.focus_area in shown]
        totals = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                configure(static_images=True, figures_dir=Path(tmp) / "figurer", include_plotlyjs=False)
                report.downloads = Path(tmp) / "data"
                t = cpu()
                for ind in inds:
                    for part in maps.county_map(report, ind):
                        part.bundle()  # as displayed: HTML, SVG file, table, downloads
                totals.append(cpu() - t)
        n = sum(1 for i in inds if maps.county_map(report, i))
        print(f"RESULT county {county} ({len(report.kommuner)} kommuner, {n} maps): "
              f"{statistics.median(totals):.3f} CPU-s per report for all its maps with tables and downloads "
              f"({statistics.median(totals) / max(n, 1):.3f} per map) ({load()})")

    out = project / "reports"
    t = cpu()
    page = write_index(out, config.year, config, path)
    spent = cpu() - t
    print(f"RESULT index (in process, geometry loaded): {spent:.3f} CPU-s, {page.stat().st_size} bytes")
    c0, w0 = children_cpu(), time.perf_counter()
    analysis(project, "index")
    print(f"RESULT `analysis index` (results computed already): {time.perf_counter() - w0:.2f} s wall, "
          f"{children_cpu() - c0:.2f} CPU-s, {page.stat().st_size} bytes ({load()})")


if __name__ == "__main__":
    main()
