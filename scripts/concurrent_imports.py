"""Two `analysis import` runs started together, round after round, in a scratch copy of the project.

Issue 22 ("two imports started together in a loop of 20: no lost snapshot, tidy table = rebuild from raw every
time"). After every round it checks, in the scratch copy:
- both imports succeeded (each prints "sparad som data/raw/import/… (med härkomstfil)");
- every snapshot an import reported exists (the printed path is relative to the folder the import ran in);
- every snapshot has a sidecar (`….source.yml`) naming its sha256, and no sidecar is left without its snapshot;
- the number of snapshots is 2 × round (none lost, none extra);
- no temporary file (`*.tmp`, `*.staging-*`) is left;
- the tidy table equals a rebuild from the raw snapshots (`analysis build-data --output`), byte for byte.

    .venv/bin/python scripts/concurrent_imports.py [--rounds 20] [--keep]

Exit code 0 when every round passed, 1 when any check failed, 2 on a usage error, 130 on Ctrl-C.
The project's own data/ is never touched: the scratch copy lives in a temporary folder (removed unless --keep).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANALYSIS = ROOT / ".venv" / "bin" / "analysis"
HEADER = "indicator,geo_code,year,sex,group,age_band,value,status,source,example\n"
SIDECAR = ".source.yml"
TIMEOUT = 900  # seconds per command; a hang is a failure, not a wait for ever
REPORTED = re.compile(r"sparad som (\S+) \(med härkomstfil\)")


def reported_snapshot(stdout: str, cwd: Path) -> Path | None:
    """The snapshot an import said it saved, as an absolute path (the import prints it relative to its cwd)."""
    m = REPORTED.search(" ".join(stdout.split()))  # rich may wrap the line; the path itself has no spaces
    if not m:
        return None
    p = Path(m.group(1))
    return p if p.is_absolute() else cwd / p


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class RoundCheck:
    """What one round left behind in the scratch copy; `problems` names every failed check in Swedish."""

    snapshots: int
    expected: int
    lost: list[Path] = field(default_factory=list)         # reported by an import, not on disk
    bad_checksum: list[Path] = field(default_factory=list)  # no sidecar, or a sidecar without the file's sha256
    orphans: list[Path] = field(default_factory=list)       # sidecar without its snapshot
    temp: list[Path] = field(default_factory=list)          # temporary files left over
    same_as_rebuild: bool = True

    @property
    def problems(self) -> list[str]:
        out = []
        if self.snapshots != self.expected:
            out.append(f"{self.snapshots} ögonblicksbilder, väntat {self.expected}")
        for label, items in (("förlorad", self.lost), ("fel kontrollsumma", self.bad_checksum),
                             ("härkomstfil utan ögonblicksbild", self.orphans), ("tillfällig fil kvar", self.temp)):
            out += [f"{label}: {p.name}" for p in items]
        if not self.same_as_rebuild:
            out.append("tidy-tabellen skiljer sig från en ombyggnad från råfilerna")
        return out

    @property
    def ok(self) -> bool:
        return not self.problems


def check_round(root: Path, reported: list[Path], expected: int, same_as_rebuild: bool = True) -> RoundCheck:
    """Check data/raw/import under `root` after a round: `reported` snapshots present, sidecars match, no leftovers."""
    imports = root / "data" / "raw" / "import"
    files = sorted(imports.iterdir()) if imports.is_dir() else []
    snaps = [p for p in files if p.is_file() and not p.name.endswith(SIDECAR)]
    sidecars = [p for p in files if p.name.endswith(SIDECAR)]
    temp = sorted(p for p in root.rglob("*") if p.name.endswith(".tmp") or ".staging-" in p.name)

    def matches(p: Path) -> bool:
        side = p.with_name(p.name + SIDECAR)
        return side.is_file() and _sha(p) in side.read_text(encoding="utf-8")

    return RoundCheck(
        snapshots=len(snaps), expected=expected,
        lost=[p for p in reported if not p.is_file()],
        bad_checksum=[p for p in snaps if not matches(p)],
        orphans=[s for s in sidecars if not s.with_name(s.name[: -len(SIDECAR)]).is_file()],
        temp=temp, same_as_rebuild=same_as_rebuild)


def _s(seconds: float) -> str:
    return f"{seconds:.1f} s".replace(".", ",")


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="Användning: ")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fel: {message}\n")


def _args(argv: list[str] | None) -> argparse.Namespace:
    ap = _Parser(
        prog="concurrent_imports.py", formatter_class=_Formatter, add_help=False,
        description="Starta två `analysis import` samtidigt, runda efter runda, i en tillfällig kopia av projektet, "
                    "och kontrollera efter varje runda att ingen ögonblicksbild förlorats och att tidy-tabellen är "
                    "densamma som en ombyggnad från råfilerna. Projektets egen data/ rörs inte.",
        epilog="Slutkod 0 = alla rundor godkända, 1 = någon kontroll misslyckades, 130 = avbruten.")
    ap._optionals.title = "flaggor"
    ap.add_argument("-h", "--help", action="help", help="visa denna hjälp och avsluta")
    ap.add_argument("--rounds", "-n", type=int, default=20, metavar="N", help="antal rundor (standard: 20)")
    ap.add_argument("--keep", action="store_true", help="behåll den tillfälliga kopian efteråt (sökvägen skrivs ut)")
    a = ap.parse_args(argv)
    if not 1 <= a.rounds <= 1000:
        ap.error(f"--rounds: mellan 1 och 1000 (angivet {a.rounds})")
    return a


def _run_round(r: int, scratch: Path, files: list[Path], env: dict, before: int) -> tuple[RoundCheck, int, int, list[str]]:
    procs = [subprocess.Popen([str(ANALYSIS), "import", str(f), "--producer", f"Runda {r}"], env=env, cwd=scratch,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in files]
    reported, failed, waited = [], [], 0
    for p in procs:
        try:
            out, err = p.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            err += f"\n(avbruten efter {TIMEOUT} s)"
        waited += "Väntar:" in err
        snap = reported_snapshot(out, scratch)
        if p.returncode != 0 or snap is None:
            failed.append(f"import misslyckades (kod {p.returncode}): {' '.join(err.split())[:300]}")
        else:
            reported.append(snap)
    rebuilt = scratch / "rebuilt.csv"
    b = subprocess.run([str(ANALYSIS), "build-data", "--output", str(rebuilt)], env=env, cwd=scratch,
                       capture_output=True, text=True, timeout=TIMEOUT)
    same = b.returncode == 0 and rebuilt.read_bytes() == (scratch / "data" / "tidy" / "integration.csv").read_bytes()
    if b.returncode != 0:
        failed.append(f"build-data misslyckades (kod {b.returncode}): {' '.join(b.stderr.split())[:300]}")
    rebuilt.unlink(missing_ok=True)
    return check_round(scratch, reported, before + 2 * r, same), len(reported), waited, failed


def main(argv: list[str] | None = None) -> int:
    a = _args(argv)
    if not ANALYSIS.is_file():
        print(f"Hittar inte {ANALYSIS.relative_to(ROOT)}: kör `make install` först.", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="analysis-samtidiga-"))
    started = time.perf_counter()
    totals = dict(inlasta=0, vantade=0, forlorade=0, kontrollsumma=0, foraldralosa=0, tillfalliga=0, olika=0,
                  misslyckade=0)
    failed_rounds = []
    try:
        shutil.copytree(ROOT / "data", scratch / "data")
        before = check_round(scratch, [], 0).snapshots  # own imports already in the project's data/
        shutil.copy(ROOT / "analysis.yml", scratch / "analysis.yml")
        env = {**os.environ, "ANALYSIS_ROOT": str(scratch), "COLUMNS": "400", "NO_COLOR": "1"}
        files = []
        for i, (code, value) in enumerate((("1081", 71.5), ("1082", 64.25))):
            f = scratch / f"egna-{i}.csv"  # same name pattern, different content and area
            f.write_text(HEADER + f"sfi_godkanda,{code},2024,T,total,16+,{value},,Egen uppföljning,false\n",
                         encoding="utf-8")
            files.append(f)
        print(f"{a.rounds} rundor med två samtidiga `analysis import` i {scratch}", flush=True)
        for r in range(1, a.rounds + 1):
            t = time.perf_counter()
            chk, n_ok, waited, failed = _run_round(r, scratch, files, env, before)
            totals["inlasta"] += n_ok
            totals["vantade"] += waited
            totals["forlorade"] += len(chk.lost)
            totals["kontrollsumma"] += len(chk.bad_checksum)
            totals["foraldralosa"] += len(chk.orphans)
            totals["tillfalliga"] += len(chk.temp)
            totals["olika"] += not chk.same_as_rebuild
            totals["misslyckade"] += len(failed)
            good = chk.ok and not failed
            if not good:
                failed_rounds.append(r)
            print(f"runda {r:2d}: {'OK ' if good else 'FEL'} {n_ok}/2 inlästa ({waited} väntade på låset), "
                  f"{chk.snapshots} ögonblicksbilder (väntat {chk.expected}), förlorade {len(chk.lost)}, "
                  f"fel kontrollsumma {len(chk.bad_checksum)}, föräldralösa härkomstfiler {len(chk.orphans)}, "
                  f"tillfälliga filer {len(chk.temp)}, tidy = ombyggd från råfilerna: "
                  f"{'ja' if chk.same_as_rebuild else 'NEJ'} ({_s(time.perf_counter() - t)})",
                  flush=True)
            for line in failed + chk.problems:
                print(f"          {line}", flush=True)
        print("")
        print(f"Summa: {a.rounds} rundor, {a.rounds - len(failed_rounds)} godkända, {len(failed_rounds)} med fel"
              + (f" (runda {', '.join(map(str, failed_rounds))})" if failed_rounds else "") + ".")
        print(f"  importer: {totals['inlasta']} av {2 * a.rounds} lyckades ({totals['vantade']} väntade på låset, "
              f"{totals['misslyckade']} fel)")
        print(f"  förlorade ögonblicksbilder: {totals['forlorade']}; fel kontrollsumma: {totals['kontrollsumma']}; "
              f"föräldralösa härkomstfiler: {totals['foraldralosa']}; tillfälliga filer kvar: {totals['tillfalliga']}")
        print(f"  rundor där tidy-tabellen skilde sig från en ombyggnad från råfilerna: {totals['olika']}")
        print(f"  tid: {_s(time.perf_counter() - started)}")
        return 1 if failed_rounds else 0
    except KeyboardInterrupt:
        print("\nAvbruten.", file=sys.stderr)
        return 130
    finally:
        if a.keep:
            print(f"Kopian finns kvar: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
