"""`analysis fetch`: fetch every catalogue indicator with an online source, keep each response as a raw
snapshot with provenance, and rebuild the tidy dataset.

All responses of a run are written to a staging folder first. Only when every source has answered with
usable data are the snapshots moved into ``data/raw/<source>/lan-<LL>/`` (replacing that county's earlier
snapshots) and the tidy table rebuilt; any error leaves ``data/`` exactly as it was. A source that cannot be
reached is not an error: its saved snapshots are used and the run says so. ``offline`` skips the network.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from analysis.data.build import BuildResult, build_dataset
from analysis.domain.catalogue import Catalogue, load_catalogue
from analysis.config import Config, load_config
from analysis.data.contract import validate_tidy, write_tidy
from analysis.errors import AnalysisError
from analysis.domain.geography import RIKET, Geography, load_geography
from analysis.data.provenance import load_snapshot, snapshot_files, write_sidecar
from analysis.locks import data_lock
from analysis.data.sources import kolada, pxweb
from analysis.data.sources.http import ApiClient, SourceUnavailable


@dataclass
class SourceOutcome:
    source: str
    state: str  # "hämtad" | "offline" | "ej nåbar" | "inget att hämta"
    files: int = 0
    message: str = ""


@dataclass
class FetchResult:
    county: str
    years: list[int]
    outcomes: list[SourceOutcome] = field(default_factory=list)
    build: BuildResult | None = None
    data_path: Path | None = None


def parse_years(text: str) -> list[int]:
    """'2019-2024', '2019–2024', '2022' or '2020,2022,2024' -> sorted years."""
    text = str(text).strip().replace("–", "-")
    try:
        if "-" in text:
            first, last = (int(p) for p in text.split("-", 1))
            years = list(range(first, last + 1))
        else:
            years = sorted({int(p) for p in text.split(",") if p.strip()})
    except ValueError:
        raise AnalysisError(f"Ogiltiga år {text!r}: ange t.ex. 2019-2024 eller 2022,2024.") from None
    if not years or years[0] < 1990 or years[-1] > 2100:
        raise AnalysisError(f"Ogiltiga år {text!r}: ange år mellan 1990 och 2100, t.ex. 2019-2024.")
    return years


def fetch_areas(geography: Geography, county: str) -> tuple[str, list[str]]:
    lan = geography.county(county)
    return lan.county, [RIKET, lan.code] + [a.code for a in geography.kommuner_in(lan.county)]


class Staging:
    """Snapshots written under data/raw/.staging-*/ and moved into place only on success."""

    def __init__(self, raw_dir: Path):
        self.raw_dir = raw_dir
        self.id = uuid.uuid4().hex[:8]
        self.root = raw_dir / f".staging-{self.id}"
        self.backup = raw_dir / f".backup-{self.id}"
        self.folders: list[Path] = []  # relative to raw_dir
        self.count = 0

    def add(self, folder: Path, name: str, content: bytes, meta: dict) -> Path:
        target = self.root / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if folder not in self.folders:
            self.folders.append(folder)
        target.write_bytes(content)
        write_sidecar(target, meta)
        self.count += 1
        return target

    def commit(self) -> None:
        """Swap each staged folder in, keeping the old one aside until ``finish``/``rollback``."""
        for folder in self.folders:
            final, old = self.raw_dir / folder, self.backup / folder
            if final.exists():
                old.parent.mkdir(parents=True, exist_ok=True)
                os.replace(final, old)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.root / folder, final)

    def rollback(self) -> None:
        for folder in self.folders:
            final, old = self.raw_dir / folder, self.backup / folder
            if (self.root / folder).exists() or not final.exists():
                continue  # never swapped in
            shutil.rmtree(final)
            if old.exists():
                os.replace(old, final)
        self.finish()

    def finish(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.backup, ignore_errors=True)


def _saved(raw_dir: Path, folder: Path) -> str:
    files = snapshot_files(raw_dir / folder, "*.json")
    if not files:
        return "inga sparade ögonblicksbilder finns för området; datamängden byggs från övriga råfiler"
    dates = sorted(load_snapshot(p, verify=False).meta["retrieved"][:10] for p in files)
    return f"använder {len(files)} sparade ögonblicksbild(er), hämtade {dates[0]}" + (
        f"–{dates[-1]}" if dates[-1] != dates[0] else ""
    )


def fetch(
    county: str | None = None,
    years: list[int] | None = None,
    *,
    offline: bool = False,
    config: Config | None = None,
    catalogue: Catalogue | None = None,
    kolada_url: str | None = None,
    pxweb_url: str | None = None,
    timeout: float = 30.0,
    retries: int = 4,
    cache: bool = True,
    sleep: Callable[[float], None] | None = None,
    log: Callable[[str], None] = lambda msg: None,
) -> FetchResult:
    config = config or load_config()
    catalogue = catalogue or load_catalogue(config.root)
    geography = load_geography(config.root)
    lan, areas = fetch_areas(geography, county or config.county)
    years = years or list(range(config.example_years[0], config.year + 1))
    result = FetchResult(lan, years)
    staging = Staging(config.raw_dir)
    folder_of = {
        kolada.SOURCE: Path(kolada.SNAPSHOT_DIR) / f"lan-{lan}",
        pxweb.SOURCE: Path(pxweb.SNAPSHOT_DIR) / f"lan-{lan}",
    }
    kpis = sorted(kolada.series_map(catalogue))
    px_inds = [ind for ind in catalogue if pxweb.spec_of(ind)]
    wanted = {kolada.SOURCE: bool(kpis), pxweb.SOURCE: bool(px_inds)}
    client_args = dict(
        timeout=timeout,
        retries=retries,
        cache_path=(config.root / ".cache" / "http.sqlite") if cache else None,
        on_wait=log,
        **({"sleep": sleep} if sleep else {}),
    )
    period = f"{years[0]}–{years[-1]}"
    try:
        for source in (kolada.SOURCE, pxweb.SOURCE):
            folder = folder_of[source]
            if not wanted[source]:
                result.outcomes.append(SourceOutcome(source, "inget att hämta", 0, "ingen indikator har källan"))
                continue
            if offline:
                result.outcomes.append(SourceOutcome(source, "offline", 0, _saved(config.raw_dir, folder)))
                continue
            before = staging.count
            try:
                if source == kolada.SOURCE:
                    api = kolada.client(kolada_url or os.environ.get("ANALYSIS_KOLADA_URL") or kolada.BASE_URL,
                                        **client_args)
                    _fetch_kolada(api, staging, folder, kpis, areas, years, lan, period, log,
                                  check=lambda page, what: _check_kolada(page, what, catalogue, geography))
                else:
                    api = pxweb.client(pxweb_url or os.environ.get("ANALYSIS_SCB_URL") or pxweb.BASE_URL,
                                       **client_args)
                    _fetch_pxweb(api, staging, folder, px_inds, areas, years, lan, period, log,
                                 check=lambda resp, ind, what: _check_pxweb(resp, ind, what, catalogue, geography))
            except SourceUnavailable as exc:
                # Drop this source's partial pages; its saved snapshots stay in use.
                shutil.rmtree(staging.root / folder, ignore_errors=True)
                if folder in staging.folders:
                    staging.folders.remove(folder)
                staging.count = before
                result.outcomes.append(SourceOutcome(source, "ej nåbar", 0, f"{exc}; {_saved(config.raw_dir, folder)}"))
                continue
            files = staging.count - before
            result.outcomes.append(SourceOutcome(source, "hämtad", files, f"{files} svar sparade"))
        with data_lock(config.root):  # one writer of data/ at a time
            try:
                staging.commit()
                built = build_dataset(config, catalogue, geography)
                write_tidy(built.table, config.data_path)
            except BaseException:
                staging.rollback()
                raise
    finally:
        staging.finish()
    result.build, result.data_path = built, config.data_path
    return result


def _meta(resp, *, title: str, producer: str, licence: str, lan: str, **extra) -> dict:
    return {
        "title": title,
        "producer": producer,
        "url": resp.url,
        "method": resp.method,
        "query": json.dumps(resp.query, ensure_ascii=False) if resp.query else None,
        "retrieved": resp.retrieved,
        "from_http_cache": resp.from_cache,
        "licence": licence,
        "county": lan,
        **extra,
    }


def _check_kolada(page, what: str, catalogue: Catalogue, geography: Geography) -> None:
    """The page's rows through the data contract before anything is staged (``"value": 1e999`` is inf)."""
    rows = kolada.tidy_rows(kolada.page_rows(page.data), catalogue, geography, "kontroll före sparande")
    validate_tidy(rows, catalogue, geography, source=what)


def _check_pxweb(resp, ind, what: str, catalogue: Catalogue, geography: Geography) -> None:
    rows = pxweb.tidy_response(resp.data, ind, "kontroll före sparande", resp.url)
    validate_tidy(rows, catalogue, geography, source=what)


def _fetch_kolada(api: ApiClient, staging: Staging, folder: Path, kpis, areas, years, lan, period, log,
                  check=None) -> None:
    for n, page in enumerate(kolada.fetch_pages(api, kpis, areas, years), start=1):
        if check:
            check(page, f"Kolada, svar {n} ({page.url})")
        staging.add(folder, f"kolada-{n:03d}.json", page.content, _meta(
            page,
            title=f"Kolada API v3, nyckeltal {', '.join(kpis)}, län {lan} med kommuner och riket, {period} (svar {n})",
            producer="RKA/Kolada (statistiken produceras av SCB m.fl.; se nyckeltalens källa)",
            licence=kolada.LICENCE,
            lan=lan,
            source="Kolada API v3",
            label_name=f"Nyckeltal {', '.join(kpis)}",
            kpis=kpis,
        ))
        log(f"Kolada: svar {n} ({len(page.data['values'])} rader) sparat")


def _fetch_pxweb(api: ApiClient, staging: Staging, folder: Path, inds, areas, years, lan, period, log,
                 check=None) -> None:
    limits = pxweb.read_limits(api)
    log(f"SCB: högst {limits.max_cells} celler per anrop, {limits.max_calls} anrop per {limits.window:g} s")
    n = 0
    for ind in inds:
        for table, resp in pxweb.fetch_indicator(api, limits, ind, areas, years):
            n += 1
            if check:
                check(resp, ind, f"SCB {table} ({ind.id}), svar {n} ({resp.url})")
            staging.add(folder, f"{ind.id}-{table}-{n:03d}.json", resp.content, _meta(
                resp,
                title=f"SCB {table} ({ind.title}), län {lan} med kommuner och riket, {period}",
                producer="SCB",
                licence=pxweb.LICENCE,
                lan=lan,
                source="SCB PxWebApi 2.0",
                label_name=f"SCB {table}",
                indicator=ind.id,
                table=table,
            ))
            log(f"SCB: {table} för {ind.id} sparad")
