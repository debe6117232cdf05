"""Run the whole adversarial suite (tests/test_adversarial.py, slow and e2e parts included) and print its counts.

Issue 22 asks for the suite's counts: cases, clear errors, tracebacks, accepted bad files, and data changed
after a rejected import. The tests print one line of figures per sweep (pytest -s); this script runs them,
collects those lines and prints them with the pytest result, so a reviewer sees the figures, not only "passed".

    .venv/bin/python scripts/adversarial_counts.py [--cases N]

--cases sets ADVERSARIAL_CASES for the full bad-file sweep (default 240). Exit code: that of pytest.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the first words of the lines of figures the sweeps print
PREFIXES = ("adversarial:", "os errors", "results cache:", "partial counts:", "yaml tags:", "handlingsplan sheets:")
HEADLINE = re.compile(r"adversarial: (\d+) cases, (\d+) clear errors \((\d+) runs.*?\), tracebacks (\d+), "
                      r"accepted bad (\d+), data/ changed (\d+)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Kör hela den fientliga testsviten och skriv ut dess siffror.")
    ap.add_argument("--cases", type=int, default=int(os.environ.get("ADVERSARIAL_CASES", "240")),
                    help="antal genererade felaktiga filer i den stora sviten (standard: 240)")
    a = ap.parse_args(argv)
    env = {**os.environ, "ADVERSARIAL_CASES": str(a.cases)}
    t = time.perf_counter()
    cmd = [sys.executable, "-m", "pytest", "tests/test_adversarial.py", "-s", "-q", "-p", "no:cacheprovider",
           "-m", "slow or e2e or not slow"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    lines = proc.stdout.splitlines()
    figures = [m.group(0) for line in lines for p in PREFIXES if (m := re.search(re.escape(p) + r".*", line))]
    result = next((ln for ln in reversed(lines) if re.search(r"\b(passed|failed|error)", ln)), "(ingen pytest-rad)")
    print("Kommando: " + " ".join(["ADVERSARIAL_CASES=" + str(a.cases), "python", *cmd[1:]]))
    print("")
    for f in figures:
        print(f)
    heads = [m for f in figures if (m := HEADLINE.search(f))]
    m = max(heads, key=lambda h: int(h.group(1)), default=None)  # the full sweep (the quick sample is smaller)
    if m:
        cases, clear, runs, tracebacks, accepted, changed = m.groups()
        print("")
        print(f"Felaktiga filer: {cases} fall ({runs} körningar: validate + import), tydliga fel {clear}, "
              f"tracebacks {tracebacks}, felaktiga som godtogs {accepted}, data/ ändrad efter avvisning {changed}")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"pytest: {result.strip()} ({time.perf_counter() - t:.0f} s, belastning {load})")
    if proc.returncode != 0:
        print("OBS: pytest misslyckades; ett svep som avbröts av ett fel skriver inga siffror, så siffrorna ovan "
              "gäller bara de svep som gick klart.")
        print("\n--- pytest-utdata (misslyckat) ---")
        print("\n".join(lines[-80:]))
        print(proc.stderr[-4000:])
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
