"""The county's årsredovisning text as present composes it: sentences per strategic goal (real, example, missing)
and the document's Swedish texts (``data/arsredovisning/arsredovisning.yml``).

:meth:`analysis.present.report.CountyReport.annual_report_text` fills these; the county report shows them and
:mod:`analysis.publish.arsredovisning` writes the real sentences as DOCX and plain text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from analysis import yamlio

from analysis.config import project_root

TEXTS_FILE = Path("data/arsredovisning/arsredovisning.yml")


@dataclass
class AnnualGoal:
    number: int
    title: str
    label: str = ""  # "Mål 3, Arbete", or the title of a goal kept whole (Strategy.goal_short)
    real: list[str] = field(default_factory=list)  # sentences on real figures (or a real handlingsplan)
    example: list[str] = field(default_factory=list)  # sentences on example values: never in the document
    missing: list[str] = field(default_factory=list)  # notes of what is missing and how to get it


@dataclass
class AnnualText:
    intro: str
    goals: list[AnnualGoal]


@lru_cache(maxsize=4)
def load_texts(root: Path | None = None) -> dict:
    root = root or project_root()
    return yamlio.read(root / TEXTS_FILE)
