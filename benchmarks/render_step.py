"""Benchmark: the render step of one report, Quarto vs pandoc+Typst, HTML and PDF (not a test).

    PATH=/path/to/quarto/bin:$PATH .venv/bin/python benchmarks/render_step.py [--kommun 1081] [--repeat 3]

Builds the report once with `analysis render --renderer pandoc` in a scratch copy of the project (untimed), then
renders its rapport.qmd again, per format and renderer, each time in a fresh copy of the report folder:

* Quarto: `quarto render rapport.qmd --to html|typst` (deno, pandoc, dart-sass, typst: all child processes);
* pandoc+Typst: `analysis.publish.pandoc_render.render` in this process (its Python work) plus its pandoc and
  typst children.

CPU-seconds are user+system of the children (getrusage RUSAGE_CHILDREN, the whole finished process tree)
plus, for the pandoc path, this process's own; wall time and the load average are printed beside them.
Skips Quarto when it is not on PATH.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import analysis, load, start

FORMATS = {"html": "html", "pdf": "typst"}


def cpu(who) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def measure(fn) -> tuple[float, float]:
    """(CPU-seconds of this process and its finished children, wall seconds) of ``fn()``."""
    c0, s0, t0 = cpu(resource.RUSAGE_CHILDREN), cpu(resource.RUSAGE_SELF), time.perf_counter()
    fn()
    return (cpu(resource.RUSAGE_CHILDREN) - c0) + (cpu(resource.RUSAGE_SELF) - s0), time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kommun", default="1081")
    ap.add_argument("--repeat", type=int, default=3)
    args, project = start(ap)
    analysis(project, "render", "-m", args.kommun, "--renderer", "pandoc", "--format", "html,pdf")
    built = next((project / "reports").glob(f"*/{args.kommun}"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import os

    os.environ["ANALYSIS_ROOT"] = str(project)
    from analysis.publish.pandoc_render import render

    renderers = {"pandoc+typst": lambda qmd, to: render(qmd, to, project)}
    if shutil.which("quarto"):
        version = subprocess.run(["quarto", "--version"], capture_output=True, text=True, check=True).stdout.strip()
        print(f"quarto {version}: {shutil.which('quarto')}")

        def quarto(qmd: Path, to: str) -> None:
            subprocess.run(["quarto", "render", qmd.name, "--to", to], cwd=qmd.parent, check=True,
                           capture_output=True)

        renderers["quarto"] = quarto
    else:
        print("quarto is not on PATH: pandoc+Typst only")
    render(built / "rapport.qmd", "html", project)  # warm: imports and the notebook reader, as in a worker
    rows = []
    for fmt, to in FORMATS.items():
        for name, fn in renderers.items():
            cpus, walls = [], []
            for _ in range(args.repeat):
                scratch = Path(tempfile.mkdtemp(dir=built.parent, prefix=".bench-"))
                shutil.rmtree(scratch)
                shutil.copytree(built, scratch)  # same depth as the report folder: ../_assets, font-paths hold
                try:
                    c, w = measure(lambda fn=fn, qmd=scratch / "rapport.qmd", to=to: fn(qmd, to))
                finally:
                    shutil.rmtree(scratch, ignore_errors=True)
                cpus.append(c)
                walls.append(w)
            rows.append((fmt, name, statistics.median(cpus), statistics.median(walls)))
            print(f"{fmt:4} {name:13} CPU {statistics.median(cpus):5.2f} s  wall {statistics.median(walls):5.2f} s "
                  f"(median of {args.repeat}; CPU {', '.join(f'{c:.2f}' for c in cpus)})  {load()}", flush=True)
    print("end:", load())


if __name__ == "__main__":
    main()
