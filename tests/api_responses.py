"""Recorded API responses (shared/data-snapshots/fixtures) and ones built in the same shapes for the tests."""

from __future__ import annotations

import json
import math
from pathlib import Path

#: Copies of shared/data-snapshots/fixtures (see tests/fixtures/api/PROVENANCE.md).
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "api"


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def kolada_row(kpi: str, area: str, year: int, values: dict[str, float | None]) -> dict:
    """One data row in the recorded Kolada shape (kpi, municipality, period, values[gender,value,...])."""
    return {
        "kpi": kpi,
        "municipality": area,
        "period": year,
        "values": [{"count": 1, "gender": g, "status": "", "value": v} for g, v in values.items()],
    }


def kolada_page(rows: list[dict], next_url: str | None = None) -> dict:
    """A Kolada v3 envelope: count, values, next_url/previous_url (v2 had next_page)."""
    page = {"count": len(rows), "values": rows}
    if next_url:
        page["next_url"] = next_url
    return page


def jsonstat(dims: dict[str, list[str]], values: list, table: str = "TAB9999", status: dict | None = None,
             elimination: set[str] = frozenset(), labels: dict[str, dict[str, str]] | None = None) -> dict:
    """A JSON-stat2 dataset in the shape of the recorded TAB6471 response."""
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": f"Testtabell {table}",
        "source": "SCB",
        "updated": "2026-06-08T06:00:00Z",
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "id": list(dims),
        "size": [len(v) for v in dims.values()],
        "dimension": {
            d: {
                "label": d.lower(),
                "category": {"index": {c: i for i, c in enumerate(codes)}, "label": {c: (labels or {}).get(d, {}).get(c, c) for c in codes}},
                "extension": {"elimination": d in elimination, "show": "value"},
            }
            for d, codes in dims.items()
        },
        "extension": {"px": {"tableid": table, "decimals": 1}},
    }
    if values is not None:
        assert len(values) == math.prod(doc["size"])
        doc["value"] = values
    if status:
        doc["status"] = status
    return doc
