"""Raw snapshots and their provenance sidecars (``<file>.source.yml``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis import yamlio
from analysis.errors import AnalysisError

SIDECAR_SUFFIX = ".source.yml"
REQUIRED = ("file", "title", "producer", "url", "retrieved", "licence", "sha256")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class Snapshot:
    path: Path
    meta: dict

    @property
    def sha256(self) -> str:
        return self.meta["sha256"]

    @property
    def source_line(self) -> str:
        return f"{self.meta['producer']}: {self.meta['title']}"


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def load_snapshot(path: Path, verify: bool = True) -> Snapshot:
    """A raw file with its sidecar; the checksum is verified so a changed snapshot is never used silently."""
    side = sidecar_path(path)
    if not path.is_file():
        raise AnalysisError(f"Ögonblicksbilden saknas: {path}")
    if not side.is_file():
        raise AnalysisError(f"{path}: ursprungsfilen {side.name} (varifrån och när uppgifterna hämtades) saknas")
    meta = yamlio.read(side) or {}
    missing = [k for k in REQUIRED if not meta.get(k)]
    if missing:
        raise AnalysisError(f"{side}: ursprungsuppgift saknas: {', '.join(missing)}")
    if verify and sha256(path) != meta["sha256"]:
        raise AnalysisError(
            f"{path}: kontrollsumman {sha256(path)[:12]}… stämmer inte med ursprungsfilens ({meta['sha256'][:12]}…). "
            "Filen har ändrats; hämta den igen eller uppdatera ursprungsfilen med avsikt."
        )
    return Snapshot(path, meta)


def write_sidecar(path: Path, meta: dict) -> Path:
    meta = {**meta, "file": path.name, "sha256": sha256(path)}
    side = sidecar_path(path)
    side.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return side


def snapshot_files(folder: Path, pattern: str = "*") -> list[Path]:
    """Raw files under ``folder`` (recursively), without sidecars and hidden or staging paths."""
    if not folder.is_dir():
        return []
    return [
        p
        for p in sorted(folder.rglob(pattern))
        if p.is_file()
        and not p.name.endswith(SIDECAR_SUFFIX)
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]


def all_snapshots(raw_dir: Path) -> list[Snapshot]:
    return [load_snapshot(p) for p in snapshot_files(raw_dir)]


def covers(snap: Snapshot) -> set[str]:
    """The indicator or KPI ids a raw snapshot holds, from its sidecar (imports: from the file itself)."""
    named = set(snap.meta.get("kpis") or []) | set(snap.meta.get("kolada_equivalents") or [])
    named |= set(snap.meta.get("indicators") or [])
    if snap.meta.get("indicator"):
        named.add(snap.meta["indicator"])
    if snap.path.parent.name == "import":
        import pandas as pd

        from analysis.data.contract import read_table

        named |= set(read_table(snap.path, snap.meta.get("sheet")).get("indicator", pd.Series(dtype=str)))
    return named


# --------------------------------------------------------------------------- what the provenance says, in Swedish
# The ONE place that turns a snapshot's provenance into the words reports, downloads and documents use. A figure
# is called an "uttag" only when it was fetched from its producer; figures carried by a third party name the
# carrier and whether they were checked against the producer. Fetch the same figures from the producer and the
# words change by themselves (the new snapshot's sidecar has no carrier).

#: sidecar ``source`` of snapshots fetched by `analysis fetch`
FROM_PRODUCER = ("SCB PxWebApi 2.0",)
VIA_CHANNEL = {"Kolada API v3": "Kolada"}


def genitive(name: str) -> str:
    """Swedish genitive: "Region Halland" -> "Region Hallands", "Kolada" -> "Koladas"."""
    return name if name[-1:].lower() in "sxz" else name + "s"


def carrier_of(meta: dict) -> str | None:
    """The third party the figures were read from (None when they came from the producer or a channel)."""
    return meta.get("carrier_name") or None


def retrieved_date(meta: dict) -> str:
    return str(meta.get("retrieved", ""))[:10]


def source_label(meta: dict, with_date: bool = False) -> str:
    """"SCB BAS, hämtad ur Region Hallands öppna data, ej kontrollerad mot SCB" / "SCB, uttag 2026-12-01"."""
    name = meta.get("label_name") or meta["producer"]
    date = retrieved_date(meta) if with_date else ""
    carrier = carrier_of(meta)
    if carrier:
        where = meta.get("carried_by") or f"ur {genitive(carrier)} öppna data"
        text = f"{name}, hämtad {where}" + (f" {date}" if date else "")
        if not meta.get("checked_against_producer"):
            text += f", ej kontrollerad mot {meta['producer']}"
        return text
    source = str(meta.get("source") or "")
    if source in FROM_PRODUCER:
        return f"{name}, uttag {date}" if date else f"{name}, uttag ur producentens databas"
    if source in VIA_CHANNEL:
        return f"{name} via {VIA_CHANNEL[source]}" + (f", hämtad {date}" if date else "")
    if meta.get("imported_from"):
        return f"{name}, inläst" + (f" {date}" if date else "") + " (egna uppgifter)"
    return f"{name}, hämtad" + (f" {date}" if date else "")


def is_statistics(meta: dict) -> bool:
    """A snapshot of figures (not a reference file: area list, kommungrupper, geometry, a handlingsplan)."""
    return bool(meta.get("indicators") or meta.get("indicator") or meta.get("kpis") or meta.get("imported_from"))


def county_folder(path: Path) -> str | None:
    """"10" for a file under a ``lan-10/`` folder (a county's fetched snapshots, its handlingsplan), else None."""
    for part in path.parts:
        if len(part) == 6 and part.startswith("lan-") and part[4:].isdigit():
            return part[4:]
    return None


def shown_snapshots(snapshots: list[Snapshot], shown_ids: set[str], county: str) -> list[Snapshot]:
    """The raw files behind one report: statistics only where they cover an indicator (or KPI) whose figures the
    report shows, reference files always, and nothing from another county's ``lan-LL/`` folder. A report never
    names the carrier of figures it does not show (Ronneby's report is not "hämtad ur Region Dalarnas data")."""
    out = []
    for s in snapshots:
        folder = county_folder(s.path)
        if folder is not None and folder != county:
            continue
        if is_statistics(s.meta) and not (covers(s) & shown_ids):
            continue
        out.append(s)
    return out


def retrieval_phrase(metas: list[dict]) -> str:
    """One line for a report's cover: when the figures were fetched and, where a third party carried them, from
    whom ("hämtade 2026-11-23 (SCB BAS ur Region Hallands öppna data, ej kontrollerad mot SCB)")."""
    # the statistics (not the reference files: area list, kommungrupper, an example handlingsplan)
    metas = [m for m in metas if not m.get("example") and is_statistics(m)]
    if not metas:
        return "inga hämtade uppgifter"
    dates = sorted({retrieved_date(m) for m in metas if retrieved_date(m)})
    span = (dates[0] if dates[0] == dates[-1] else f"{dates[0]}–{dates[-1]}") if dates else "okänt datum"
    all_producer = all(str(m.get("source") or "") in FROM_PRODUCER for m in metas)
    carried = sorted({source_label(m) for m in metas if carrier_of(m)})
    head = f"uttag {span}" if all_producer else f"uppgifter hämtade {span}"
    return head + (f" ({'; '.join(carried)})" if carried else "")
