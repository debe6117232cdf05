"""The report model: one typed description of a report, built by present and rendered by publish.

Present builds it (:mod:`analysis.present.reportbuild`) once per report, after the report's notebooks have run:
the title block, every text of the report (cover, notices, reading aids, section headings and introductions,
methods, colophon), the notebook cells the report displays together with what each shows (tables with their
captions, columns, rows and download; figures with their chart spec, alt text and caption; texts), the
downloads with their descriptions, and the flags (example data, real data, provenance). It is written once,
as JSON, to ``<report>/rapport-modell.json`` (:data:`MODEL_FILE`), beside ``rapport.qmd``.

Publish reads nothing else about a report: it places the model's texts and the notebook cells it names
(:mod:`analysis.publish.qmd`), builds the workbook of all tables from the model's downloads and tells the
index whether a report shows example data from the model's flags.

The schema is versioned (:data:`SCHEMA_VERSION`); a model of another version is refused with a clear error
(build the report again). Every class round-trips through :func:`to_json` / :func:`from_json`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Literal, Union

from analysis.errors import AnalysisError

SCHEMA_VERSION = 1
MODEL_FILE = "rapport-modell.json"


# --------------------------------------------------------------------------- parts


@dataclass
class TableNotes:
    """A table's description: its title, source, definition, unit, example flag, further notes and sheet name
    (the "Noter" sheet of its XLSX, the workbook's contents sheet). Written by present once per table."""

    title: str
    source: str
    definition: str = ""
    unit: str = ""
    example: bool = False
    extra: list[str] = field(default_factory=list)
    sheet: str = ""  # the table's sheet name in the report workbook; "" = from the title


@dataclass(kw_only=True)
class Download(TableNotes):
    """A table's files (CSV and XLSX in ``data/``) and its description (the workbook's contents sheet): the
    :class:`TableNotes` fields plus where the files are, so a new description field reaches the model by itself."""

    slug: str
    csv: str
    xlsx: str
    order: list[int] = field(default_factory=list)  # (indicator's place in the catalogue, part): a tie-breaker


@dataclass
class Text:
    """Markdown composed in present; publish places it as it is."""

    markdown: str
    type: Literal["text"] = "text"


@dataclass
class Headline:
    """An indicator's headline figures (the bold first lines of its section): the markdown as shown, and the
    figures it states for the shown ``area`` (a code) in ``year``: values and status symbols of both groups or
    the total, the gap, its margin of error, the development word (:class:`analysis.present.builders.Figures`
    as a dict; missing values as None)."""

    indicator: str
    markdown: str
    area: str = ""
    year: int = 0
    unit: str = ""
    figures: dict | None = None
    type: Literal["headline"] = "headline"


@dataclass
class Table:
    """A table as the reader sees it: caption, column headings and the cells as printed."""

    caption: str
    label: str
    columns: list[str]
    rows: list[list[str]]
    download: str | None = None  # slug of its :class:`Download`
    type: Literal["table"] = "table"


@dataclass
class Figure:
    """A chart: its spec (:class:`analysis.present.chartspec.ChartSpec` as a dict, None for a chart made
    without one), alt text, caption and static image file."""

    caption: str
    label: str
    alt: str
    spec: dict | None = None
    download: str | None = None
    #: its static image for the PDF, relative to the report folder (``figurer/fig-….svg``); "" for none. In a
    #: batch the kernel may still be writing it when the notebooks are done: publish waits for the files named
    #: here before the PDF (:mod:`analysis.publish.figurefiles`).
    image: str = ""
    type: Literal["figure"] = "figure"


@dataclass
class Cell:
    """A notebook cell the report displays (``notebooks/<notebook>.ipynb#<cell>``) and what it shows."""

    notebook: str
    cell: str
    parts: list[Text | Headline | Table | Figure] = field(default_factory=list)
    type: Literal["cell"] = "cell"


@dataclass
class PageBreak:
    type: Literal["pagebreak"] = "pagebreak"


Part = Union[Text, Headline, Table, Figure, Cell, PageBreak]
PART_TYPES: dict[str, type] = {"text": Text, "headline": Headline, "table": Table, "figure": Figure,
                               "cell": Cell, "pagebreak": PageBreak}


@dataclass
class Document:
    """A document written beside the report (the county report's årsredovisning text): its markdown, composed
    in present, the files publish writes it as (``{"docx": …, "text": …}``) and their style (language, font,
    heading colour)."""

    name: str
    markdown: str
    files: dict = field(default_factory=dict)
    style: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- the report


@dataclass
class Section:
    """A level-2 section: its heading (``""`` for the part before the first heading) and its parts."""

    id: str
    heading: str
    parts: list[Part] = field(default_factory=list)


@dataclass
class Flags:
    """What the report as a whole shows. ``example_data``: some figures are generated example values;
    ``real_data``: some are real statistics; ``provenance``: the data's carrier as the report names it (where
    and when the figures were retrieved); ``data_file``/``data_sha``: the tidy file read and its checksum."""

    example_data: bool
    real_data: bool
    provenance: str = ""
    data_file: str = ""
    data_sha: str = ""


@dataclass
class ReportModel:
    kind: Literal["kommun", "lan"]
    code: str
    year: int
    title: str
    subtitle: str
    publisher: str  # the author line (literal markdown)
    flags: Flags
    sections: list[Section] = field(default_factory=list)
    downloads: list[Download] = field(default_factory=list)  # in the order a reader meets them
    workbook: str = ""  # all tables in one file ("" when the report has none)
    documents: list[Document] = field(default_factory=list)  # written beside the report (årsredovisning)
    schema: int = SCHEMA_VERSION

    def parts(self, kind: type | None = None) -> list:
        """Every part in reading order (cells' own parts after their cell), or those of one class."""
        out = []
        for section in self.sections:
            for part in section.parts:
                out.append(part)
                if isinstance(part, Cell):
                    out += part.parts
        return [p for p in out if kind is None or isinstance(p, kind)]

    def download(self, slug: str) -> Download | None:
        return next((d for d in self.downloads if d.slug == slug), None)


# --------------------------------------------------------------------------- JSON


class ModelError(AnalysisError, ValueError):
    """A model file that cannot be read as this schema (Swedish message)."""


def to_dict(model: ReportModel) -> dict:
    return asdict(model)


def part_from_dict(data: dict) -> Part:
    """A part from its dict (``type`` names its class); keys of no field are left out."""
    kind = data.get("type")
    cls = PART_TYPES.get(kind)
    if cls is None:
        raise ModelError(f"okänd del i rapportmodellen: {kind!r}")
    values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
    if cls is Cell:
        values["parts"] = [part_from_dict(p) for p in data.get("parts", [])]
    try:
        return cls(**values)
    except TypeError as exc:
        raise ModelError(f"rapportmodellens del {kind!r} saknar en uppgift: {exc}") from None


def download_from_dict(data: dict) -> Download:
    try:
        return Download(**{f.name: data[f.name] for f in fields(Download) if f.name in data})
    except TypeError as exc:
        raise ModelError(f"en nedladdning i rapportmodellen saknar en uppgift: {exc}") from None


def from_dict(data: dict) -> ReportModel:
    if data.get("schema") != SCHEMA_VERSION:
        raise ModelError(f"rapportmodellen har schemaversion {data.get('schema')!r}, den här versionen läser "
                         f"{SCHEMA_VERSION}; bygg rapporten igen (analysis render --force)")
    try:
        sections = [Section(s["id"], s["heading"], [part_from_dict(p) for p in s["parts"]]) for s in data["sections"]]
        return ReportModel(
            kind=data["kind"], code=data["code"], year=int(data["year"]), title=data["title"],
            subtitle=data["subtitle"], publisher=data["publisher"], flags=Flags(**data["flags"]),
            sections=sections, downloads=[download_from_dict(d) for d in data["downloads"]],
            workbook=data.get("workbook", ""), schema=data["schema"],
            documents=[Document(**{f.name: d[f.name] for f in fields(Document) if f.name in d})
                       for d in data.get("documents", [])])
    except (KeyError, TypeError) as exc:
        raise ModelError(f"rapportmodellen saknar eller har fel uppgift: {exc}") from None


def to_json(model: ReportModel) -> str:
    return json.dumps(to_dict(model), ensure_ascii=False, indent=1)


def from_json(text: str) -> ReportModel:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ModelError(f"rapportmodellen är inte giltig JSON: {exc}") from None
    return from_dict(data)


def write(model: ReportModel, folder: Path) -> Path:
    """``<folder>/rapport-modell.json``, written whole (a temporary file renamed)."""
    path = Path(folder) / MODEL_FILE
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(to_json(model), encoding="utf-8")
    tmp.replace(path)
    return path


def read(folder: Path) -> ReportModel:
    path = Path(folder) / MODEL_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"rapportmodellen kan inte läsas: {path} ({exc.strerror})") from None
    return from_json(text)
