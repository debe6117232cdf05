"""The output formats of a report: a registry, name -> renderer.

Each :class:`OutputFormat` turns the written ``rapport.qmd`` (made from the report model) into
``rapport.<name>`` in the report folder. ``analysis render --format`` offers exactly the registered names,
``analysis.publish.render`` renders each requested format through its entry, a format that shows the
charts as static images (the PDF) makes the notebooks write them and waits for them before it renders, and
the year's index page links each report's file of every registered format (:mod:`analysis.publish.index`).

Adding a format (e.g. DOCX) is one entry and its renderer::

    register(OutputFormat("docx", render=lambda qmd, job: my_docx(qmd, job.root)))
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class OutputFormat:
    name: str  # as on the command line; the output is rapport.<name>
    render: Callable[[Path, object], Path]  # (rapport.qmd, the job) -> the written file
    static_images: bool = False  # the charts as image files (drawn from their chart specs) before rendering
    label: str = ""  # the link text on the year's index page ("webbsida", "PDF"; default: the name)


def _document(to: str) -> Callable[[Path, object], Path]:
    """Quarto's or pandoc+Typst's ``to`` format, whichever renderer the job uses."""

    def render(qmd: Path, job) -> Path:
        if job.renderer == "quarto":
            from analysis.publish import quarto_render

            return quarto_render.render(qmd, to)
        from analysis.publish.pandoc_render import render as pandoc

        return pandoc(qmd, to, job.root)

    return render


FORMATS: dict[str, OutputFormat] = {}


def register(fmt: OutputFormat) -> OutputFormat:
    """Add (or replace) an output format."""
    FORMATS[fmt.name] = fmt
    return fmt


def unregister(name: str) -> None:
    FORMATS.pop(name, None)


def get(name: str) -> OutputFormat:
    from analysis.errors import AnalysisError

    if name not in FORMATS:
        raise AnalysisError(f"--format {name}: välj bland {', '.join(FORMATS)}")
    return FORMATS[name]


def render_order(names) -> list[str]:
    """Formats without static images first: the charts' image files are then awaited once, just before the
    first format that needs them."""
    return sorted(names, key=lambda n: get(n).static_images)


register(OutputFormat("html", _document("html"), label="webbsida"))
register(OutputFormat("pdf", _document("typst"), static_images=True, label="PDF"))
