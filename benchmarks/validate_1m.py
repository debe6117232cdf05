"""Benchmark: `analysis validate` on 1 000 000 rows (not a test; run by hand).

    .venv/bin/python benchmarks/validate_1m.py [--rows 1000000] [--keep DIR]

Writes two CSV files in the tidy contract into a temporary folder and runs `analysis validate` on each as
a child process, reporting wall time and the child's peak memory (max RSS):

* ``valid``: 1 000 000 distinct, valid rows (every kommun, län and riket × years × sex × group for the
  catalogue's indicators) — must pass;
* ``broken``: the same rows with every key repeated (duplicate keys) and one value in ten impossible
  (negative, above 100 % or ``inf``) — must fail quickly with a short, capped listing.

Target (issue 14): each under a minute and under 1 GB. Measured 2026-12-01 on the shared 2-core machine
(load average about 10 from other sessions): see README, "Tidy data contract".
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.domain.catalogue import load_catalogue
from analysis.data.contract import COLUMNS
from analysis.domain.geography import load_geography


def make_rows(n: int) -> pd.DataFrame:
    cat, geo = load_catalogue(), load_geography()
    codes = np.array([a.code for a in geo])
    parts = []
    total = 0
    for ind in cat:
        groups = [g for g in ind.groups]
        sexes = ["T", "K", "M"] if ind.sex_split else ["T"]
        years = np.arange(1990, 2101)
        grid = pd.MultiIndex.from_product([codes, years, sexes, groups],
                                          names=["geo_code", "year", "sex", "group"]).to_frame(index=False)
        grid.insert(0, "indicator", ind.id)
        grid["age_band"] = ind.age_band
        parts.append(grid)
        total += len(grid)
        if total >= n:
            break
    df = pd.concat(parts, ignore_index=True).iloc[:n]
    if len(df) < n:
        raise SystemExit(f"only {len(df)} distinct keys available; ask for fewer rows")
    rng = np.random.default_rng(1)
    share = df["indicator"].map({i.id: i.unit == "procent" for i in cat}).to_numpy()
    den = rng.integers(25, 5000, len(df))
    num = (den * rng.uniform(0.05, 0.95, len(df))).astype(int) + 6
    num = np.minimum(num, den)
    value = np.where(share, np.round(100 * num / den, 1), np.round(rng.uniform(5, 200, len(df)), 1))
    df["value"] = value
    df["numerator"] = np.where(share, num, np.nan)
    df["denominator"] = np.where(share, den, np.nan)
    df["margin"] = np.nan
    df["status"] = ""
    df["source"] = "Benchmark (genererad)"
    df["example"] = True
    for c in COLUMNS:
        if c not in df.columns:
            df[c] = ""
    return df[COLUMNS]


CHILD = """
import resource, sys
from analysis.cli import app
try:
    app(["validate", sys.argv[1]])
finally:
    u = resource.getrusage(resource.RUSAGE_SELF)
    print("MAXRSS_KB", u.ru_maxrss, u.ru_utime + u.ru_stime, file=sys.stderr)
"""


def run_validate(path: Path) -> tuple[float, float, float, int, str]:
    """`analysis validate` in a fresh process: wall time, CPU time, peak RSS (MB), exit code, output.
    CPU time is shown because wall time on a shared machine includes waiting for a core."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    lines = (proc.stdout + proc.stderr).splitlines()
    usage = next(x.split() for x in lines if x.startswith("MAXRSS_KB"))
    output = "\n".join(x for x in lines if not x.startswith("MAXRSS_KB"))
    return seconds, float(usage[2]), int(usage[1]) / 1024, proc.returncode, output


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="validate-1m-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = make_rows(args.rows)
    valid = folder / "valid.csv"
    rows.to_csv(valid, index=False, float_format="%.10g")
    broken = rows.iloc[: args.rows // 2]
    broken = pd.concat([broken, broken], ignore_index=True)  # every key twice
    bad = np.arange(len(broken)) % 10 == 3
    kinds = np.arange(len(broken)) % 30
    broken.loc[bad & (kinds == 3), "value"] = -5
    broken.loc[bad & (kinds == 13), "value"] = 150
    broken.loc[bad & (kinds == 23), "value"] = np.inf
    broken_path = folder / "broken.csv"
    broken.to_csv(broken_path, index=False, float_format="%.10g")
    print(f"files in {folder}: {valid.name} {valid.stat().st_size / 1e6:.0f} MB, "
          f"{broken_path.name} {broken_path.stat().st_size / 1e6:.0f} MB, {args.rows} rows each")
    for label, path, expect in (("valid", valid, 0), ("broken", broken_path, 2)):
        seconds, cpu, peak, code, output = run_validate(path)
        lines = output.strip().splitlines()
        verdict = "ok" if code == expect and seconds < 60 and peak < 1024 else "FAILS TARGET"
        print(f"{label}: {seconds:.1f} s wall ({cpu:.1f} s CPU), peak RSS {peak:.0f} MB, exit {code}, {len(lines)} output lines "
              f"[{verdict}]")
        for line in lines[:3] + (["…"] + lines[-3:] if len(lines) > 6 else lines[3:]):
            print("   ", line[:160])


if __name__ == "__main__":
    main()
