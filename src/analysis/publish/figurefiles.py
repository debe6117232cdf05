"""The chart files a PDF needs, named by the report model, awaited before the PDF is made.

Why there is anything to wait for: in a batch, a chart without a chart spec is sent to the run's image server
(Chromium) as soon as it is made, and the kernel's drawing thread writes its file once it is drawn, while the
kernel goes on with the next notebooks (:meth:`analysis.present.display.Chart.draw_ahead`). The notebooks can
therefore be done before every chart file is. Each chart's part in the report model names its static image
(:attr:`analysis.present.model.Figure.image`); publish waits here until those files exist, reading nothing but
the model and the report folder. Every file is written whole (a temporary file renamed), so a file that exists
is complete; a chart that could not be drawn gets an image saying so, so every named file comes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterable

from analysis.errors import AnalysisError

#: seconds a report's chart files may take after its notebooks are done (Chromium drawing a queue of charts)
TIMEOUT = 240.0
POLL = 0.02  # seconds between looks


def figure_files(model) -> list[str]:
    """The static image files the report model's figures name (relative to the report folder), in order."""
    from analysis.present.model import Figure

    return [f.image for f in model.parts(Figure) if f.image]


def await_files(folder: Path, names: Iterable[str], alive: Callable[[], bool] | None = None,
                timeout: float = TIMEOUT, poll: float = POLL) -> None:
    """Return once every file ``folder/name`` exists. ``alive``: whether what writes them still runs (the
    worker's kernel); checked while waiting, so a dead kernel is an error at once, not after ``timeout``."""
    folder = Path(folder)
    missing = [n for n in names if not (folder / n).is_file()]
    deadline = time.monotonic() + timeout
    while missing:
        if alive is not None and not alive():
            raise AnalysisError(f"Python-kärnan dog innan diagrammens bilder skrevs (saknas: {_named(missing)})")
        if time.monotonic() > deadline:
            raise AnalysisError(f"diagrammens bilder skrevs inte inom {timeout:.0f} s (saknas: {_named(missing)})")
        time.sleep(poll)
        missing = [n for n in missing if not (folder / n).is_file()]


def await_figure_files(folder: Path, alive: Callable[[], bool] | None = None, timeout: float = TIMEOUT) -> None:
    """Wait for the chart files the report model in ``folder`` names (:func:`await_files`)."""
    from analysis.present import model

    await_files(folder, figure_files(model.read(folder)), alive, timeout)


def _named(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" och {len(names) - 3} till" if len(names) > 3 else "")
