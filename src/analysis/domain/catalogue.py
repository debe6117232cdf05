"""The indicator catalogue (``data/catalogue/indicators.yml``): declared, validated, then used.

Every indicator is defined once, in YAML; the code only reads these definitions. The schema lives
next to the catalogue (``indicators.schema.yml``) and every problem is reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jsonschema
import yaml

from analysis import yamlio
from analysis.config import project_root
from analysis.errors import AnalysisError

CATALOGUE_FILE = Path("data/catalogue/indicators.yml")
SCHEMA_FILE = Path("data/catalogue/indicators.schema.yml")

UNIT_SYMBOL = {"procent": "%", "dagar": "dagar", "antal": "antal"}
#: The unit a difference is expressed in: differences of shares are procentenheter.
DIFF_UNIT = {"procent": "procentenheter", "dagar": "dagar", "antal": "antal"}


@dataclass(frozen=True)
class Suppression:
    min_population: int = 20
    min_cases: int = 5


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    short_title: str
    focus_area: str
    goal: str
    definition: str
    unit: str
    decimals: int
    direction: str
    comparison: str
    population: str
    age_band: str
    groups: dict[str, dict[str, str]]
    source: dict
    levels: tuple[str, ...]
    sex_split: bool
    min_change: float
    suppression: Suppression = Suppression()
    survey: bool = False
    series_start: int | None = None
    series_note: str | None = None
    text_name: str | None = None  # definite form for running text: "sysselsättningsgraden"
    #: the name in a workbook's sheet names ("Yrkesbehörighet, kön"), where the short title is too long for
    #: Excel's 31 characters with the table's kind; default: the short title
    sheet_title: str | None = None
    #: a minimum detectable change above this means the trend cannot be judged ("för litet underlag")
    max_detectable_change: float | None = None
    caveats: tuple[str, ...] = ()
    #: measured in election years only: shown as the latest election up to the report year
    election_years: bool = False

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher_is_better"

    @property
    def is_native(self) -> bool:
        """Compared with a native group (inrikes födda / svensk bakgrund)."""
        return self.comparison == "native"

    def measured_in(self, year: int) -> bool:
        """Whether the indicator has a value for ``year``: every year, or only Swedish general-election years
        (every fourth year since 1994: 2018, 2022, 2026)."""
        return not self.election_years or (year >= 1994 and (year - 1994) % 4 == 0)

    @property
    def shows_latest(self) -> bool:
        """Not measured every year (elections, surveys): a report shows the latest year with figures up to its year."""
        return self.election_years or self.survey

    @property
    def birth_regions(self) -> list[str]:
        """The born-abroad groups by birth region a source has instead of one "utrikes" group (never pooled)."""
        return [g for g in self.groups if g.startswith("utrikes_")]

    @property
    def diff_unit(self) -> str:
        return DIFF_UNIT[self.unit]

    @property
    def unit_symbol(self) -> str:
        return UNIT_SYMBOL[self.unit]

    def group_label(self, group: str) -> str:
        return self.groups[group]["label"]

    @property
    def producer(self) -> str:
        return self.source["producer"]

    @property
    def attribution(self) -> str:
        """Credit line for processed figures: the original producer and 'egen bearbetning', never Kolada."""
        return f"Källa: {self.producer}, {self.source['statistic']}; egen bearbetning"


@dataclass(frozen=True)
class Catalogue:
    focus_areas: dict[str, str]
    indicators: tuple[Indicator, ...]
    path: Path | None = field(default=None, compare=False)

    def __iter__(self):
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def get(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        known = ", ".join(i.id for i in self.indicators)
        raise AnalysisError(f"Okänd indikator {indicator_id!r}. Katalogen har: {known}.")

    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    def in_focus_area(self, focus_area: str) -> list[Indicator]:
        return [i for i in self.indicators if i.focus_area == focus_area]


def catalogue_problems(raw: dict, schema: dict) -> list[str]:
    """Every problem in a parsed catalogue: schema violations plus cross-field checks."""
    validator = jsonschema.Draft202012Validator(schema)
    problems = [
        f"{'/'.join(str(p) for p in err.absolute_path) or '(top)'}: {err.message}"
        for err in sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if problems:
        return problems
    areas = raw["focus_areas"]
    seen: set[str] = set()
    for i, ind in enumerate(raw["indicators"]):
        where = f"indicators/{i} ({ind['id']})"
        if ind["id"] in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(ind["id"])
        if ind["focus_area"] not in areas:
            problems.append(f"{where}: focus_area {ind['focus_area']!r} is not one of {sorted(areas)}")
        if ind["comparison"] == "native" and not any(g == "utrikes" or g.startswith("utrikes_") for g in ind["groups"]):
            problems.append(f"{where}: a native comparison needs the group utrikes or born-abroad groups (utrikes_…)")
        if "utrikes" in ind["groups"] and any(g.startswith("utrikes_") for g in ind["groups"]):
            problems.append(f"{where}: declare either utrikes or the born-abroad groups utrikes_…, not both")
        if ind.get("survey") and ind["unit"] != "procent":
            problems.append(f"{where}: survey indicators must be shares (procent)")
        px = ind["source"].get("pxweb")
        if px and isinstance(px["contents"], dict):
            lacking = sorted(set(px["tables"]) - set(px["contents"]))
            if lacking:
                problems.append(f"{where}: source.pxweb.contents has no ContentsCode for {', '.join(lacking)} "
                                "(one per table level, or one string for all)")
    counts: dict[str, int] = {}
    for ind in raw["indicators"]:
        counts[ind["focus_area"]] = counts.get(ind["focus_area"], 0) + 1
    for area in areas:
        if counts.get(area, 0) < 1:
            problems.append(f"focus area {area!r} has no indicator; declare one or follow it up through the handlingsplan")
    return problems


def parse_catalogue(raw: dict, schema: dict, path: Path | None = None) -> Catalogue:
    problems = catalogue_problems(raw, schema)
    if problems:
        raise AnalysisError(
            f"{path or 'catalogue'}: {len(problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems)
        )
    defaults = raw.get("defaults", {})
    indicators = []
    for ind in raw["indicators"]:
        ind = dict(ind)
        supp = ind.pop("suppression", None) or defaults.get("suppression") or {}
        ind["levels"] = tuple(ind.get("levels") or defaults.get("levels") or ("kommun", "lan", "riket"))
        ind.setdefault("max_detectable_change", defaults.get("max_detectable_change"))
        ind["caveats"] = tuple(ind.get("caveats") or ())
        indicators.append(Indicator(**ind, suppression=Suppression(**supp)))
    return Catalogue(dict(raw["focus_areas"]), tuple(indicators), path)


@lru_cache(maxsize=4)
def load_catalogue(root: Path | None = None) -> Catalogue:
    root = root or project_root()
    raw = yamlio.read(root / CATALOGUE_FILE)
    schema = yaml.safe_load((root / SCHEMA_FILE).read_text(encoding="utf-8"))
    return parse_catalogue(raw, schema, root / CATALOGUE_FILE)
