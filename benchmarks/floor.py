"""The floor of a report: pandoc + typst alone on reports already rendered (not a test).

    .venv/bin/python benchmarks/floor.py [REPORT_FOLDER ...]     # default: every report under reports/<year>/

Each folder (``reports/2024/1081`` …, as ``analysis render`` left it: ``rapport.qmd``, its executed notebooks and
chart files) is copied to a scratch folder and rendered again to HTML and PDF by
:func:`analysis.publish.pandoc_render.render`, exactly as a run does after its notebooks: pandoc for both formats,
Typst for the PDF. Prints, per report, the CPU-seconds of the pandoc and the typst processes (``getrusage`` of
the children, split by wrapping the two calls) and of the Python stitching in this process. What a report costs
above this is the notebooks, the kernels and the run's own work (``benchmarks/blekinge_cpu.py`` prints both).
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def floor(folders: list[Path], formats: tuple[str, ...] = ("html", "pdf"), root: Path = ROOT) -> dict:
    """{"pandoc", "typst", "python": CPU-s summed over the reports, "reports": n} for pandoc + typst alone."""
    from analysis.publish import pandoc_render

    spent = {"pandoc": 0.0, "typst": 0.0}
    real_pandoc, real_typst = pandoc_render._pandoc, pandoc_render.typst_pdf

    def timed(kind, fn):
        def wrapper(*args, **kwargs):
            before = _children()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[kind] += _children() - before
        return wrapper

    pandoc_render._pandoc = timed("pandoc", real_pandoc)
    pandoc_render.typst_pdf = timed("typst", real_typst)
    to = [{"html": "html", "pdf": "typst"}[f] for f in formats]
    n, self0, child0 = 0, _self(), _children()
    try:
        with tempfile.TemporaryDirectory(prefix="floor-") as tmp:
            for folder in folders:
                if not (folder / "rapport.qmd").is_file():
                    continue
                work = Path(tmp) / folder.parent.name / folder.name  # beside its year's _assets, as rendered
                shutil.copytree(folder, work, ignore=shutil.ignore_patterns("data", "*.xlsx", "*.docx"))
                assets = folder.parent / "_assets"
                if assets.is_dir() and not (work.parent / "_assets").exists():
                    shutil.copytree(assets, work.parent / "_assets")
                for t in to:
                    pandoc_render.render(work / "rapport.qmd", t, root)
                n += 1
    finally:
        pandoc_render._pandoc, pandoc_render.typst_pdf = real_pandoc, real_typst
    other = _children() - child0 - spent["pandoc"] - spent["typst"]
    return {**spent, "other children": other, "python": _self() - self0, "reports": n}


def line(result: dict) -> str:
    n = max(result["reports"], 1)
    tools = (result["pandoc"] + result["typst"] + result["other children"]) / n
    return (f"floor over {result['reports']} reports: pandoc {result['pandoc'] / n:.2f} + typst {result['typst'] / n:.2f}"
            f" = {tools:.2f} CPU-s per report in their processes, + {result['python'] / n:.2f} CPU-s of Python "
            f"stitching = {tools + result['python'] / n:.2f}")


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from _common import load, machine

    folders = [Path(a).resolve() for a in argv] or sorted(
        p for p in (ROOT / "reports").glob("20[0-9][0-9]/*") if (p / "rapport.qmd").is_file())
    print(machine())
    print("start:", load())
    print("RESULT", line(floor(folders)))
    print("end:", load())


if __name__ == "__main__":
    main(sys.argv[1:])
