"""The county's text for the årsredovisning as a document: DOCX (pandoc, Swedish styles) and plain text.

`analysis render` calls :func:`write_documents` for the county report; the files land beside
``rapport.html``/``rapport.pdf``. The sentences come from
:meth:`analysis.present.report.CountyReport.annual_report_text` — the same function the report shows — and only
its *real* sentences are written; an indicator with example values is replaced by a note of what is missing.
Document texts and styles: ``data/arsredovisning/arsredovisning.yml``.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

# the text's types and Swedish texts belong to present, which composes every sentence (kept importable here)
from analysis.present.annual import TEXTS_FILE, AnnualGoal, AnnualText, load_texts  # noqa: F401


def markdown(text: AnnualText, year: int, strategy: str, about: dict, texts: dict | None = None) -> str:
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


def _pandoc() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def reference_docx(path: Path, texts: dict | None = None) -> Path:
    """Pandoc's default reference.docx with Swedish language, the report's font and heading colour."""
    style = (texts or load_texts())["style"]
    default = subprocess.run([_pandoc(), "--print-default-data-file", "reference.docx"], capture_output=True,
                             check=True).stdout
    src = path.with_suffix(".orig.docx")
    src.write_bytes(default)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/styles.xml":
                xml = data.decode("utf-8")
                # every language attribute (default run properties and styles) -> Swedish
                xml = re.sub(r'(<w:lang\b[^>]*?)w:val="[^"]*"', rf'\1w:val="{style["lang"]}"', xml)
                xml = re.sub(r'w:eastAsia="[^"]*"', f'w:eastAsia="{style["lang"]}"', xml)
                xml = re.sub(r'(<w:rFonts\b)[^>]*?/>', rf'\1 w:ascii="{style["font"]}" w:hAnsi="{style["font"]}" '
                             rf'w:eastAsia="{style["font"]}" w:cs="{style["font"]}"/>', xml)
                colour = f'<w:color w:val="{style["heading_colour"]}" />'
                xml = re.sub(r'<w:style\b[^>]*w:styleId="(?:Heading[1-6]|Title)".*?</w:style>',
                             lambda m: re.sub(r"<w:color\b[^>]*/>", colour, m.group(0)), xml, flags=re.S)
                data = xml.encode("utf-8")
            elif item.filename == "word/settings.xml":
                data = re.sub(rb'(<w:themeFontLang\b[^>]*?)w:val="[^"]*"', rb'\1w:val="' + style["lang"].encode() + b'"',
                              data)
            zout.writestr(item, data)
    src.unlink()
    return path


def write_files(md: str, folder: Path, texts: dict | None = None) -> list[Path]:
    """``arsredovisning.docx`` (via pandoc and the generated reference document) and ``arsredovisning.txt``."""
    import pypandoc

    t = texts or load_texts()
    folder.mkdir(parents=True, exist_ok=True)
    docx, txt = folder / t["files"]["docx"], folder / t["files"]["text"]
    with tempfile.TemporaryDirectory() as tmp:
        ref = reference_docx(Path(tmp) / "reference.docx", t)
        pypandoc.convert_text(md, "docx", format="markdown", outputfile=str(docx),
                              extra_args=[f"--reference-doc={ref}", f"--metadata=lang:{t['style']['lang']}"])
    plain = pypandoc.convert_text(md, "plain", format="markdown", extra_args=["--columns=100"])
    txt.write_text(plain, encoding="utf-8")
    return [docx, txt]


def write_documents(county: str, year: int, data_path: Path | None, folder: Path,
                    results_path: str | None = None) -> list[Path]:
    """The county's årsredovisning text for ``year`` as DOCX and plain text in ``folder`` (``results_path``:
    read the run's computed results instead of computing them)."""
    from analysis.present.report import CountyReport
    from analysis.data.provenance import sha256

    report = CountyReport(county, year, data_path=str(data_path) if data_path else None, static_images=False,
                          results_path=results_path)
    text = report.annual_report_text()
    res = report.results
    real = sorted({res.source_text(i) for i in res.catalogue if not report.is_example(i)
                   and report.data_kind(i, [report.code]) == "Verklig"})
    # the file this run read (results found in the cache may have been computed from a copy elsewhere)
    data = Path(data_path) if data_path else res.data_path
    try:
        data_file = str(data.relative_to(res.config.root))
    except ValueError:
        data_file = data.name
    from analysis.present import fmt

    about = {"sources": "; ".join(real) or "inga", "created": fmt.date_long(dt.date.today()),
             "data_file": data_file, "data_sha": sha256(data)[:12]}
    md = markdown(text, year, res.strategy.name, about)
    return write_files(md, folder)
