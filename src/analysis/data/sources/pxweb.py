"""SCB PxWebApi 2.0: the API's own limits (``/config``), table metadata, data as JSON-stat2 -> tidy rows.

A catalogue indicator declares its table(s) and codes under ``source.pxweb``; every declared code is checked
against the table's metadata before data are requested, and each data request stays within ``maxDataCells``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.domain.catalogue import Catalogue, Indicator
from analysis.data.contract import COLUMNS, empty_tidy
from analysis.data.provenance import load_snapshot, snapshot_files
from analysis.data.sources.http import ApiClient, FetchError, RateLimiter, Response, SchemaChanged

SOURCE = "SCB PxWebApi"
BASE_URL = "https://statistikdatabasen.scb.se/api/v2"
SNAPSHOT_DIR = "scb-pxweb"
LICENCE = "CC0 (SCB öppna data); ange källa: SCB"
LEVELS = ("kommun", "lan", "riket")


class NoPeriods(FetchError):
    """The table has none of the requested years (e.g. a table that starts later): nothing to ask for."""


@dataclass(frozen=True)
class Limits:
    max_cells: int
    max_calls: int
    window: float


def client(base_url: str = BASE_URL, **kwargs) -> ApiClient:
    return ApiClient(SOURCE, base_url, **kwargs)


def read_limits(api: ApiClient) -> Limits:
    """Read ``/config`` and make the client keep to the calls-per-window limit it states."""
    resp = api.get("config")
    cfg = resp.data
    for name in ("maxDataCells", "maxCallsPerTimeWindow", "timeWindow"):
        if not isinstance(cfg, dict) or name not in cfg:
            raise SchemaChanged(SOURCE, name, resp.url)
    limits = Limits(int(cfg["maxDataCells"]), int(cfg["maxCallsPerTimeWindow"]), float(cfg["timeWindow"]))
    api.limiter = RateLimiter(limits.max_calls, limits.window, sleep=api.sleep)
    return limits


# --- geography codes: SCB "00" riket, "10" län, "1081" kommun  <->  Kolada style 0000 / 0010 / 1081 ------
def to_scb(code: str) -> str:
    return "00" if code == "0000" else code[2:] if code.startswith("00") else code


def from_scb(code: str) -> str:
    code = str(code)
    return "0000" if code == "00" else code.zfill(4) if len(code) == 2 else code


def level_of(code: str) -> str:
    return "riket" if code == "0000" else "lan" if code.startswith("00") else "kommun"


# --- JSON-stat2 ------------------------------------------------------------------------------------------
def check_jsonstat(doc, url: str | None = None, with_values: bool = True) -> None:
    """Raise SchemaChanged naming the first JSON-stat2 field that is missing or inconsistent."""
    if not isinstance(doc, dict):
        raise SchemaChanged(SOURCE, "id", url, " (svaret är inte ett JSON-objekt)")
    for name in ("id", "size", "dimension") + (("value",) if with_values else ()):
        if name not in doc:
            raise SchemaChanged(SOURCE, name, url)
    if len(doc["id"]) != len(doc["size"]):
        raise SchemaChanged(SOURCE, "size", url, " (lika många storlekar som dimensioner)")
    for dim in doc["id"]:
        cat = (doc["dimension"].get(dim) or {}).get("category")
        if not isinstance(cat, dict) or "index" not in cat:
            raise SchemaChanged(SOURCE, f"dimension.{dim}.category.index", url)
    if with_values and len(doc["value"]) != math.prod(doc["size"]):
        raise SchemaChanged(
            SOURCE, "value", url, f" (har {len(doc['value'])} värden, väntade {math.prod(doc['size'])})"
        )


def codes(doc: dict, dim: str) -> list[str]:
    """The category codes of one dimension in index order (index may be a list or a code->position map)."""
    index = doc["dimension"][dim]["category"]["index"]
    if isinstance(index, list):
        return list(index)
    return [c for c, _ in sorted(index.items(), key=lambda kv: kv[1])]


def _fold(text: str) -> str:
    """Labels compared as SCB writes them in either API version: en/em dashes as hyphens, case and spaces folded."""
    return " ".join(str(text).replace("\u2013", "-").replace("\u2014", "-").casefold().split())


def resolve(doc: dict, dim: str, declared: str) -> str | None:
    """The code of a declared value of one dimension: the value itself when it is a code, else the code whose label
    it is (the catalogue may name a value by the label SCB shows, e.g. "samtliga utrikes födda"). None if neither."""
    have = codes(doc, dim)
    if declared in have:
        return declared
    labels = ((doc["dimension"].get(dim) or {}).get("category") or {}).get("label") or {}
    hits = [c for c in have if _fold(labels.get(c, "")) == _fold(declared)]
    return hits[0] if len(hits) == 1 else None


def jsonstat_frame(doc: dict, url: str | None = None) -> pd.DataFrame:
    """A JSON-stat2 dataset as a long table: one column per dimension (codes), value and status."""
    check_jsonstat(doc, url)
    dims = doc["id"]
    index = pd.MultiIndex.from_product([codes(doc, d) for d in dims], names=dims)
    frame = index.to_frame(index=False)
    frame["value"] = pd.to_numeric(pd.Series(doc["value"], dtype=object), errors="coerce")
    status = doc.get("status") or {}
    if isinstance(status, list):
        status = {i: s for i, s in enumerate(status) if s}
    frame["status"] = [str(status.get(str(i), status.get(i, "")) or "") for i in range(len(frame))]
    return frame


# --- requests -----------------------------------------------------------------------------------------------
def spec_of(ind: Indicator) -> dict | None:
    spec = ind.source.get("pxweb")
    if not spec:
        return None
    return {"region": "Region", "time": "Tid", **spec}


def contents_code(spec: dict, level: str) -> str:
    """The ContentsCode for one table level: one for all tables, or one per level (SCB's integration tables)."""
    contents = spec["contents"]
    return contents if isinstance(contents, str) else contents[level]


def selection(
    spec: dict, meta: dict, table: str, areas: list[str], years: list[int], url: str | None = None,
    level: str | None = None,
) -> dict[str, list[str]]:
    """The data selection for one table, after checking every declared code against its metadata."""
    check_jsonstat(meta, url, with_values=False)
    dims = meta["id"]
    wanted: dict[str, list[str]] = {}

    def need(dim: str, values: list[str], what: str) -> None:
        if dim not in dims:
            raise FetchError(SOURCE, f"{table} har ingen variabel {dim!r} ({what}); variabler: {', '.join(dims)}", url)
        found = [resolve(meta, dim, v) for v in values]
        missing = [v for v, c in zip(values, found) if c is None]
        if missing:
            have = sorted(codes(meta, dim))
            raise FetchError(
                SOURCE,
                f"{table}: variabeln {dim} saknar koden/koderna {', '.join(missing)} ({what}); "
                f"finns: {', '.join(have[:20])}",
                url,
            )
        wanted[dim] = found

    need("ContentsCode", [contents_code(spec, level or level_of(areas[0]))], "tabellinnehåll")
    need(spec["group"]["dimension"], list(spec["group"]["codes"].values()), "grupp")
    if spec.get("sex"):
        need(spec["sex"]["dimension"], list(spec["sex"]["codes"].values()), "kön")
    for dim, code in (spec.get("fixed") or {}).items():
        need(dim, [code], "fast värde")
    region_dim, time_dim = spec["region"], spec["time"]
    # Any other dimension must be eliminable; otherwise the declaration is incomplete.
    for dim in dims:
        if dim not in wanted and dim not in (region_dim, time_dim):
            ext = meta["dimension"][dim].get("extension") or {}
            if not ext.get("elimination", False):
                raise FetchError(SOURCE, f"{table}: variabeln {dim} måste väljas (lägg den under pxweb.fixed)", url)
    have_regions = set(codes(meta, region_dim)) if region_dim in dims else set()
    regions = [to_scb(a) for a in areas if to_scb(a) in have_regions]
    if not regions:
        raise FetchError(SOURCE, f"{table}: ingen av områdena {', '.join(areas)} finns i tabellen", url)
    wanted[region_dim] = regions
    have_years = set(codes(meta, time_dim)) if time_dim in dims else set()
    periods = [str(y) for y in years if str(y) in have_years and y >= int(spec.get("from") or 0)]
    if not periods:
        raise NoPeriods(SOURCE, f"{table}: inga av åren {years[0]}–{years[-1]} finns i tabellen", url)
    wanted[time_dim] = periods
    return wanted


def chunks(wanted: dict[str, list[str]], split: tuple[str, ...], max_cells: int) -> Iterator[dict[str, list[str]]]:
    """Split the selection (regions first, then periods) so no request asks for more than ``max_cells``."""
    if math.prod(len(v) for v in wanted.values()) <= max_cells:
        yield wanted
        return
    for dim in split:
        values = wanted[dim]
        if len(values) > 1:
            half = len(values) // 2
            yield from chunks({**wanted, dim: values[:half]}, split, max_cells)
            yield from chunks({**wanted, dim: values[half:]}, split, max_cells)
            return
    raise FetchError(SOURCE, f"en enda region och period ger fler än {max_cells} celler; minska urvalet")


def fetch_indicator(
    api: ApiClient, limits: Limits, ind: Indicator, areas: list[str], years: list[int]
) -> Iterator[tuple[str, Response]]:
    """(table, response) for every data request of one indicator, per level that has a table."""
    spec = spec_of(ind)
    for level in LEVELS:
        table = spec["tables"].get(level)
        level_areas = [a for a in areas if level_of(a) == level]
        if not table or not level_areas:
            continue
        meta = api.get(f"tables/{table}/metadata", {"lang": "sv"})
        try:
            wanted = selection(spec, meta.data, table, level_areas, years, meta.url, level)
        except NoPeriods:
            continue  # e.g. the integration tables start 2022: earlier years come from other sources
        for part in chunks(wanted, (spec["region"], spec["time"]), limits.max_cells):
            body = {"selection": [{"variableCode": d, "valueCodes": v} for d, v in part.items()]}
            resp = api.post(f"tables/{table}/data", body, {"lang": "sv", "outputFormat": "json-stat2"})
            check_jsonstat(resp.data, resp.url)
            yield table, resp


def tidy_response(doc: dict, ind: Indicator, source_note: str, url: str | None = None) -> pd.DataFrame:
    spec = spec_of(ind)
    frame = jsonstat_frame(doc, url)
    gdim = spec["group"]["dimension"]
    group_of = {resolve(doc, gdim, code): g for g, code in spec["group"]["codes"].items()}
    group_of.pop(None, None)
    frame = frame[frame[gdim].isin(group_of)]
    if spec.get("sex"):
        sdim = spec["sex"]["dimension"]
        sex_of = {resolve(doc, sdim, code): s for s, code in spec["sex"]["codes"].items()}
        sex_of.pop(None, None)
        frame = frame[frame[sdim].isin(sex_of)]
        sex = frame[sdim].map(sex_of)
    else:
        sex = pd.Series("T", index=frame.index)
    if frame.empty:
        return empty_tidy()
    # The contract's symbol where a value is missing; SCB's own status is kept as given next to any value.
    status = frame["status"].where(frame["value"].isna(), "")
    status = status.where(~(frame["value"].isna() & ~status.isin(["..", ".", "–"])), "..")
    flag = frame["status"].astype(str).str.strip()
    tidy = pd.DataFrame(
        {
            "indicator": ind.id,
            "geo_code": frame[spec["region"]].map(from_scb),
            "year": frame[spec["time"]].astype(int),
            "sex": sex,
            "group": frame[spec["group"]["dimension"]].map(group_of),
            "age_band": ind.age_band,
            "value": frame["value"],
            "numerator": float("nan"),
            "denominator": float("nan"),
            "margin": float("nan"),
            "status": status,
            "flag": flag,
            "source": f"{ind.producer}, {ind.source['statistic']} ({source_note})",
            "example": False,
        }
    )
    return tidy[COLUMNS]


def tidy_snapshots(raw_dir: Path, catalogue: Catalogue) -> pd.DataFrame:
    """Tidy rows from every PxWebApi data snapshot in data/raw/scb-pxweb (checksums verified)."""
    frames = []
    for path in snapshot_files(raw_dir / SNAPSHOT_DIR, "*.json"):
        snap = load_snapshot(path)
        if snap.meta.get("indicator") not in catalogue.ids():
            continue
        ind = catalogue.get(snap.meta["indicator"])
        note = f"{snap.meta.get('table')}, hämtat {snap.meta['retrieved'][:10]}, sha256 {snap.sha256[:12]}"
        doc = json.loads(path.read_text(encoding="utf-8"))
        frames.append(tidy_response(doc, ind, note, snap.meta.get("url")))
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else empty_tidy()
