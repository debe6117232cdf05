"""Kolada API v3: data requests in batches of at most 25 ids, ``next_url`` paging, responses -> tidy rows.

Kolada republishes other producers' statistics (BAS figures are SCB's). Rows keep the original producer as
their source; Kolada is named only as the channel, as Kolada's terms ask.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from analysis.domain.catalogue import Catalogue
from analysis.data.contract import COLUMNS, empty_tidy
from analysis.domain.geography import Geography
from analysis.data.provenance import load_snapshot, snapshot_files
from analysis.data.sources.http import ApiClient, FetchError, RateLimiter, Response, SchemaChanged

SOURCE = "Kolada"
BASE_URL = "https://api.kolada.se/v3"
MAX_IDS = 25  # the API refuses longer id lists
PER_PAGE = 5000
MAX_PAGES = 1000
SNAPSHOT_DIR = "kolada"
LICENCE = "Kolada öppna data (RKA): fri användning med källangivelse; statistiken ägs av respektive producent"
ROW_FIELDS = ("kpi", "municipality", "period", "values")
VALUE_FIELDS = ("gender", "value")


def client(base_url: str = BASE_URL, **kwargs) -> ApiClient:
    """An API client for Kolada; clients self-throttle to about 5 calls a second."""
    kwargs.setdefault("limiter", RateLimiter(max_calls=5, window=1.0))
    return ApiClient(SOURCE, base_url, **kwargs)


def batches(items: list[str], size: int = MAX_IDS) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def series_map(catalogue: Catalogue) -> dict[str, tuple[str, str]]:
    """Kolada KPI id -> (indicator id, group) for every catalogue series that Kolada carries."""
    out = {}
    for ind in catalogue:
        for group, spec in ind.groups.items():
            kpi = spec.get("series")
            if kpi and kpi in ind.source.get("kolada", []):
                out[kpi] = (ind.id, group)
    return out


def fetch_pages(api: ApiClient, kpis: list[str], areas: list[str], years: list[int]) -> Iterator[Response]:
    """Every response page for the KPIs × areas × years, following ``next_url`` until it is absent."""
    for kpi_batch in batches(sorted(kpis)):
        for area_batch in batches(sorted(areas)):
            for year_batch in batches([str(y) for y in sorted(years)]):
                path = (
                    f"data/kpi/{','.join(kpi_batch)}/municipality/{','.join(area_batch)}"
                    f"/year/{','.join(year_batch)}"
                )
                url: str | None = api.url(path)
                params: dict | None = {"per_page": PER_PAGE}
                seen: set[str] = set()
                while url:
                    if url in seen or len(seen) >= MAX_PAGES:
                        raise FetchError(SOURCE, "next_url pekar tillbaka på en sida som redan hämtats", url)
                    seen.add(url)
                    page = api.get(url, params)
                    check_page(page.data, page.url)
                    yield page
                    url = page.data.get("next_url") or None
                    params = None  # next_url carries its own query


def check_page(data, url: str | None = None) -> None:
    """Raise SchemaChanged naming the first field a page lacks."""
    if not isinstance(data, dict):
        raise SchemaChanged(SOURCE, "values", url, " (svaret är inte ett JSON-objekt)")
    if "values" not in data or not isinstance(data["values"], list):
        raise SchemaChanged(SOURCE, "values", url)
    for i, row in enumerate(data["values"]):
        for name in ROW_FIELDS:
            if not isinstance(row, dict) or name not in row:
                raise SchemaChanged(SOURCE, f"values[{i}].{name}", url)
        for j, cell in enumerate(row["values"]):
            for name in VALUE_FIELDS:
                if not isinstance(cell, dict) or name not in cell:
                    raise SchemaChanged(SOURCE, f"values[{i}].values[{j}].{name}", url)


def is_deleted(item: dict) -> bool:
    """Kolada v3 marks withdrawn rows (``isdeleted``; seen on change feeds, ``from_date``): never data."""
    flag = item.get("isdeleted", item.get("is_deleted", False))
    return flag is True or str(flag).strip().lower() in ("true", "1")


def page_rows(data: dict) -> list[dict]:
    """Data cells of a page (v2 or v3 shape); rows or cells marked deleted are left out; Kolada's ``status``
    is kept next to the value."""
    return [
        {
            "kpi": row["kpi"],
            "geo_code": str(row["municipality"]).zfill(4),
            "year": int(row["period"]),
            "sex": cell["gender"],
            "value": cell["value"],
            "flag": str(cell.get("status") or "").strip(),
        }
        for row in data["values"]
        if not is_deleted(row)
        for cell in row["values"]
        if not is_deleted(cell)
    ]


def tidy_rows(
    rows: list[dict], catalogue: Catalogue, geography: Geography, source_note: str
) -> pd.DataFrame:
    """Kolada rows -> tidy rows for the catalogue's series; unknown areas and KPIs are left out."""
    if not rows:
        return empty_tidy()
    series = series_map(catalogue)
    raw = pd.DataFrame(rows)
    raw = raw[raw["kpi"].isin(series) & raw["sex"].isin(["T", "K", "M"])]
    raw = raw[raw["geo_code"].map(lambda c: c in geography)]
    if raw.empty:
        return empty_tidy()
    ind_group = raw["kpi"].map(series)
    indicator = ind_group.str[0]
    value = pd.to_numeric(raw["value"], errors="coerce")
    tidy = pd.DataFrame(
        {
            "indicator": indicator,
            "geo_code": raw["geo_code"],
            "year": raw["year"].astype(int),
            "sex": raw["sex"],
            "group": ind_group.str[1],
            "age_band": indicator.map(lambda i: catalogue.get(i).age_band),
            "value": value,
            "numerator": float("nan"),
            "denominator": float("nan"),
            "margin": float("nan"),
            "status": value.isna().map({True: "..", False: ""}),
            "flag": raw["flag"] if "flag" in raw else "",
            "source": indicator.map(lambda i: _source(catalogue.get(i))) + raw["kpi"].map(
                lambda k: f" (via Kolada {k}; {source_note})"
            ),
            "example": False,
        }
    )
    return tidy[COLUMNS]


def _source(ind) -> str:
    return f"{ind.producer}, {ind.source['statistic']}"


def tidy_snapshots(raw_dir: Path, catalogue: Catalogue, geography: Geography) -> pd.DataFrame:
    """Tidy rows from every Kolada snapshot in data/raw/kolada (checksums verified)."""
    frames = []
    for path in snapshot_files(raw_dir / SNAPSHOT_DIR, "*.json"):
        snap = load_snapshot(path)
        data = json.loads(path.read_text(encoding="utf-8"))
        check_page(data, snap.meta.get("url"))
        note = f"hämtat {snap.meta['retrieved'][:10]}, sha256 {snap.sha256[:12]}"
        frames.append(tidy_rows(page_rows(data), catalogue, geography, note))
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else empty_tidy()
