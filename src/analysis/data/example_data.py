"""Seeded generator of EXAMPLE data for catalogue indicators that have no real figures.

The values are plausible in level (parameters in ``data/catalogue/example_profiles.yml``) but are not
statistics: every row carries ``example=True`` and a source text starting with "Exempeldata".
The same seed, areas and years always give the same table.

Counts (numerator/denominator) are generated for indicators computed from counts, so kvinnor + män
add up to totalt and the län is the sum of its kommuner. Survey indicators get a 95 % margin.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.domain.catalogue import Catalogue, Indicator
from analysis.data.contract import COLUMNS
from analysis.domain.geography import RIKET, Geography

PROFILES_FILE = Path("data/catalogue/example_profiles.yml")
EXAMPLE_SOURCE = "Exempeldata (genererad, seed {seed}) – inte verklig statistik"
SEX_SHARE = {"K": 0.5, "M": 0.5}


def _rng(seed: int, *keys: str) -> np.random.Generator:
    """An independent stream per (seed, keys): stable whatever else is generated."""
    return np.random.default_rng([seed, *(zlib.crc32(k.encode()) for k in keys)])


def _clip(x: float, unit: str) -> float:
    return float(min(max(x, 1.0), 99.0)) if unit == "procent" else float(max(x, 0.5))


def _area_size(seed: int, code: str) -> float:
    """Relative size of a kommun (0.35–2.8): small ones make suppression bite."""
    return float(np.clip(_rng(seed, "size", code).lognormal(0.0, 0.6), 0.35, 2.8))


def _levels(ind: Indicator, prof: dict, seed: int, code: str, years: list[int], sexes: list[str]):
    """(group, sex, year) -> expected level for one area."""
    rng = _rng(seed, ind.id, code)
    out = {}
    for group, g in prof["groups"].items():
        area_effect = 0.0 if code == RIKET else rng.normal(0, g["spread"])
        for y in years:
            year_noise = rng.normal(0, prof["noise"]) if code != RIKET else rng.normal(0, prof["noise"] / 4)
            base = g["level"] + area_effect + g["trend"] * (y - years[0]) + year_noise
            for sex in sexes:
                offset = {"T": 0.0, "K": g["sex_gap"] / 2, "M": -g["sex_gap"] / 2}[sex]
                out[group, sex, y] = _clip(base + offset, ind.unit)
    return out


def _row(ind: Indicator, code: str, year: int, sex: str, group: str, value: float, source: str,
         num=np.nan, den=np.nan, margin=np.nan) -> dict:
    return {
        "indicator": ind.id, "geo_code": code, "year": year, "sex": sex, "group": group,
        "age_band": ind.age_band, "value": round(value, 1), "numerator": num, "denominator": den,
        "margin": margin, "status": "", "flag": "", "source": source, "example": True,
    }


def _count_rows(ind, prof, seed, kommuner, county, years, source):
    """Counts per kommun and sex; T = K + M; län = sum of its kommuner; riket from a large population."""
    rows = []
    sums: dict[tuple, list[float]] = {}
    for code in kommuner:
        levels = _levels(ind, prof, seed, code, years, ["K", "M"])
        rng = _rng(seed, ind.id, code, "counts")
        size = _area_size(seed, code)
        for group in prof["groups"]:
            for y in years:
                tot_num = tot_den = 0
                for sex in ("K", "M"):
                    den = max(int(round(prof["size"][group] * size * SEX_SHARE[sex] * rng.normal(1, 0.08))), 3)
                    num = int(rng.binomial(den, levels[group, sex, y] / 100))
                    rows.append(_row(ind, code, y, sex, group, 100 * num / den, source, num, den))
                    tot_num, tot_den = tot_num + num, tot_den + den
                    acc = sums.setdefault((group, sex, y), [0, 0])
                    acc[0] += num
                    acc[1] += den
                rows.append(_row(ind, code, y, "T", group, 100 * tot_num / tot_den, source, tot_num, tot_den))
    if county and "lan" in ind.levels:
        for (group, sex, y), (num, den) in sorted(sums.items()):
            rows.append(_row(ind, county, y, sex, group, 100 * num / den, source, num, den))
        for group in prof["groups"]:
            for y in years:
                num = sums[group, "K", y][0] + sums[group, "M", y][0]
                den = sums[group, "K", y][1] + sums[group, "M", y][1]
                rows.append(_row(ind, county, y, "T", group, 100 * num / den, source, num, den))
    if "riket" in ind.levels:
        levels = _levels(ind, prof, seed, RIKET, years, ["K", "M"])
        for group in prof["groups"]:
            for y in years:
                num_t = den_t = 0
                for sex in ("K", "M"):
                    den = int(prof["size"][group] * 290 * SEX_SHARE[sex])
                    num = int(round(den * levels[group, sex, y] / 100))
                    rows.append(_row(ind, RIKET, y, sex, group, 100 * num / den, source, num, den))
                    num_t, den_t = num_t + num, den_t + den
                rows.append(_row(ind, RIKET, y, "T", group, 100 * num_t / den_t, source, num_t, den_t))
    return rows


def _level_rows(ind, prof, seed, areas, years, source):
    """Values without counts (rates in days, survey shares with a margin)."""
    rows = []
    sexes = ["T", "K", "M"] if ind.sex_split else ["T"]
    for code, level in areas:
        levels = _levels(ind, prof, seed, code, years, sexes)
        for (group, sex, y), value in sorted(levels.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])):
            margin = np.nan
            if "margin" in prof:
                margin = round(prof["margin"][level] * (1.0 if sex == "T" else 1.4), 1)
            rows.append(_row(ind, code, y, sex, group, value, source, margin=margin))
    return rows


def load_profiles(root: Path) -> dict:
    return yaml.safe_load((root / PROFILES_FILE).read_text(encoding="utf-8"))


def generate_example_data(
    catalogue: Catalogue,
    geography: Geography,
    county: str,
    years: tuple[int, int],
    seed: int,
    profiles: dict,
    indicators: list[str] | None = None,
) -> pd.DataFrame:
    """Example rows for the kommuner of ``county``, the län and riket, ``years`` inclusive."""
    lan = geography.county(county)
    kommuner = [a.code for a in geography.kommuner_in(county)]
    span = list(range(years[0], years[1] + 1))
    source = EXAMPLE_SOURCE.format(seed=seed)
    rows: list[dict] = []
    for ind in catalogue:
        if indicators is not None and ind.id not in indicators:
            continue
        prof = profiles.get(ind.id)
        span = [y for y in range(years[0], years[1] + 1) if ind.measured_in(y)]  # e.g. election years only
        if prof is None:
            raise ValueError(f"no example profile for indicator {ind.id!r} in {PROFILES_FILE}")
        if "size" in prof:
            ks = kommuner if "kommun" in ind.levels else []
            rows += _count_rows(ind, prof, seed, ks, lan.code, span, source)
        else:
            areas = [(c, "kommun") for c in kommuner if "kommun" in ind.levels]
            areas += [(lan.code, "lan")] if "lan" in ind.levels else []
            areas += [(RIKET, "riket")] if "riket" in ind.levels else []
            rows += _level_rows(ind, prof, seed, areas, span, source)
    df = pd.DataFrame(rows, columns=COLUMNS)
    # Indicators without a split by sex keep only totals (their totals are still sums of both sexes).
    no_split = [i.id for i in catalogue if not i.sex_split]
    return df[~(df["indicator"].isin(no_split) & (df["sex"] != "T"))].reset_index(drop=True)
