"""Folkhälsomyndigheten, Hälsa på lika villkor (HLV) by födelseland -> tidy rows (god självskattad hälsa).

The snapshot is Region Dalarna's compilation (its regional oversample): Dalarna's 15 kommuner, Dalarnas län and
riket, 2014/2018/2021, by kön and four birth regions, each share with its 95 % confidence interval. The birth
regions stay as the source has them (never pooled into one "utrikes" group: the survey's weights are not given).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.data.contract import COLUMNS, empty_tidy
from analysis.data.provenance import load_snapshot, source_label
from analysis.domain.catalogue import Catalogue
from analysis.domain.geography import RIKET, Geography

SNAPSHOT = Path("fohm/fohm_hlv_dalarna_kommuner_lan_riket_efter_fodelseland_2014_2018_2021.csv")
#: the survey question -> catalogue indicator
QUESTIONS = {"Allmänt hälsotillstånd - Bra eller mycket bra hälsa": "god_halsa"}
SEXES = {"Totalt": "T", "Kvinna": "K", "Man": "M"}
#: areas the file names that are not kommun names
AREAS = {"Riket": RIKET, "Dalarna": "0020"}


def tidy_fohm(raw_dir: Path, catalogue: Catalogue, geography: Geography) -> pd.DataFrame:
    """Rows of the catalogue's HLV indicators; the margin is half the width of the 95 % interval."""
    path = raw_dir / SNAPSHOT
    if not path.is_file():
        return empty_tidy()
    snap = load_snapshot(path)
    raw = pd.read_csv(path, dtype={"År": int, "Andel": float})
    raw = raw[raw["Fråga"].isin(QUESTIONS)]
    rows = []
    for question, ind_id in QUESTIONS.items():
        if ind_id not in catalogue.ids():
            continue
        ind = catalogue.get(ind_id)
        group_of = {spec["series"]: g for g, spec in ind.groups.items()}
        sub = raw[raw["Fråga"] == question]
        unknown = sorted(set(sub["Födelseland"]) - set(group_of)) + sorted(set(sub["Kön"]) - set(SEXES))
        if unknown:
            raise ValueError(f"{path.name}: okända värden för födelseland/kön {unknown}")
        codes = sub["Kommun"].map(lambda n: AREAS.get(n) or _kommun_code(geography, n))
        lower, upper = pd.to_numeric(sub["ci_lower"]), pd.to_numeric(sub["ci_upper"])
        rows.append(pd.DataFrame({
            "indicator": ind.id,
            "geo_code": codes,
            "year": sub["År"],
            "sex": sub["Kön"].map(SEXES),
            "group": sub["Födelseland"].map(group_of),
            "age_band": ind.age_band,
            "value": sub["Andel"],
            "numerator": float("nan"),
            "denominator": float("nan"),
            "margin": ((upper - lower) / 2).round(2),
            "status": "",
            "flag": "",
            "source": source_label(snap.meta),
            "example": False,
        }))
    return pd.concat(rows, ignore_index=True)[COLUMNS] if rows else empty_tidy()


def _kommun_code(geography: Geography, name: str) -> str:
    matches = [a.code for a in geography.kommuner if a.name == name]
    if len(matches) != 1:
        raise ValueError(f"{SNAPSHOT.name}: kommunen {name!r} finns inte i geografin")
    return matches[0]
