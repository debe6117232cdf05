"""Build a report's model (:mod:`analysis.present.model`) once its notebooks have run.

Every text of the report is composed here: the title block and the PDF cover, the notices at the top (example
data, no regional strategy, a report year outside the strategy period), the reading guide, the downloads
note, the section headings and introductions of the layout (``reports/templates/<kommun|lan>.qmd``, a
present asset: its ``${name}`` placeholders are filled here), methods and colophon. The notebook cells the
layout embeds are described by what their outputs carry (each output's :data:`~analysis.present.display.PART_KEY`
metadata: tables, figures, texts, downloads), so the model lists every table and figure in reading order.
Publish places the model's parts and displays the cells it names (:mod:`analysis.publish.qmd`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
from pathlib import Path

from analysis import yamlio
from analysis.present import annual
from analysis.present import model as m
from analysis.present.display import PART_KEY
from analysis.present.downloads import WORKBOOK  # all the report's tables in one file (report_workbook)

TEMPLATES = Path("reports") / "templates"
#: the notebook executed per focus area of a kommun report (its cells are embedded per focus section)
KOMMUN_FOCUS_NOTEBOOKS = ("arbete", "utbildning", "sprak", "halsa")
EMBED = re.compile(r"\{\{<\s*embed\s+notebooks/([\w-]+)\.ipynb#([\w-]+)\s*>\}\}")
PAGEBREAK = re.compile(r"\{\{<\s*pagebreak\s*>\}\}")
FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def template_path(root: Path, kind: str) -> Path:
    return Path(root) / TEMPLATES / ("kommun.qmd" if kind == "kommun" else "lan.qmd")


def focus_sections(kind: str, strategy, catalogue, root: Path) -> str:
    """The report's focus-area sections in the order of the strategy's goals (then any other focus area with a
    notebook section), each a heading and its embedded cells."""
    order = [fa for goal in strategy.goals for fa in goal.focus_areas]
    order += [fa for fa in catalogue.focus_areas if fa not in order]
    parts, seen = [], set()
    lan_nb = (Path(root) / "notebooks" / "lan.ipynb").read_text(encoding="utf-8") if kind == "lan" else ""
    for fa in order:
        if fa in seen or fa not in catalogue.focus_areas:
            continue
        seen.add(fa)
        if kind == "kommun":
            if fa not in KOMMUN_FOCUS_NOTEBOOKS:  # shown by the summary notebook's "fler områden" cell
                continue
            body = f"{{{{< embed notebooks/{fa}.ipynb#fokus-mal >}}}}\n\n{{{{< embed notebooks/{fa}.ipynb#fokus-indikatorer >}}}}"
        else:
            if f"#| label: lan-{fa}\\n" not in lan_nb:
                continue  # shown by the notebook's "fler områden" cell
            body = f"{{{{< embed notebooks/lan.ipynb#lan-{fa} >}}}}"
        parts.append(f"## {catalogue.focus_areas[fa]}\n\n{body}\n")
    return "\n".join(parts)


def report_values(job, today: dt.date | None = None) -> tuple[dict, m.Flags]:
    """The texts that fill the layout's placeholders, and the report's flags. ``job``: what publish plans
    (``kind`` "kommun"/"lan", ``code``, ``year``, ``root``, ``data_path``, ``renderer``, ``results_path``)."""
    from analysis.compute.artefact import open_results, read_meta
    from analysis.data.provenance import Snapshot, retrieval_phrase, sha256
    from analysis.domain import geography
    from analysis.domain.geography import load_geography
    from analysis.present import brand, fmt, reportmeta
    from analysis.present.escape import md_text
    from analysis.present.narrative import period_note, trend_span

    today = today or dt.date.today()
    geo = load_geography(job.root)
    code = job.code if job.kind == "kommun" else "00" + job.code
    path = job.results_path
    if path is None:  # a job built outside a batch: the (cached) results of its inputs
        from analysis.compute.artefact import ensure_artefact
        from analysis.config import load_config

        path, _ = ensure_artefact(load_config(job.root), job.data_path, job.year)
    res = open_results(path, code, job.year)  # this report's slice: nothing is recomputed
    # Raw snapshots as verified once when the results were computed.
    snapshots = [Snapshot(job.root / s["path"], s["meta"]) for s in read_meta(str(path))["snapshots"]]
    snapshots = reportmeta.report_snapshots(snapshots, res, code)  # only those behind the figures this report shows
    banner = ""
    if res.has_example_data:
        banner = (
            "::: {.callout-warning}\n**Rapporten innehåller exempeldata.** Indikatorer markerade med "
            "\"Exempeldata\" bygger på genererade värden, inte verklig statistik. De ersätts när verkliga "
            "uppgifter hämtas eller läses in.\n:::"
        )
    try:
        data_file = str(job.data_path.relative_to(job.root))
    except ValueError:
        data_file = job.data_path.name
    county_name = geography.county_name(geo.area("00" + res.strategy.county))
    strategy_note = ""
    if res.strategy.default:
        strategy_note = ("::: {.callout-note}\n**Ingen regional strategi.** "
                         + md_text(res.strategy.note.strip().format(county_name=county_name)) + "\n:::")
    outside = period_note(res.strategy, res.baseline_year, job.year)
    if outside:  # a report year outside the strategy period (or not after the baseline) says so at the top
        strategy_note += ("\n\n" if strategy_note else "") + (
            f"::: {{.callout-warning}}\n**Rapportåret {job.year}.** " + outside + "\n:::")
    downloads_note = (f"Alla tabeller i rapporten finns i en Excelfil: [{WORKBOOK}]({WORKBOOK}) "
                      "(ett blad per tabell och ett blad med källor, definitioner och symboler).")
    official_name = geo.area(code).official  # "Karlshamns kommun", "Norrbottens län" (data/geography/names.yml)
    title = f"Integrationsuppföljning {job.year}: {official_name}"
    data_date = retrieval_phrase([s.meta for s in snapshots])
    cover = brand.typst_cover(
        title, res.strategy.name[:1].upper() + res.strategy.name[1:],
        official_name if job.kind == "lan" else f"{official_name} ({job.code})", job.year,
        res.strategy.publisher, today, f"Data t.o.m. {job.year}; {data_date}.", res.has_example_data)
    data_sha_full = sha256(job.data_path)
    data_sha = data_sha_full[:12]
    tidy = res.tidy
    real = bool(len(tidy)) and bool(((~tidy["example"].astype(bool)) & tidy["value"].notna()).any())
    flags = m.Flags(example_data=bool(res.has_example_data), real_data=real, provenance=f"Data t.o.m. {job.year}; {data_date}.",
                    data_file=data_file, data_sha=data_sha)
    values = {
        "year": str(job.year), "code": job.code, "renderer": job.renderer, "created": fmt.date_long(today),
        # free text from the strategy file and file names: literal Markdown (the layout's own text is not)
        "publisher": md_text(res.strategy.publisher), "pdf_cover": cover,
        "focus_sections": focus_sections(job.kind, res.strategy, res.catalogue, job.root),
        "reading_guide": reportmeta.reading_guide(res.has_example_data),
        "downloads_note": downloads_note,
        "methods": reportmeta.methods(res.catalogue, res.tidy, snapshots, getattr(res, "grouping", None)),
        "colophon": reportmeta.colophon(job.root, snapshots, job.data_path, job.renderer, data_sha=data_sha_full),
        "county_name": md_text(county_name), "official_name": md_text(official_name),
        "strategy_name": md_text(res.strategy.name), "council": md_text(res.strategy.council),
        "baseline": str(res.baseline_year), "data_date": md_text(data_date),
        "data_file": md_text(data_file), "data_sha": data_sha, "example_banner": banner,
        "strategy_note": strategy_note, "trend_span": trend_span(res.baseline_year, job.year),
    }
    return values, flags


def _split_front_matter(text: str) -> tuple[dict, str]:
    found = FRONT.match(text)
    if not found:
        return {}, text
    return yamlio.load(found.group(1)) or {}, text[found.end():]


def _section_id(heading: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", heading.lower().translate(str.maketrans("åäöéü", "aaoeu"))).strip("-")
    base = base or "inledning"
    sid, n = base, 2
    while sid in used:
        sid, n = f"{base}-{n}", n + 1
    used.add(sid)
    return sid


def _parts(text: str, cells) -> list:
    """A section's body as parts: texts between the embedded cells and page breaks."""
    parts: list = []
    pos = 0
    tokens = sorted([(x.start(), x.end(), x) for x in EMBED.finditer(text)]
                    + [(x.start(), x.end(), None) for x in PAGEBREAK.finditer(text)], key=lambda t: t[0])
    for start, end, embed in tokens:
        chunk = text[pos:start].strip()
        if chunk:
            parts.append(m.Text(chunk))
        if embed is None:
            parts.append(m.PageBreak())
        else:
            parts.append(m.Cell(embed.group(1), embed.group(2), cells(embed.group(1), embed.group(2))))
        pos = end
    chunk = text[pos:].strip()
    if chunk:
        parts.append(m.Text(chunk))
    return parts


def from_layout(layout: Path, values: dict, kind: str, code: str, year: int, flags: m.Flags,
                nb_dir: Path | None = None, notebooks: dict[str, dict] | None = None) -> m.ReportModel:
    """The model from a layout (``reports/templates/*.qmd``) with ``values`` in its placeholders and, when
    ``nb_dir`` holds the executed notebooks, what their embedded cells show. The layout's front matter gives
    title, subtitle and author (the publisher); document options belong in ``_quarto.yml``, not here."""
    # The front matter is read before the values go in, so that a value (a strategy name with a quote, a
    # colon or a line break) can never change its YAML; each value then fills its own string.
    front, body = _split_front_matter(Path(layout).read_text(encoding="utf-8"))
    extra = sorted(set(front) - {"title", "subtitle", "author"})
    if extra:
        from analysis.errors import AnalysisError

        raise AnalysisError(f"Rapportmallen {Path(layout).name} har {', '.join(extra)} i sitt huvud; där hör bara "
                            "title, subtitle och author hemma (dokumentinställningar står i _quarto.yml).")
    front = {k: string.Template(v).safe_substitute(values) if isinstance(v, str) else v for k, v in front.items()}
    body = string.Template(body).safe_substitute(values)
    reader = _CellReader(nb_dir, notebooks)
    sections, used = [], set()
    chunks = re.split(r"^## (.+)$", body, flags=re.M)  # [before, heading, body, heading, body, …]
    if chunks[0].strip():
        sections.append(m.Section(_section_id("", used), "", _parts(chunks[0], reader)))
    for heading, text in zip(chunks[1::2], chunks[2::2]):
        sections.append(m.Section(_section_id(heading, used), heading.strip(), _parts(text, reader)))
    downloads: dict[str, m.Download] = {}
    for part in reader.download_parts:
        downloads.setdefault(part["slug"], m.download_from_dict(part))
    documents = [annual.document(data, int(year), values.get("created", ""), flags.data_file, flags.data_sha,
                                 root=Path(layout).resolve().parents[len(TEMPLATES.parts)])
                 for data in reader.annual_parts[:1]]  # the county report's årsredovisning (one)
    return m.ReportModel(kind=kind, code=code, year=int(year), title=str(front.get("title", "")),
                         subtitle=str(front.get("subtitle", "")), publisher=str(front.get("author", "")),
                         flags=flags, sections=sections, downloads=list(downloads.values()),
                         workbook=WORKBOOK if downloads else "", documents=documents)


class _CellReader:
    """The parts an embedded cell shows, from its outputs' metadata in the executed notebook."""

    def __init__(self, nb_dir: Path | None, executed: dict[str, dict] | None = None):
        self.nb_dir = Path(nb_dir) if nb_dir else None
        self.executed = executed or {}  # the executed notebooks by name, when the caller holds them
        self.notebooks: dict[str, dict[str, list]] = {}
        self.download_parts: list[dict] = []
        self.annual_parts: list[dict] = []  # the årsredovisning's sentences (analysis.present.annual.payload)

    def _cells(self, notebook: str) -> dict[str, list]:
        if notebook not in self.notebooks:
            cells: dict[str, list] = {}
            path = self.nb_dir / f"{notebook}.ipynb" if self.nb_dir else None
            nb = self.executed.get(notebook)
            if nb is None and path is not None and path.is_file():
                nb = json.loads(path.read_text(encoding="utf-8"))
            if nb is not None:
                for cell in nb["cells"]:
                    found = re.search(r"#\| label: (\S+)", "".join(cell.get("source", [])))
                    if found:
                        cells[found.group(1)] = cell.get("outputs", [])
            self.notebooks[notebook] = cells
        return self.notebooks[notebook]

    def __call__(self, notebook: str, label: str) -> list:
        parts = []
        for out in self._cells(notebook).get(label, []):
            if annual.ANNUAL_KEY in (out.get("metadata") or {}):
                self.annual_parts.append(out["metadata"][annual.ANNUAL_KEY])
            part = (out.get("metadata") or {}).get(PART_KEY)
            if not part:
                continue
            part = dict(part)
            if part["type"] in ("text", "headline"):  # its markdown is the output's own
                part["markdown"] = "".join((out.get("data") or {}).get("text/markdown", ""))
            download = part.get("download")
            if isinstance(download, dict):
                self.download_parts.append(download)
                part["download"] = download["slug"]
            parts.append(m.part_from_dict(part))
        return parts


def build(job, nb_dir: Path | None = None, today: dt.date | None = None,
          notebooks: dict[str, dict] | None = None) -> m.ReportModel:
    """The report's model: the layout of its kind with every text composed, and what its notebooks showed (read
    from ``nb_dir``, or given executed by name in ``notebooks``)."""
    values, flags = report_values(job, today)
    return from_layout(template_path(job.root, job.kind), values, job.kind, job.code, job.year, flags, nb_dir,
                       notebooks)
