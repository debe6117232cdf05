"""Two `analysis import` runs started together, ROUNDS times, in a scratch copy of the project.

After every round it checks: both imports succeeded (or one said clearly why it could not); every snapshot
either import reported is in data/raw/import with a sidecar whose checksum matches (no lost snapshot, no
orphan sidecar); no temporary file is left; and the tidy table equals a rebuild from the raw snapshots
(`analysis build-data --output`), byte for byte.

    .venv/bin/python scripts/concurrent_imports.py [ROUNDS]      (default 20; KEEP=1 keeps the scratch copy)
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANALYSIS = ROOT / ".venv" / "bin" / "analysis"
HEADER = "indicator,geo_code,year,sex,group,age_band,value,status,source,example\n"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(rounds: int) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="analysis-samtidiga-"))
    try:
        shutil.copytree(ROOT / "data", scratch / "data")
        shutil.copy(ROOT / "analysis.yml", scratch / "analysis.yml")
        env = {**os.environ, "ANALYSIS_ROOT": str(scratch)}
        files = []
        for i, (code, value) in enumerate((("1081", 71.5), ("1082", 64.25))):
            f = scratch / f"egna-{i}.csv"  # the same name pattern, different content and area
            f.write_text(HEADER + f"sfi_godkanda,{code},2024,T,total,16+,{value},,Egen uppföljning,false\n",
                         encoding="utf-8")
            files.append(f)
        imports = scratch / "data" / "raw" / "import"
        failures = 0
        for r in range(1, rounds + 1):
            t = time.perf_counter()
            procs = [subprocess.Popen([str(ANALYSIS), "import", str(f), "--producer", f"Runda {r}"], env=env,
                                      cwd=scratch, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for f in files]
            outs = [p.communicate() + (p.returncode,) for p in procs]
            reported = []
            for out, err, code in outs:
                m = re.search(r"sparad som (\S+) \(med härkomstfil\)", " ".join(out.split()))
                if code != 0 or not m:
                    print(f"runda {r}: import misslyckades (kod {code}): {err.strip()}")
                    failures += 1
                else:
                    reported.append(Path(m.group(1)))
            waited = sum("Väntar:" in err for _, err, _ in outs)
            snaps = sorted(p for p in imports.iterdir() if not p.name.endswith(".source.yml"))
            sidecars = sorted(p for p in imports.iterdir() if p.name.endswith(".source.yml"))
            lost = [p for p in reported if not p.is_file()]
            bad = [p for p in snaps if not (p.with_name(p.name + ".source.yml").is_file()
                                            and _sha(p) in p.with_name(p.name + ".source.yml").read_text())]
            orphans = [s for s in sidecars if not s.with_name(s.name[: -len(".source.yml")]).is_file()]
            temp = [p for p in scratch.rglob("*") if p.name.endswith(".tmp") or ".staging-" in p.name]
            rebuilt = scratch / "rebuilt.csv"
            b = subprocess.run([str(ANALYSIS), "build-data", "--output", str(rebuilt)], env=env, cwd=scratch,
                               capture_output=True, text=True)
            same = b.returncode == 0 and rebuilt.read_bytes() == (scratch / "data" / "tidy" / "integration.csv").read_bytes()
            ok = not lost and not bad and not orphans and not temp and same and len(snaps) == 2 * r
            failures += not ok
            print(f"runda {r:2d}: {len(reported)}/2 inlästa ({waited} väntade på låset), {len(snaps)} ögonblicksbilder "
                  f"(väntat {2 * r}), förlorade {len(lost)}, fel kontrollsumma {len(bad)}, föräldralösa "
                  f"härkomstfiler {len(orphans)}, tillfälliga filer {len(temp)}, tidy = ombyggd från råfilerna: "
                  f"{'ja' if same else 'NEJ'} ({time.perf_counter() - t:.1f} s)", flush=True)
        print(f"{rounds} rundor, {failures} fel.")
        return 1 if failures else 0
    finally:
        if os.environ.get("KEEP") != "1":
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print(f"Kvar: {scratch}")


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
