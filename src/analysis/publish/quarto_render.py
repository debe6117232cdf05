"""Render a report's ``rapport.qmd`` with the Quarto CLI, and choose between Quarto and pandoc+Typst.

``renderer`` in ``analysis.yml`` (or ``analysis render --renderer``): ``auto`` takes Quarto when ``quarto`` is
on PATH and pandoc+Typst otherwise; ``quarto`` requires it; ``pandoc`` never uses it. A failing Quarto step
becomes one Swedish line carrying Quarto's first meaningful error line (not its whole log); the report then
fails and its earlier published version stays in place (:mod:`analysis.publish.render`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from analysis.errors import AnalysisError

RENDERERS = ("auto", "quarto", "pandoc")
#: the names the jobs, the summary and the colophon use
QUARTO, PANDOC = "quarto", "pandoc+typst"


def choose_renderer(setting: str | None = "auto") -> str:
    """``quarto`` or ``pandoc+typst`` for a ``renderer`` setting (``ANALYSIS_RENDERER`` overrides it)."""
    setting = os.environ.get("ANALYSIS_RENDERER") or setting or "auto"
    setting = {"pandoc+typst": "pandoc"}.get(setting, setting)
    if setting not in RENDERERS:
        raise AnalysisError(f"renderer: {setting!r} finns inte; välj {', '.join(RENDERERS)}.")
    if setting == "pandoc":
        return PANDOC
    found = shutil.which("quarto")
    if setting == "quarto" and not found:
        raise AnalysisError("renderer: quarto, men kommandot quarto finns inte på PATH "
                            "(välj --renderer pandoc eller auto, eller installera Quarto).")
    return QUARTO if found else PANDOC


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Lines of Quarto's log that say what went wrong, best first: its own ERROR line, then a tool's error line
# (Typst: "error: the argument `body` is positional", pandoc: "Error running filter …").
_ERROR_LINE = (re.compile(r"^\s*ERROR:\s*(.+)"), re.compile(r"^\s*(?:error|Error)(?:\[[^\]]*\])?:\s*(.+)"),
               re.compile(r"^\s*(.*\b(?:[Ee]rror|failed|Failed)\b.*)"))


def first_error_line(log: str, limit: int = 300) -> str:
    """Quarto's first meaningful error line from its stderr (colours removed, a stack trace skipped)."""
    lines = [_ANSI.sub("", line).strip() for line in log.splitlines()]
    lines = [line for line in lines if line and not line.startswith("at ") and line != "Stack trace:"]
    for pattern in _ERROR_LINE:
        for line in lines:
            m = pattern.match(line)
            if m and m.group(1).strip() not in ("", "Error"):
                text = m.group(1).strip()
                return text if len(text) <= limit else text[: limit - 1] + "…"
    return (lines[-1][:limit] if lines else "inget felmeddelande")


def _quarto(qmd: Path, to: str) -> subprocess.CompletedProcess:
    """One ``quarto render`` in the report's folder; Quarto's working files are removed afterwards."""
    from analysis.publish.qmd import remove_quarto_leftovers

    try:
        return subprocess.run(["quarto", "render", qmd.name, "--to", to], cwd=qmd.parent, capture_output=True,
                              text=True, check=False)
    except OSError as exc:
        raise AnalysisError(f"Quarto kunde inte startas: {exc}") from exc
    finally:
        remove_quarto_leftovers(qmd.parent)


def _figures_in_place(qmd: Path) -> bool:
    """The report's Typst header (:data:`analysis.publish.qmd.HEADER`) with figures in place by default
    (:func:`analysis.present.brand.floats_off`); False if it has no such default to change."""
    from analysis.present import brand
    from analysis.publish.qmd import HEADER

    header = qmd.parent / HEADER["typst"]
    text = header.read_text(encoding="utf-8") if header.is_file() else ""
    if brand.FLOATS_ON not in text:
        return False
    header.write_text(brand.floats_off(text), encoding="utf-8")
    return True


def render(qmd: Path, to: str) -> Path:
    """``quarto render rapport.qmd --to <to>`` in the report's folder; returns ``rapport.html`` or ``.pdf``.
    Quarto's working files and its widget CDN scripts are removed from the folder afterwards.

    When Typst stops the PDF with its PDF/UA tagging bug on floating figures
    (:data:`analysis.publish.pandoc_render.FLOAT_TAGGING_BUG`), the PDF is rendered again with the figures in
    place, as on the pandoc+Typst path. Quarto passes Typst no ``--input``, so the report folder's Typst header
    is changed instead (and stays so: the folder then renders on its own with plain ``quarto render``)."""
    from analysis.publish.pandoc_render import FLOAT_TAGGING_BUG
    from analysis.publish.qmd import remove_widget_cdn

    work = qmd.parent
    proc = _quarto(qmd, to)
    if (proc.returncode != 0 and to == "typst" and FLOAT_TAGGING_BUG in proc.stderr + proc.stdout
            and _figures_in_place(qmd)):
        proc = _quarto(qmd, to)
    out = work / (f"{qmd.stem}.html" if to == "html" else f"{qmd.stem}.pdf")
    if proc.returncode != 0 or not out.is_file():
        fmt = "HTML" if to == "html" else "PDF"
        raise AnalysisError(f"Quarto kunde inte göra {fmt} (quarto render --to {to}, kod {proc.returncode}): "
                            f"{first_error_line(proc.stderr + chr(10) + proc.stdout)}")
    if to == "html":
        remove_widget_cdn(out)
    return out
