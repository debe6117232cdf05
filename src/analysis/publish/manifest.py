"""Incremental builds: each report records what it was built from in ``<report>/.build.json``.

The record holds checksums of the report's own slice of the results (its rows only, so a change in
another kommun does not touch it), the catalogue, its län's strategy file, the notebooks, the templates,
the code, the raw snapshots it cites, and its parameters, formats and renderer. A report is up to date
when its record equals what a build now would record and its output files exist.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from analysis import yamlio
from analysis.data.provenance import sha256

MANIFEST = ".build.json"


@lru_cache(maxsize=64)
def _tree_digest(folder: str, patterns: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    base = Path(folder)
    for pattern in patterns:
        for p in sorted(base.glob(pattern)):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(base)).encode())
                h.update(sha256(p).encode())
    return h.hexdigest()[:20]


def _strategy_file(root: Path, county: str) -> str:
    from analysis.domain.strategy import DEFAULT_FILE, load_strategy

    strategy = load_strategy(county, root)
    folder = root / "data" / "strategies"
    if strategy.default:
        return sha256(folder / DEFAULT_FILE)[:20]

    for p in sorted(folder.glob("*.yml")):
        if str((yamlio.read(p) or {}).get("county", "")).zfill(2) == county:
            return sha256(p)[:20]
    return "-"


def build_inputs(job) -> dict:
    """What a build of ``job`` depends on (checksums and parameters)."""
    from analysis.compute.artefact import read_meta, slice_digest
    from analysis.domain.geography import load_geography

    root = job.root
    code = job.code if job.kind == "kommun" else "00" + job.code
    geo = load_geography(root)
    county = geo.area(code).county
    meta = read_meta(str(job.results_path))
    package = Path(__file__).parents[1]  # src/analysis: all of the code
    return {
        "kind": job.kind, "code": job.code, "year": job.year, "formats": list(job.formats),
        "renderer": job.renderer,
        "results": slice_digest(job.results_path, code, geo),
        "declarations": _tree_digest(str(root / "data"), ("catalogue/*.yml", "groupings/*.yml", "handlingsplan/*.yml",
                                                         "geography/*.yml")),  # official names
        "config": _tree_digest(str(root), ("analysis.yml",)),
        "strategy": _strategy_file(root, county),
        "notebooks": _tree_digest(str(root / "notebooks"), ("*.ipynb",)),
        "templates": _tree_digest(str(root), ("reports/templates/*", "_quarto.yml", "_brand.yml")),
        "code_version": _tree_digest(str(package), ("*.py", "**/*.py")),
        "snapshots": hashlib.sha256(
            json.dumps([[s["path"], s["meta"].get("sha256"), str(s["meta"].get("retrieved"))]
                        for s in meta["snapshots"]]).encode()).hexdigest()[:20],
    }


def write_manifest(job, folder: Path, inputs: dict | None = None) -> None:
    (folder / MANIFEST).write_text(json.dumps(inputs or build_inputs(job), indent=1, sort_keys=True), encoding="utf-8")


def expected_outputs(job) -> list[Path]:
    return [job.final_dir / f"rapport.{f}" for f in job.formats]


def _recorded(folder: Path) -> dict | None:
    """The report's record, or None when there is none or it is broken (the report is then built anew)."""
    try:
        recorded = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return recorded if isinstance(recorded, dict) and isinstance(recorded.get("formats", []), list) else None


def _same_build(recorded: dict | None, inputs: dict) -> bool:
    """The same inputs, whatever the formats."""
    return recorded is not None and {k: v for k, v in recorded.items() if k != "formats"} == {
        k: v for k, v in inputs.items() if k != "formats"}


def up_to_date(job) -> bool:
    """The report's record equals what a build now would record (its formats may be more than those asked
    for) and the files of the formats asked for exist."""
    if not all(p.is_file() for p in expected_outputs(job)):
        return False
    recorded = _recorded(job.final_dir)
    return _same_build(recorded, build_inputs(job)) and set(job.formats) <= set(recorded.get("formats", []))


def carry_other_formats(job, work: Path, inputs: dict) -> tuple[list[str], list[str]]:
    """A run for some formats (``--format pdf``) keeps the report's files of the other formats when they were
    built from the same inputs: they are copied into the new folder and the record names them too. Returns
    (formats kept, formats whose file is left out because it was built from other inputs)."""
    import shutil

    from analysis.publish.formats import FORMATS

    final = job.final_dir
    others = [f for f in FORMATS if f not in job.formats and (final / f"rapport.{f}").is_file()]
    if not others:
        return [], []
    recorded = _recorded(final)
    if not _same_build(recorded, inputs):
        return [], others
    kept = [f for f in others if f in recorded.get("formats", [])]
    for f in kept:
        shutil.copy2(final / f"rapport.{f}", work / f"rapport.{f}")
    inputs["formats"] = [*inputs["formats"], *kept]
    return kept, [f for f in others if f not in kept]
