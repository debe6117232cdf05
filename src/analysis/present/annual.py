"""The county's årsredovisning text as present composes it: sentences per strategic goal (real, example, missing)
and the document's Swedish texts (``data/arsredovisning/arsredovisning.yml``).

:func:`annual_text` fills these from a county report (``CountyReport.annual_report_text``); the county report
shows them (:func:`show_annual`) and
:mod:`analysis.publish.arsredovisning` writes the real sentences as DOCX and plain text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from analysis import yamlio

from analysis.config import project_root
from analysis.present.display import show_markdown
from analysis.present.escape import md_text as md

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


# --------------------------------------------------------------------------- from a county report


def annual_text(report):
    """The text for the government's annual report (årsredovisning), split into real sentences, example
    sentences and notes of what is missing, per strategic goal. One place for each sentence: the county
    report shows it (:func:`show_annual`) and `analysis render` writes it as DOCX and plain text
    (:mod:`analysis.publish.arsredovisning`, real sentences only)."""
    from analysis.compute.coverage import how_to_get, missing

    s, texts = report.results.strategy, load_texts()
    intro = (f"Länsstyrelsen följer årligen upp {s.name} och rapporterar till {s.council}. "
             f"Uppföljningen {report.year} jämför utrikes och inrikes födda i länets {len(report.kommuner)} kommuner, "
             f"länet och riket, med {report.results.baseline_year} som basår.")
    goals = []
    for goal in s.goals:
        g = AnnualGoal(goal.number, goal.title, s.goal_short(goal))
        for ind in goal.indicators(report.catalogue):
            if "lan" not in ind.levels:
                note = texts["kommun_only"].format(title=ind.title).strip()
                if not any(report.data_kind(ind, [k.code]) == "Verklig" for k in report.kommuner):
                    note += " " + how_to_get(ind, report.area.county)
                g.missing.append(note)
            elif report.is_example(ind):
                g.example.append(report.narrative(ind))
                g.missing.append(texts["missing_indicator"].format(
                    title=ind.title, year=report.year, how=how_to_get(ind, report.area.county)).strip())
            elif report.data_kind(ind, [report.code]) == "Verklig":
                g.real.append(report.narrative(ind))
            else:
                gap = missing(ind, report.code, report.year, report.results.tidy, report.geo, report.results.config.county)
                g.missing.append(f"{ind.title}: " + (gap.text if gap else texts["nothing_real"].format(year=report.year)))
        plan = report.plan
        if plan is not None and not plan.example and len(plan.for_goal(goal.id)):
            g.real.append(texts["plan_status"].format(year=report.year, n=len(plan.for_goal(goal.id)),
                                                      summary=plan.status_summary(goal.id)))
        elif goal.activities_only(report.catalogue):
            key = "plan_missing" if plan is None else "plan_example"
            g.missing.append(texts[key].format(year=report.year, county=report.area.county).strip())
        goals.append(g)
    return AnnualText(intro, goals)


def annual_sources(report) -> list[str]:
    """The sources of the real figures the county's årsredovisning text rests on."""
    res = report.results
    return sorted({res.source_text(i) for i in res.catalogue if not report.is_example(i)
                   and report.data_kind(i, [report.code]) == "Verklig"})


def show_annual(report) -> None:
    """The årsredovisning text in the report: real sentences per goal, then example sentences in a marked box."""
    from analysis.present.display import Text, emit

    text, none = annual_text(report), load_texts()["nothing_real"].format(year=report.year)
    lines = [md(text.intro)]
    for g in text.goals:
        body = " ".join(md(report) for report in g.real) if g.real else none
        lines.append(f"**{md(g.label)}:** {body}")
        lines += [f"*{m}*" for m in g.missing]
    emit(Text("\n\n".join(lines), metadata={ANNUAL_KEY: payload(text, report.results.strategy.name,
                                                                 annual_sources(report))}))
    examples = [f"- **{md(g.label)}:** " + " ".join(md(e) for e in g.example) for g in text.goals if g.example]
    if examples:
        show_markdown("::: {.callout-warning}\n**Exempelmeningar – inte verklig statistik.** De bygger på "
                      "exempeldata och hör inte hemma i årsredovisningen:\n\n" + "\n".join(examples) + "\n:::")
