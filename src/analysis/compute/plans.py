"""Each län's handlingsplan for the report year, validated once with the results and read by every report.

:func:`write_plans` runs inside the results computation (:func:`analysis.compute.artefact.compute`): it loads
and validates every län's plan (:func:`analysis.data.handlingsplan.load_plan`) and writes what a report shows
(``plans/lan-10.json``: the rows, example or real, the file, goals no longer in the strategy) or the plan's
error line. :func:`read_plan` gives the same :class:`~analysis.domain.handlingsplan.Plan` back. A report's
kernel then neither imports pandera nor validates the plan again for each of its notebooks (≈ 50 ms each, and
≈ 0,25 CPU-s for pandera's import per kernel).

The artefact's key covers the plan files and their declaration (:func:`analysis.compute.artefact.inputs_digest`),
so an imported or changed plan makes a new artefact.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.config import Config
from analysis.errors import AnalysisError

PLANS_DIR = "plans"


def plan_file(artefact: Path, county: str) -> Path:
    return Path(artefact) / PLANS_DIR / f"lan-{str(county).zfill(2)}.json"


def _record(config: Config, county: str, year: int) -> dict | None:
    """What :func:`read_plan` needs to give the län's plan back, its error line, or None without a plan."""
    from analysis.data.handlingsplan import load_plan

    try:
        plan = load_plan(county, year, config)
    except (AnalysisError, OSError, ValueError) as exc:  # a broken plan costs its report section, not the run
        return {"error": str(exc).splitlines()[0]}
    if plan is None:
        return None
    try:
        file = plan.file.relative_to(config.root).as_posix()
    except ValueError:
        file = str(plan.file)
    rows = plan.rows
    return {"year": plan.year, "example": plan.example, "file": file, "stale": list(plan.stale),
            "columns": list(rows.columns), "dtypes": [str(t) for t in rows.dtypes],
            "rows": rows.to_numpy().tolist()}


def write_plans(config: Config, counties: list[str], year: int, dest: Path) -> None:
    """Every län's plan for ``year`` into the artefact folder ``dest`` (nothing for a län without a plan)."""
    for county in counties:
        record = _record(config, county, year)
        if record is not None:
            path = plan_file(dest, county)
            path.parent.mkdir(exist_ok=True)
            path.write_text(json.dumps(record, ensure_ascii=False, default=_plain), encoding="utf-8")


def _plain(value):
    """numpy's numbers (an integer column's cells) as Python's."""
    return value.item() if hasattr(value, "item") else str(value)


def read_plan(artefact: Path, county: str, year: int, config: Config):
    """The län's plan as :func:`~analysis.data.handlingsplan.load_plan` gave it when the results were computed,
    or None; a plan that did not validate raises its error again (:class:`AnalysisError`, one line). Read once
    per process and shared, like the results: never change it."""
    return _read(str(Path(artefact).resolve()), str(county).zfill(2), int(year), str(config.root))


@lru_cache(maxsize=2)
def _read(artefact: str, county: str, year: int, root: str):
    from analysis.data.provenance import load_snapshot
    from analysis.domain.handlingsplan import Plan, load_spec

    path = plan_file(Path(artefact), county)
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    if "error" in record:
        raise AnalysisError(record["error"])
    rows = pd.DataFrame(record["rows"], columns=record["columns"])
    rows = rows.astype(dict(zip(record["columns"], record["dtypes"]))) if len(rows) else rows.astype(object)
    file = Path(root) / record["file"]
    # the sidecar's record as load_plan read it (its checksum was verified then; the artefact's key covers it)
    meta = load_snapshot(file, verify=False).meta
    return Plan(county, int(record["year"]), rows, record["example"], meta, file, load_spec(Path(root)),
                tuple(record["stale"]))
