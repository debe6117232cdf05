"""Project paths and the one configuration file (`analysis.yml`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


from analysis import yamlio
from analysis.errors import AnalysisError


#: the user's override of the project folder, for a command run outside it (:func:`project_root`); the stages
#: themselves pass the folder explicitly (a job's ``root``; a kernel or child process starts in it)
ROOT_ENV = "ANALYSIS_ROOT"


def project_root() -> Path:
    """The repository root: ``$ANALYSIS_ROOT`` or the nearest parent holding ``analysis.yml``."""
    env = os.environ.get(ROOT_ENV)
    if env:
        root = Path(env).resolve()
        if not (root / "analysis.yml").is_file():
            raise AnalysisError(f"ANALYSIS_ROOT={env}: där finns ingen analysis.yml; ange projektets mapp "
                                "eller ta bort variabeln.")
        return root
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for p in (start, *start.parents):
            if (p / "analysis.yml").is_file() and (p / "data" / "catalogue").is_dir():
                return p
    raise AnalysisError("Hittar inte projektets mapp (ingen analysis.yml här eller i mapparna ovanför); kör "
                        "kommandot i projektets mapp eller ange den med miljövariabeln ANALYSIS_ROOT.")


def without_root_override(env) -> dict:
    """``env`` for a process started in the project folder: without :data:`ROOT_ENV`, so the folder it is
    started in is its project (a user's override never points it at another)."""
    return {k: v for k, v in env.items() if k != ROOT_ENV}


@dataclass(frozen=True)
class Config:
    root: Path
    year: int = 2024
    county: str = "10"
    baseline_year: int | None = None
    data: Path = Path("data/tidy/integration.csv")
    output_dir: Path = Path("reports")
    formats: tuple[str, ...] = ("html", "pdf")
    renderer: str = "auto"  # auto | quarto | pandoc (analysis.publish.quarto_render)
    example_seed: int = 20241
    example_years: tuple[int, int] = (2019, 2024)
    #: the analyst's organisation: publisher of reports for a län without its own strategy file (None: the
    #: national strategy file's default, "Länsstyrelsen i <län>")
    organisation: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def data_path(self) -> Path:
        return self.data if self.data.is_absolute() else self.root / self.data

    @property
    def catalogue_path(self) -> Path:
        return self.root / "data" / "catalogue" / "indicators.yml"

    @property
    def strategies_dir(self) -> Path:
        return self.root / "data" / "strategies"

    @property
    def raw_dir(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def output_path(self) -> Path:
        return self.output_dir if self.output_dir.is_absolute() else self.root / self.output_dir


@lru_cache(maxsize=4)
def load_config(root: Path | None = None) -> Config:
    root = Path(root) if root else project_root()
    path = root / "analysis.yml"
    raw = yamlio.read(path) or {}
    ex = raw.pop("example_data", {}) or {}
    try:
        return Config(
            root=root,
            year=int(raw.pop("year", 2024)),
            county=str(raw.pop("county", "10")).zfill(2),
            baseline_year=(int(b) if (b := raw.pop("baseline_year", None)) is not None else None),
            data=Path(raw.pop("data", "data/tidy/integration.csv")),
            output_dir=Path(raw.pop("output_dir", "reports")),
            formats=tuple(raw.pop("formats", ["html", "pdf"])),
            renderer=_renderer(raw.pop("renderer", "auto"), path),
            example_seed=int(ex.get("seed", 20241)),
            example_years=tuple(ex.get("years", [2019, 2024])),
            organisation=(str(o).strip() or None) if (o := raw.pop("organisation", None)) else None,
            extra=raw,
        )
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"{path}: ogiltigt värde i inställningarna: {exc}") from exc


def _renderer(value, path: Path) -> str:
    value = "auto" if value is None else str(value)
    if value not in ("auto", "quarto", "pandoc"):
        raise AnalysisError(f"{path}: renderer: {value!r} finns inte; välj auto, quarto eller pandoc.")
    return value
