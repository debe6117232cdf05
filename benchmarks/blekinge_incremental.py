"""Benchmark: a no-op re-run of Blekinge and a re-run after one changed kommun (not a test).

    .venv/bin/python benchmarks/blekinge_incremental.py [--formats html,pdf] [--kommun 1083]

First builds Blekinge (untimed), then times `analysis render` with nothing changed (target ≤ 3 s), then
changes one value of one kommun in the data file and re-runs, twice:

1. a value of the year before the report year: only that kommun's report and the county report are
   rebuilt (plus any kommun of the same comparison group in the län, whose group value changes with it:
   Sölvesborg 1083 has none in Blekinge);
2. a value of the report year: that kommun's dot also moves in every kommun report's strip plot
   ("alla kommuner", the kommungrupp section), so every kommun report of the run is rebuilt.

Prints what was rebuilt.
"""

from __future__ import annotations

import argparse

import pandas as pd

from _common import analysis, built, load, start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--formats", default="html,pdf")
    ap.add_argument("--kommun", default="1083")
    args, project = start(ap)
    s, out, _, _ = analysis(project, "render", "-f", args.formats, "--force")
    print(f"first build: {s:.1f} s, {len(built(out))} reports")
    s, out, err, _ = analysis(project, "render", "-f", args.formats)
    print(f"RESULT no-op re-run: {s:.2f} s (target ≤ 3 s), rebuilt {len(built(out))} ({load()})")
    assert not built(out) and "AKTUELL" in out, out
    data = project / "data" / "tidy" / "integration.csv"
    for year, what in (("2023", "an earlier year"), ("2024", "the report year")):
        tidy = pd.read_csv(data, dtype=str, keep_default_na=False)
        row = (tidy["geo_code"] == args.kommun) & (tidy["indicator"] == "sysselsattningsgrad") & (
            tidy["year"] == year) & (tidy["group"] == "utrikes") & (tidy["sex"] == "T")
        assert row.sum() == 1, "no such row"
        before = tidy.loc[row, "value"].iloc[0]
        tidy.loc[row, "value"] = f"{float(before) + 0.1:.1f}"
        tidy.to_csv(data, index=False)
        print(f"changed ({what}): sysselsattningsgrad {year} utrikes födda in {args.kommun}: {before} -> "
              f"{tidy.loc[row, 'value'].iloc[0]}")
        s, out, _, _ = analysis(project, "render", "-f", args.formats)
        names = [f"{n} ({f})" for n, f in built(out)]
        print(f"RESULT one changed kommun, {what}: {s:.1f} s, rebuilt {len(names)}: {', '.join(names)} ({load()})")
    print("end:", load())


if __name__ == "__main__":
    main()
