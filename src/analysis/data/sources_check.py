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
class SourceRow:
    """One indicator: who produces it, which table/KPI/series, levels, years, and the data here per level."""

    indicator: str
    title: str
    producer: str
    ids: str
    levels: str
    years: str
    data: dict[str, str] = field(default_factory=dict)  # level -> "verklig" | "exempel" | "saknas" | "–"


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
    if src.get("fohm_table"):
        parts.append(f"Folkhälsomyndigheten {src['fohm_table']}")
    return "; ".join(parts) or "–"


def inventory(catalogue: Catalogue, tidy: pd.DataFrame, geography: Geography) -> list[SourceRow]:
    """One row per indicator; per level whether real figures, example values or nothing exist in ``tidy``."""
    level_of = {a.code: a.level for a in geography}
    n_of = {lv: sum(1 for a in geography if a.level == lv) for lv in LEVELS}
    out = []
    for ind in catalogue:
        rows = tidy[tidy["indicator"] == ind.id]
        rows = rows.assign(level=rows["geo_code"].map(level_of))
        data = {}
        for level in LEVELS:
            at = rows[rows["level"] == level]
            if level not in ind.levels:
                data[level] = "–"
            elif (~at["example"] & at["value"].notna()).any():
                n = at.loc[~at["example"], "geo_code"].nunique()
                data[level] = "verklig" if n == n_of[level] else f"verklig, {n} av {n_of[level]}"
            elif len(at):
                data[level] = "exempel"
            else:
                data[level] = "saknas"
        real = rows[~rows["example"] & rows["value"].notna()]
        years = sorted(int(y) for y in real["year"].unique())
        if years:
            span = f"{years[0]}–{years[-1]}" if len(years) > 2 and years == list(range(years[0], years[-1] + 1)) \
                else ", ".join(map(str, years))
        else:
            span = "inga verkliga"
        if ind.series_start:
            span += f" (serien från {ind.series_start})"
        if ind.election_years:
            span += " (valår)"
        out.append(SourceRow(ind.id, ind.title, ind.producer, declared_ids(ind),
                             ", ".join(LEVEL_NAMES[lv] for lv in ind.levels), span, data))
    return out


def not_checkable(catalogue: Catalogue) -> list[str]:
    """Declarations without a metadata API here (Skolverket's exports, Folkhälsomyndigheten's tables)."""
    out = []
    for ind in catalogue:
        if ind.source.get("skolverket_export"):
            export = ind.source["skolverket_export"]
            named = ", ".join(map(str, export.values())) if isinstance(export, dict) else str(export)
            out.append(f"{ind.id}: Skolverkets export {named} har inget metadata-API och kontrolleras inte "
                       "automatiskt.")
        if ind.source.get("fohm_table"):
            out.append(f"{ind.id}: Folkhälsomyndighetens tabell {ind.source['fohm_table']} kontrolleras inte "
                       "automatiskt.")
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
