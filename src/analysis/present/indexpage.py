"""The year's index page, composed: every sentence, value and row of ``reports/<year>/index.html``.

Present writes what the page says (:class:`IndexPage`): the title and notices, the map's heading, reading aid,
alt text, legend and source, the table of all kommuner (caption, column headings, one row of formatted values
per kommun) and the names of the reports. Publish (:mod:`analysis.publish.index`) only places it in HTML, links
the reports whose files exist and draws the map's SVG from the values and classes it carries.

The map shows one real indicator's gap (utrikes − inrikes) for every kommun, read from the computed results
(the artefact every report reads) in one read of the per-län gap tables. Which indicator:
``index_map: {indicator: sysselsattningsgrad}`` in ``analysis.yml`` (the default: the employment gap, real SCB
BAS figures for all 290 kommuner); it must compare utrikes with inrikes födda at kommun level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from analysis.config import Config
from analysis.domain import geography
from analysis.errors import AnalysisError
from analysis.present import fmt

DEFAULT_INDICATOR = "sysselsattningsgrad"
CONFIG_KEY = "index_map"

#: the highlighted words of the page; publish sets them in bold on the example-data colour
EXAMPLE_MARK = "innehåller EXEMPELDATA"
EXAMPLE_WORD = "EXEMPELDATA"
#: the words the search box's live count is made of ("3 kommuner matchar ”ron”.")
SEARCH_COUNT = {"one": "kommun", "many": "kommuner", "matches": "matchar"}


def index_indicator(config: Config, catalogue=None):
    """The indicator of the index map (``index_map.indicator`` in analysis.yml), checked."""
    from analysis.domain.catalogue import load_catalogue

    catalogue = catalogue or load_catalogue(config.root)
    spec = config.extra.get(CONFIG_KEY) or {}
    if not isinstance(spec, dict):
        raise AnalysisError(f"analysis.yml: {CONFIG_KEY} ska vara en tabell, t.ex. {{indicator: {DEFAULT_INDICATOR}}}.")
    ind_id = str(spec.get("indicator") or DEFAULT_INDICATOR)
    ids = catalogue.ids()
    if ind_id not in ids:
        raise AnalysisError(f"analysis.yml: {CONFIG_KEY}.indicator {ind_id!r} finns inte i indikatorkatalogen "
                            f"(välj bland {', '.join(ids)}).")
    ind = catalogue.get(ind_id)
    if not ind.is_native or "kommun" not in ind.levels:
        fit = [i.id for i in catalogue if i.is_native and "kommun" in i.levels]
        raise AnalysisError(f"analysis.yml: {CONFIG_KEY}.indicator {ind_id!r} jämför inte utrikes med inrikes födda "
                            f"per kommun och kan inte visas på kartan (välj bland {', '.join(fit)}).")
    return ind


def check_maps(config: Config) -> None:
    """Before a run: the index map's indicator is usable and the geometry matches the geography (prepared once
    here, so every report of the run loads it)."""
    from analysis.data.geometry import prepared_geometry

    index_indicator(config)
    prepared_geometry(config.root)


def national_values(results_path: Path, ind, year: int, geo) -> tuple[list, object]:
    """(every kommun's :class:`~analysis.present.maps.MapValue`, riket's) for the report year, both sexes, from
    the artefact's national table for the index (:data:`~analysis.compute.artefact.INDEX_GAPS`: each län's
    gaps of the report year as its own folder has them, whichever län the artefact holds), the rows chosen in
    the reader."""
    import pyarrow.dataset as ds

    from analysis.compute.artefact import INDEX_GAPS
    from analysis.present.maps import value_from_gap_row

    by_code = {}
    rows = ds.dataset(str(Path(results_path) / INDEX_GAPS), format="parquet").to_table(
        columns=["geo_code", "gap", "status", "example", "value_subject", "value_reference"],
        filter=(ds.field("indicator") == ind.id) & (ds.field("year") == year)).to_pylist()
    for row in rows:  # riket is in every län's rows: the first län's count
        by_code.setdefault(row["geo_code"], row)
    values = [value_from_gap_row(k.code, k.name, by_code.get(k.code)) for k in geo.kommuner]
    return values, value_from_gap_row("0000", "Riket", by_code.get("0000"))


# --------------------------------------------------------------------------- the page


@dataclass(frozen=True)
class IndexRow:
    """One kommun in the table of all kommuner, its values formatted."""

    code: str
    name: str
    county: str
    subject: str
    reference: str
    gap: str
    kind: str

    @property
    def search(self) -> str:
        """What the search box matches: name, code and län."""
        return f"{self.name} {self.code} {self.county}"


@dataclass(frozen=True)
class IndexMap:
    """The map and the table of all kommuner: the values and classes the SVG is drawn from, and every text."""

    indicator: object
    values: list
    classes: object
    heading: str
    intro: str  # the reading aid; riket's gap at the end
    example_note: str  # "" when every shown value is real
    alt: str
    legend_title: str
    legend: list[tuple[str, str, str]]  # (fill, pattern, text)
    source: str  # under the legend
    table_caption: str
    table_label: str
    columns: list[str]
    rows: list[IndexRow]


@dataclass(frozen=True)
class IndexPage:
    """Everything ``index.html`` says; ``map`` is None (with ``no_map`` saying why) when the results have no
    value for the year."""

    year: int
    title: str
    heading: str
    created: str
    example_notice: str  # "{mark}" is where the highlighted EXAMPLE_MARK goes
    map: IndexMap | None
    no_map: str
    search_label: str = "Sök kommun, kod eller län: "
    search_placeholder: str = "t.ex. Ronneby eller 1081"
    reports_heading: str = "Rapporter"
    no_reports: str = "Inga rapporter är skapade för året ännu."
    not_made: str = "ej skapad"
    example_mark: str = EXAMPLE_MARK
    search_count: dict = field(default_factory=lambda: dict(SEARCH_COUNT))


def county_report_name(county) -> str:
    """The county report in the list of reports: "Blekinge län (länsrapport)"."""
    return geography.county_name(county) + " (länsrapport)"


def kommun_report_name(area) -> str:
    """A kommun's report in the list of reports: "Ronneby kommun (1081)"."""
    return f"{area.official} ({area.code})"


def index_map(config: Config, results_path: Path, year: int, geo=None) -> IndexMap | None:
    """The map section's values and texts; None when no kommun has a value for the year."""
    from analysis.domain.geography import load_geography
    from analysis.present.maps import classes_for, gap_text, legend_items, legend_title

    geo = geo or load_geography(config.root)
    ind = index_indicator(config)
    values, riket = national_values(results_path, ind, year, geo)
    if not any(v.shown for v in values):
        return None
    classes = classes_for(values, ind)
    example = any(v.shown and v.example for v in values)
    utr, inr = ind.group_label("utrikes"), ind.group_label("inrikes")
    riket_text = f"Riket: {gap_text(riket, ind)} {ind.diff_unit}." if riket.shown else ""
    shown = sum(v.shown for v in values)
    rows = [IndexRow(v.code, v.name, geography.county_name(geo.area(v.code)).removesuffix(" län"),
                     fmt.with_unit(v.subject, ind.unit, ind.decimals), fmt.with_unit(v.reference, ind.unit, ind.decimals),
                     gap_text(v, ind), v.kind)
            for v in sorted(values, key=lambda v: v.name)]
    return IndexMap(
        indicator=ind, values=values, classes=classes,
        heading=f"Karta: {ind.title} {year}",
        intro=(f"Varje kommun är färgad efter skillnaden mellan {utr} och {inr} ({legend_title(ind).lower()}; "
               f"negativt = lägre bland {utr}). {riket_text} Klicka på en kommun för att öppna dess rapport; sök för "
               "att hitta en kommun på kartan och i tabellen.").replace("  ", " "),
        example_note=("Kommuner med prickig yta visar genererade exempelvärden, inte verklig statistik."
                      if example else ""),
        alt=(f"Karta över Sveriges {len(values)} kommuner färgade efter skillnaden i {fmt.in_text(ind.title)} {year} "
             f"mellan {utr} och {inr} ({ind.diff_unit}), i {classes.count} klasser kring 0; {shown} kommuner har en "
             "uppgift. Varje kommun länkar till sin rapport. Samma uppgifter finns i tabellen."),
        legend_title=legend_title(ind),
        legend=legend_items(classes, values),
        source=f"{ind.attribution if not example else 'Delvis exempeldata, inte verklig statistik'}. {riket_text}".strip(),
        table_caption=f"{ind.title} {year}, alla kommuner (skillnad = {utr} − {inr})",
        table_label="Alla kommuner",
        columns=["Kommun", "Kod", "Län", utr.capitalize(), inr.capitalize(), f"Skillnad, {ind.diff_unit}", "Data",
                 "Rapport"],
        rows=rows)


def index_page(config: Config, results_path: Path, year: int, today: dt.date | None = None) -> IndexPage:
    """The index page of ``year`` from the results in ``results_path``."""
    ind_map = index_map(config, results_path, year)
    ind = ind_map.indicator if ind_map else index_indicator(config)
    return IndexPage(
        year=year, title=f"Integrationsuppföljning {year} – rapporter", heading=f"Integrationsuppföljning {year}",
        created=f"Rapporter per kommun och län. Skapad {fmt.date_long(today or dt.date.today())}.",
        example_notice=("Rapporter markerade {mark} visar för några indikatorer genererade exempelvärden, inte "
                        "verklig statistik; de är markerade i rapporten och får inte citeras."),
        map=ind_map,
        no_map=f"Ingen karta: resultaten har inga uppgifter om {fmt.in_text(ind.title)} för {year} per kommun.")
