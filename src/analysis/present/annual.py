"""The county's årsredovisning text as present composes it: sentences per strategic goal (real, example, missing)
and the document's Swedish texts (``data/arsredovisning/arsredovisning.yml``).

:meth:`analysis.present.county_report.CountyReport.annual_report_text` fills these; the county report shows them and
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


# --------------------------------------------------------------------------- the document (DOCX, text)

#: the output metadata key of the county report's årsredovisning text: the sentences and what the document
#: needs besides them (read by :mod:`analysis.present.reportbuild`, which composes the document into the model)
ANNUAL_KEY = "analysis/annual"


def payload(text: AnnualText, strategy: str, sources: list[str]) -> dict:
    """What the county report's notebook hands the report model about the årsredovisning (JSON values)."""
    from dataclasses import asdict

    return {"text": asdict(text), "strategy": strategy, "sources": list(sources)}


def text_from_dict(data: dict) -> AnnualText:
    return AnnualText(data["intro"], [AnnualGoal(**g) for g in data["goals"]])


def document_markdown(text: AnnualText, year: int, strategy: str, about: dict, texts: dict | None = None) -> str:
    """The document as pandoc markdown: a heading per goal, real sentences only, notes of what is missing."""
    from analysis.present.escape import md_text as md  # strategy names, goal titles, sentences: literal

    t = texts or load_texts()
    parts = [f"# {t['title'].format(year=year, strategy=md(strategy))}", md(text.intro)]
    for g in text.goals:
        parts.append("## " + (t["goal_heading"].format(number=g.number, title=md(g.title)) if g.label != g.title
                              else md(g.title)))
        parts.append(" ".join(md(r) for r in g.real) if g.real else t["nothing_real"].format(year=year))
        if g.missing:
            parts.append(f"**{t['missing_heading']}:**")
            parts.append("\n".join(f"- {m}" for m in g.missing))
    parts.append(f"## {t['about_heading']}")
    parts.append(t["about"].format(**about).strip())
    return "\n\n".join(parts) + "\n"


def document(data: dict, year: int, created: str, data_file: str, data_sha: str, root: Path | None = None):
    """The årsredovisning as the report model carries it (:class:`analysis.present.model.Document`): its
    markdown composed here from the notebook's :func:`payload`, the run's date and data file, and the files and
    styles publish writes it with."""
    from analysis.present.model import Document

    texts = load_texts(root)
    about = {"sources": "; ".join(data["sources"]) or "inga", "created": created, "data_file": data_file,
             "data_sha": data_sha}
    md = document_markdown(text_from_dict(data["text"]), year, data["strategy"], about, texts)
    return Document(name="arsredovisning", markdown=md, files=dict(texts["files"]), style=dict(texts["style"]))
