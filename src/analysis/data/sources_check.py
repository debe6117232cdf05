"""`analysis sources`: every indicator's declared source and what data exist here, and (online) every declared
Kolada KPI and SCB table, code and label checked against the live metadata.

The inventory reads only the catalogue and the tidy table. The live check asks Kolada's ``/kpi/{ids}`` (does the KPI
exist, for which area types, split by sex?) and SCB's ``/tables/{id}/metadata`` (does the table have the declared
variables, codes or labels and years?) and returns one Swedish line per mismatch. Skolverket's exports and
Folkhälsomyndigheten's tables have no metadata API here: they are listed as not checked. When a service cannot be
reached the check says so in one line instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from analysis.domain.catalogue import Catalogue, Indicator
from analysis.domain.geography import Geography
from analysis.data.sources import kolada, pxweb
from analysis.data.sources.http import ApiClient, FetchError, SourceUnavailable

LEVELS = ("kommun", "lan", "riket")
LEVEL_NAMES = {"kommun": "kommun", "lan": "län", "riket": "riket"}
#: Kolada's municipality_type -> the levels a KPI has
KOLADA_TYPES = {"K": {"kommun"}, "L": {"lan"}, "A": set(LEVELS)}
OFFLINE_LINE = ("Källorna kontrollerades inte mot Kolada och SCB: {why}. Kör `analysis sources` igen när datorn är "
                "uppkopplad.")


@dataclass
class LevelData:
    """What exists here at one level: areas with real figures, with example values, without either; the years of
    the real figures; the words of the snapshots that really give them (the tidy table's ``source`` column); and
    the producer's tables, KPIs or exports the catalogue declares for this level."""

    level: str
    total: int
    real: int = 0
    example: int = 0
    years: list[int] = field(default_factory=list)
    given_by: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)
    by_sex: bool = True  # False: the indicator is split by sex, the real figures here are for both sexes only

    @property
    def missing(self) -> int:
        return self.total - self.real - self.example

    @property
    def status(self) -> str:
        """"verklig", "verklig för 15 av 290, saknas för 275", "exempel för 5 av 290, saknas för 285", "saknas"."""
        if self.real == self.total:
            return "verklig"
        if self.example == self.total:
            return "exempel"
        if not self.real and not self.example:
            return "saknas"
        parts = [f"{what} för {n}" for what, n in (("verklig", self.real), ("exempel", self.example),
                                                    ("saknas", self.missing)) if n]
        parts[0] += f" av {self.total}"
        return ", ".join(parts)

    @property
    def short(self) -> str:
        """The overview's cell: "verklig", "verklig 15/290", "exempel 5/290", "saknas"."""
        if self.real == self.total or self.example == self.total or not (self.real or self.example):
            return self.status
        if self.real:
            return f"verklig {self.real}/{self.total}" + (f", ex. {self.example}" if self.example else "")
        return f"exempel {self.example}/{self.total}"


@dataclass
class SourceRow:
    """One indicator: who produces it, which table/KPI/series, levels, years, and the data here per level."""

    indicator: str
    title: str
    producer: str
    ids: str
    levels: str
    years: str
    per_level: dict[str, LevelData] = field(default_factory=dict)  # only the levels the catalogue declares

    @property
    def data(self) -> dict[str, str]:
        """level -> "verklig" | "verklig för 15 av 290, saknas för 275" | "exempel" | "saknas" | "–" (not declared)."""
        return {lv: self.per_level[lv].status if lv in self.per_level else "–" for lv in LEVELS}


def declared_ids(ind: Indicator) -> str:
    """"Kolada N02268, N02269; SCB TAB6383 (kommun), TAB6384 (län)" — every table, KPI and series named."""
    src, parts = ind.source, []
    if src.get("kolada"):
        parts.append(f"Kolada {', '.join(src['kolada'])}")
    if src.get("pxweb"):
        parts.append("SCB " + ", ".join(f"{t} ({LEVEL_NAMES[lv]})" for lv, t in src["pxweb"]["tables"].items()))
    if src.get("scb_table"):
        parts.append(f"SCB {src['scb_table']}")
    export = src.get("skolverket_export")
    if isinstance(export, dict):
        parts.append("Skolverket export " + ", ".join(f"{v} ({LEVEL_NAMES[k]})" for k, v in export.items()))
    elif export:
        parts.append(f"Skolverket export {export} (" + ", ".join(g["series"] for g in ind.groups.values()) + ")")
    fohm = src.get("fohm_table")
    if isinstance(fohm, dict):
        parts.append("Folkhälsomyndigheten " + ", ".join(f"{v} ({LEVEL_NAMES[k]})" for k, v in fohm.items()))
    elif fohm:
        parts.append(f"Folkhälsomyndigheten {fohm}")
    return "; ".join(parts) or "–"


def declared_for_level(ind: Indicator, level: str) -> list[str]:
    """The producer's tables, KPIs and exports the catalogue declares for one level. An SCB table declared for a
    level takes it; Kolada's KPIs give the levels no table is declared for, and the years before a table's first
    (``from``). Exports and FoHM tables declared per level give only those levels; a single one gives every level."""
    src, out = ind.source, []
    px = src.get("pxweb") or {}
    table = px.get("tables", {}).get(level)
    if table:
        out.append(f"SCB {table}" + (f" (från {px['from']})" if px.get("from") else ""))
    if src.get("kolada") and (not table or px.get("from")):
        out.append("Kolada " + ", ".join(src["kolada"]) + (f" (före {px['from']})" if table else ""))
    if src.get("scb_table"):
        out.append(f"SCB {src['scb_table']}")
    export = src.get("skolverket_export")
    if isinstance(export, dict):
        out += [f"Skolverket export {export[level]}"] if level in export else []
    elif export:
        out.append(f"Skolverket export {export} (" + ", ".join(g["series"] for g in ind.groups.values()) + ")")
    fohm = src.get("fohm_table")
    if isinstance(fohm, dict):
        out += [f"Folkhälsomyndigheten {fohm[level]}"] if level in fohm else []
    elif fohm:
        out.append(f"Folkhälsomyndigheten {fohm}")
    return out


def _years(years: list[int]) -> str:
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


def inventory(catalogue: Catalogue, tidy: pd.DataFrame, geography: Geography) -> list[SourceRow]:
    """One row per indicator; per declared level how many areas have real figures, example values or nothing in
    ``tidy``, and which snapshot really gives the real ones (the rows' own ``source``), beside the declaration."""
    level_of = {a.code: a.level for a in geography}
    n_of = {lv: sum(1 for a in geography if a.level == lv) for lv in LEVELS}
    out = []
    for ind in catalogue:
        rows = tidy[tidy["indicator"] == ind.id]
        rows = rows.assign(level=rows["geo_code"].map(level_of))
        real_rows = rows[~rows["example"].astype(bool) & rows["value"].notna()]
        per_level = {}
        for level in ind.levels:
            real = real_rows[real_rows["level"] == level]
            real_areas = set(real["geo_code"])
            example_areas = set(rows.loc[(rows["level"] == level) & rows["example"].astype(bool), "geo_code"])
            per_level[level] = LevelData(
                level, n_of[level], len(real_areas), len(example_areas - real_areas),
                sorted(int(y) for y in real["year"].unique()),
                sorted({str(s) for s in real["source"].dropna() if str(s).strip()}),
                declared_for_level(ind, level),
                by_sex=not ind.sex_split or real.empty or bool(set(real["sex"]) - {"T"}))
        years = sorted(int(y) for y in real_rows["year"].unique())
        span = _years(years) if years else "inga verkliga"
        if ind.series_start:
            span += f" (serien från {ind.series_start})"
        if ind.election_years:
            span += " (valår)"
        out.append(SourceRow(ind.id, ind.title, ind.producer, declared_ids(ind),
                             ", ".join(LEVEL_NAMES[lv] for lv in ind.levels), span, per_level))
    return out


def overview(rows: list[SourceRow]):
    """A table that fits 80 columns: per indicator and level what exists here (details in :func:`blocks`)."""
    from rich.table import Table
    from rich.text import Text

    t = Table(title=f"Källor ({len(rows)} indikatorer): data per nivå", title_justify="left")
    t.add_column("indikator", overflow="fold", max_width=26)
    for lv in LEVELS:
        t.add_column(LEVEL_NAMES[lv], overflow="fold")
    for r in rows:
        t.add_row(Text(r.indicator), *(Text(r.per_level[lv].short if lv in r.per_level else "–") for lv in LEVELS))
    return t


def blocks(catalogue: Catalogue, rows: list[SourceRow], unchecked: list[str] | None = None):
    """One block per indicator, wrapped to the width it is printed at: producer, levels, years; then per level
    what exists here, the source that really gives it, and what the catalogue declares at the producer for that
    level; then what the producer has (the entry's note) and what cannot be checked automatically."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    unchecked = unchecked or []
    out = []
    for r in rows:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, min_width=8)
        grid.add_column(overflow="fold")
        grid.add_row("", Text(f"Producent: {r.producer}. Nivåer: {r.levels}. År med verkliga uppgifter: {r.years}."))
        for lv, d in r.per_level.items():
            here = f"Här: {d.status}" + (f" ({_years(d.years)})" if d.years else "") + "."
            if not d.by_sex:
                here += " Bara båda könen tillsammans."
            if d.given_by:
                here += " Källa: " + "; ".join(d.given_by) + "."
            elif d.example:
                here += " Källa: genererade exempelvärden."
            declared = ", ".join(d.declared) if d.declared else "ingen producenttabell som ger indikatorn på nivån"
            grid.add_row(Text(f"  {LEVEL_NAMES[lv]}"), Text(f"{here}\nDeklarerad: {declared}."))
        note = " ".join(str(catalogue.get(r.indicator).source.get("note") or "").split())
        if note:
            grid.add_row("", Text(f"Vad källan har: {note}"))
        for line in unchecked:
            if line.startswith(f"{r.indicator}: "):
                grid.add_row("", Text(line.split(": ", 1)[1]))
        out += [Text.assemble((r.indicator, "bold"), f" – {r.title}"), grid, Text("")]
    return Group(*out)


def not_checkable(catalogue: Catalogue) -> list[str]:
    """Declarations without a metadata API here (Skolverket's exports, Folkhälsomyndigheten's tables)."""
    out = []
    for ind in catalogue:
        if ind.source.get("skolverket_export"):
            export = ind.source["skolverket_export"]
            named = ", ".join(map(str, export.values())) if isinstance(export, dict) else str(export)
            out.append(f"{ind.id}: Skolverkets export {named} har inget metadata-API och kontrolleras inte "
                       "automatiskt.")
        fohm = ind.source.get("fohm_table")
        if fohm:
            named = ", ".join(map(str, fohm.values())) if isinstance(fohm, dict) else str(fohm)
            out.append(f"{ind.id}: Folkhälsomyndighetens tabell {named} kontrolleras inte automatiskt.")
    return out


# --------------------------------------------------------------------------- live check
def check_kolada(api: ApiClient, catalogue: Catalogue) -> list[str]:
    """Every declared KPI against Kolada's ``/kpi/{ids}``: exists, area types cover the levels Kolada must give,
    split by sex where the indicator declares one and no other source gives it."""
    wanted = sorted({k for ind in catalogue for k in ind.source.get("kolada", [])})
    if not wanted:
        return []
    found: dict[str, dict] = {}
    for batch in kolada.batches(wanted):
        url: str | None = api.url(f"kpi/{','.join(batch)}")
        seen: set[str] = set()
        while url and url not in seen:
            seen.add(url)
            resp = api.get(url)
            if not isinstance(resp.data, dict) or not isinstance(resp.data.get("values"), list):
                raise FetchError(kolada.SOURCE, "svaret saknar listan 'values'", resp.url)
            for kpi in resp.data["values"]:
                if isinstance(kpi, dict) and kpi.get("id"):
                    found[str(kpi["id"])] = kpi
            url = resp.data.get("next_url") or resp.data.get("next_page") or None
    lines = []
    for ind in catalogue:
        px_levels = set((ind.source.get("pxweb") or {}).get("tables", {}))
        px_sex = bool((ind.source.get("pxweb") or {}).get("sex"))
        for kpi_id in ind.source.get("kolada", []):
            kpi = found.get(kpi_id)
            if kpi is None:
                lines.append(f"{ind.id}: Kolada har inget nyckeltal {kpi_id}.")
                continue
            kind = str(kpi.get("municipality_type", ""))
            has = KOLADA_TYPES.get(kind, set())
            lacking = [lv for lv in ind.levels if lv not in has and lv not in px_levels]
            if lacking:
                lines.append(f"{ind.id}: Kolada {kpi_id} finns för {_types(kind)}, inte för "
                             f"{', '.join(LEVEL_NAMES[lv] for lv in lacking)} som katalogen anger.")
            gender = kpi.get("is_divided_by_gender")
            if ind.sex_split and not px_sex and gender in (False, 0, "0", "false", "False"):
                lines.append(f"{ind.id}: Kolada {kpi_id} är inte uppdelat efter kön, men katalogen anger "
                             "sex_split: true.")
    return lines


def _types(kind: str) -> str:
    return {"K": "kommuner (typ K)", "L": "regioner (typ L)", "A": "kommuner och regioner (typ A)"}.get(
        kind, f"områdestyp {kind!r}")


def check_pxweb(api: ApiClient, catalogue: Catalogue) -> list[str]:
    """Every declared SCB table against its ``/metadata``: variables, codes or labels, and years."""
    lines = []
    for ind in catalogue:
        spec = pxweb.spec_of(ind)
        if not spec:
            continue
        for level, table in spec["tables"].items():
            try:
                meta = api.get(f"tables/{table}/metadata", {"lang": "sv"})
            except SourceUnavailable:
                raise
            except FetchError as exc:
                lines.append(f"{ind.id}: SCB {table} ({LEVEL_NAMES[level]}): {exc}")
                continue
            lines += [f"{ind.id}: SCB {table} ({LEVEL_NAMES[level]}): {p}" for p in table_problems(spec, meta.data, level)]
    return lines


def table_problems(spec: dict, meta: dict, level: str) -> list[str]:
    """Every declared variable, code or label the table's metadata lacks (all of them, not the first only)."""
    try:
        pxweb.check_jsonstat(meta, with_values=False)
    except FetchError as exc:
        return [str(exc)]
    dims, problems = meta["id"], []
    declared = [("ContentsCode", pxweb.contents_code(spec, level), "tabellinnehåll")]
    declared += [(spec["group"]["dimension"], v, f"grupp {g}") for g, v in spec["group"]["codes"].items()]
    if spec.get("sex"):
        declared += [(spec["sex"]["dimension"], v, f"kön {s}") for s, v in spec["sex"]["codes"].items()]
    declared += [(d, v, "fast värde") for d, v in (spec.get("fixed") or {}).items()]
    for dim, value, what in declared:
        if dim not in dims:
            problems.append(f"variabeln {dim} finns inte ({what}); variabler: {', '.join(dims)}")
        elif pxweb.resolve(meta, dim, value) is None:
            problems.append(f"variabeln {dim} har varken koden eller etiketten {value!r} ({what})")
    for dim in (spec["region"], spec["time"]):
        if dim not in dims:
            problems.append(f"variabeln {dim} finns inte")
    if spec.get("from") and spec["time"] in dims:
        years = sorted(int(y) for y in pxweb.codes(meta, spec["time"]) if str(y).isdigit())
        if years and years[0] != spec["from"]:
            problems.append(f"tabellen börjar {years[0]}, katalogen anger från {spec['from']}")
    return problems


@dataclass
class LiveCheck:
    checked: bool
    lines: list[str]
    offline_line: str = ""


def check_live(catalogue: Catalogue, kolada_api: ApiClient | None, scb_api: ApiClient | None,
               log: Callable[[str], None] = lambda m: None) -> LiveCheck:
    """Mismatches between the catalogue and the live metadata, or one line saying why nothing could be checked."""
    if kolada_api is None or scb_api is None:
        return LiveCheck(False, [], OFFLINE_LINE.format(why="körningen är offline (--offline)"))
    try:
        log("Kontrollerar Kolada-nyckeltalen …")
        lines = check_kolada(kolada_api, catalogue)
        log("Kontrollerar SCB-tabellerna …")
        lines += check_pxweb(scb_api, catalogue)
    except SourceUnavailable as exc:
        return LiveCheck(False, [], OFFLINE_LINE.format(why=f"{exc.source} kunde inte nås ({_short(exc)})"))
    except FetchError as exc:
        return LiveCheck(True, [f"{exc}"])
    return LiveCheck(True, lines)


def _short(exc: FetchError) -> str:
    text = str(exc)
    return text.split(": ", 1)[-1].split(" (http")[0]
