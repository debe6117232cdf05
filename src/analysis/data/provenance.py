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
        raise AnalysisError(f"Snapshot saknas: {path}")
    if not side.is_file():
        raise AnalysisError(f"{path}: provenance sidecar {side.name} is missing")
    meta = yamlio.read(side) or {}
    missing = [k for k in REQUIRED if not meta.get(k)]
    if missing:
        raise AnalysisError(f"{side}: missing provenance field(s): {', '.join(missing)}")
    if verify and sha256(path) != meta["sha256"]:
        raise AnalysisError(
            f"{path}: checksum {sha256(path)[:12]}… does not match its sidecar ({meta['sha256'][:12]}…). "
            "The snapshot changed; re-fetch it or update the sidecar deliberately."
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
    if snap.meta.get("indicator"):
        named.add(snap.meta["indicator"])
    if snap.path.parent.name == "import":
        import pandas as pd

        from analysis.data.contract import read_table

        named |= set(read_table(snap.path, snap.meta.get("sheet")).get("indicator", pd.Series(dtype=str)))
    return named
