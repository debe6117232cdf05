"""Kolada API v3 ``/municipality_groups``: Kolada's kommungrupper, e.g. "liknande kommuner" groups.

Response shape (documented for the API's metadata entities): the v3 envelope ``{"count", "values",
"next_url"}``; each value ``{"id", "title", "members": [{"id", "title"}, …]}``. Pages are followed through
``next_url``, checked, and kept byte for byte as raw snapshots with a provenance sidecar in
``data/raw/kolada-groups/<query>/`` (a folder of its own: the Kolada data snapshots are read as data pages).
The analyst then chooses a group per kommun in ``analysis.yml`` (``kommungrupp.kolada``);
:func:`parse_kolada_groups` reads a kept response back (for the fetch and for :mod:`analysis.compute.groups`).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.config import Config
from analysis.data.provenance import write_sidecar
from analysis.data.sources.http import ApiClient, FetchError, Response, SchemaChanged
from analysis.data.sources.kolada import LICENCE, MAX_PAGES, PER_PAGE, client
from analysis.domain.geography import Geography
from analysis.domain.groups import ComparisonGroup
from analysis.errors import DataValidationError
from analysis.text import slugify

SNAPSHOT_DIR = "kolada-groups"
PATH = "municipality_groups"


@dataclass
class GroupsFetch:
    folder: Path
    files: list[Path]
    groups: dict[str, ComparisonGroup]


def fetch_pages(api: ApiClient, title: str | None = None, ids: list[str] | None = None) -> Iterator[Response]:
    """Every page of ``/municipality_groups`` (``?title=`` search, or ``/<id,id>``), following ``next_url``."""
    url: str | None = api.url(f"{PATH}/{','.join(ids)}" if ids else PATH)
    params: dict | None = {"per_page": PER_PAGE, **({"title": title} if title and not ids else {})}
    seen: set[str] = set()
    while url:
        if url in seen or len(seen) >= MAX_PAGES:
            raise FetchError("Kolada", "next_url pekar tillbaka på en sida som redan hämtats", url)
        seen.add(url)
        page = api.get(url, params)
        yield page
        url = page.data.get("next_url") or None if isinstance(page.data, dict) else None
        params = None


def parse_kolada_groups(data, geography: Geography, source: str = "Kolada") -> dict[str, ComparisonGroup]:
    """Kolada v3 ``/municipality_groups`` envelope -> groups; members as ``{"id", "title"}`` objects (as
    documented) or bare id strings. Every problem is collected."""
    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
        raise SchemaChanged("Kolada", "values", source)
    problems, out = [], {}
    for i, g in enumerate(data["values"]):
        if not isinstance(g, dict) or "id" not in g or "title" not in g or "members" not in g:
            raise SchemaChanged("Kolada", f"values[{i}].id/title/members", source)
        codes = []
        for j, m in enumerate(g["members"] or []):
            code = str(m.get("id", "") if isinstance(m, dict) else m).strip()
            if code not in geography or geography.area(code).level != "kommun":
                problems.append(f"values[{i}] ({g['id']}).members[{j}]: {code!r} är ingen kommunkod")
                continue
            codes.append(code)
        if not codes:
            problems.append(f"values[{i}] ({g['id']}): gruppen har inga kommuner")
        out[str(g["id"])] = ComparisonGroup(str(g["id"]), str(g["title"]).strip(), tuple(sorted(set(codes))), "kolada")
    if problems:
        raise DataValidationError(source, problems)
    return out


def fetch_groups(
    config: Config,
    geography: Geography,
    *,
    title: str | None = None,
    ids: list[str] | None = None,
    base_url: str | None = None,
    cache: bool = True,
    log: Callable[[str], None] = lambda msg: None,
    **client_args,
) -> GroupsFetch:
    """Fetch, check every page, then replace the query's snapshot folder in one step (nothing on failure)."""
    if not title and not ids:
        raise FetchError("Kolada", "ange --title (sökord) eller --id (grupp-id)")
    api = client(base_url or os.environ.get("ANALYSIS_KOLADA_URL") or "https://api.kolada.se/v3",
                 cache_path=(config.root / ".cache" / "http.sqlite") if cache else None, **client_args)
    name = slugify("id-" + "-".join(ids) if ids else title)
    final = config.raw_dir / SNAPSHOT_DIR / name
    staging = final.parent / f".staging-{uuid.uuid4().hex[:8]}"
    groups: dict[str, ComparisonGroup] = {}
    try:
        pages = list(fetch_pages(api, title, ids))
        for n, page in enumerate(pages, start=1):
            groups.update(parse_kolada_groups(page.data, geography, page.url))
        if not groups:
            raise FetchError("Kolada", f"inga kommungrupper matchar {title or ', '.join(ids)!r}")
        staging.mkdir(parents=True)
        files = []
        for n, page in enumerate(pages, start=1):
            target = staging / f"municipality_groups-{n:03d}.json"
            target.write_bytes(page.content)
            write_sidecar(target, {
                "title": f"Kolada API v3, kommungrupper ({'id ' + ', '.join(ids) if ids else 'sökord ' + repr(title)}), svar {n}",
                "producer": "RKA/Kolada",
                "url": page.url, "method": page.method, "retrieved": page.retrieved,
                "from_http_cache": page.from_cache, "licence": LICENCE, "source": "Kolada API v3 /municipality_groups",
                "notes": "Koladas kommungrupper med medlemmar; gruppens värde beräknas av rapporten (ovägt medelvärde).",
            })
            files.append(final / target.name)
            log(f"Kolada: svar {n} ({len(page.data['values'])} grupper) sparat")
        from analysis.locks import data_lock

        with data_lock(config.root):  # one writer of data/ at a time
            if final.exists():
                shutil.rmtree(final)
            os.replace(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return GroupsFetch(final, files, groups)
