"""The gap engine: suppression -> gaps -> trend against the strategy's baseline.

A few generic transforms, parameterised by the catalogue:

* :func:`suppress` hides shares computed from too few persons (SCB's rule: a share is shown only if
  the group has more than ``min_population`` persons and more than ``min_cases`` with the property).
  Hidden and missing cells keep their official symbol and are never 0.
* :func:`compute_gaps` compares utrikes födda with inrikes födda in the same area, sex and age band
  (indicators with a native group), or the kommun with its län and riket (indicators without one).
  ``gap = subject − reference`` in the indicator's difference unit (procentenheter for shares);
  ``disadvantage`` turns the sign so that a positive value means the subject (utrikes födda, or the
  kommun) is worse off, as the catalogue's direction says.
* :func:`compute_trends` judges the change from the baseline year to the report year, one rule for every
  place that shows it: *oförändrad* only within the catalogue's ``min_change``; a larger change still
  within the statistical minimum detectable change (MDC) is *ingen statistiskt säkerställd förändring*;
  beyond it *bättre* / *sämre*; *kan inte bedömas* when a value is missing, the series breaks, or the MDC
  exceeds the catalogue's ``max_detectable_change`` (too few persons to say anything useful).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.data.contract import SHARE_TOLERANCE
from analysis.domain.catalogue import Catalogue, Indicator
from analysis.domain.geography import RIKET, Geography

GAP_COLUMNS = [
    "indicator", "geo_code", "level", "year", "sex", "age_band", "comparison", "reference_code",
    "value_subject", "value_reference", "status_subject", "status_reference", "gap", "ratio",
    "disadvantage", "worse_off", "status", "example", "unit",
]
TREND_COLUMNS = [
    "indicator", "geo_code", "level", "sex", "measure", "baseline_year", "year", "value_baseline",
    "value_year", "change", "mdc", "status", "reason", "example",
]
BETTER, WORSE, UNCHANGED, UNKNOWN = "bättre", "sämre", "oförändrad", "kan inte bedömas"
NOT_SIGNIFICANT = "ingen statistiskt säkerställd förändring"
TOO_LITTLE_DATA = "för litet underlag"
#: z(0.975) + z(0.80): the minimum detectable change is about 2.8 standard errors.
MDC_FACTOR = 1.96 + 0.84


#: Splits whose parts add up to the total (in persons): a suppressed part must not be recoverable by
#: subtracting the shown parts from the shown total.
SPLITS = (("sex", "T", ("K", "M")), ("group", "total", ("utrikes", "inrikes")))
_KEY = ["indicator", "geo_code", "year", "sex", "group", "age_band"]


def suppress(tidy: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Apply each indicator's suppression rule where a share rests on counts; sets value NaN, status '..'.

    Primary suppression hides shares of too few persons. Secondary suppression then hides enough other
    cells that no hidden share can be recovered by subtraction: wherever a split (T = K + M, or
    total = utrikes + inrikes) has exactly one hidden cell and every other cell shown, the shown part with the
    fewest persons is hidden as well, repeated until no split gives one away.
    """
    out = tidy.copy()
    min_pop = out["indicator"].map({i.id: i.suppression.min_population for i in catalogue})
    min_cases = out["indicator"].map({i.id: i.suppression.min_cases for i in catalogue})
    num, den = effective_counts(out, catalogue)
    has_counts = num.notna() | den.notna()
    # a row is judged on every count it has or implies: one small count is enough to hide it
    small = (den.notna() & (den <= min_pop)) | (num.notna() & (num <= min_cases))
    hidden = small | (has_counts & (out["status"] == ".."))  # hidden by the rule or already by the source
    hidden |= secondary_suppression(out.assign(denominator=den), hidden)
    out.loc[small | hidden, "value"] = np.nan
    out.loc[(small | hidden) & (out["status"] == ""), "status"] = ".."
    return out


def effective_counts(tidy: pd.DataFrame, catalogue: Catalogue) -> tuple[pd.Series, pd.Series]:
    """(numerator, denominator) per row for the suppression rule: as given, or, where a share has only one of
    them, the smallest whole count the share allows for the other: ``denominator ≥ 100 · numerator / (value +
    t)`` and ``numerator ≥ (value − t) · denominator / 100``, with ``t`` the rounding the data contract allows
    (whole percent). So "1 of ? = 33,3 %" rests on at most 3 persons and is hidden, and a row with partly
    missing counts is shown only when what it has proves it safe. A row without any count is the producer's
    published figure and is judged by the producer's own rule."""
    num = pd.to_numeric(tidy["numerator"], errors="coerce").astype(float)
    den = pd.to_numeric(tidy["denominator"], errors="coerce").astype(float)
    value = pd.to_numeric(tidy["value"], errors="coerce").astype(float)
    shares = tidy["indicator"].map({i.id: getattr(i, "unit", "procent") == "procent" for i in catalogue})
    share = shares.fillna(False).astype(bool) & value.notna()
    only_num = share & num.notna() & den.isna()
    only_den = share & den.notna() & num.isna()
    with np.errstate(divide="ignore", invalid="ignore"):
        den_low = np.ceil(100.0 * num / (value.clip(lower=0) + SHARE_TOLERANCE) - 1e-9)
        num_low = np.ceil((value - SHARE_TOLERANCE) * den / 100.0 - 1e-9).clip(lower=0)
    return num.where(~only_den, num_low), den.where(~only_num, den_low)


def secondary_suppression(tidy: pd.DataFrame, hidden: pd.Series) -> pd.Series:
    """Cells to hide in addition to ``hidden`` so that no split has a single hidden cell (see :func:`suppress`)."""
    extra = pd.Series(False, index=tidy.index)
    if not hidden.any():
        return extra
    shown = (tidy["status"] == "") & tidy["value"].notna()
    size = tidy["denominator"].fillna(np.inf)
    for _ in range(20):  # each round hides at least one cell; splits interlock only a few levels deep
        changed = False
        for dim, total, parts in SPLITS:
            members = (total, *parts)
            sub = tidy[tidy[dim].isin(members)]
            if sub.empty:
                continue
            others = [k for k in _KEY if k != dim]
            now_hidden = (hidden | extra)[sub.index]
            frame = pd.DataFrame({
                "row": sub.index, "hidden": now_hidden.to_numpy(),
                "open": (shown[sub.index] & ~now_hidden).to_numpy(), "size": size[sub.index].to_numpy(),
            })
            frame[others + [dim]] = sub[others + [dim]].to_numpy()
            wide = frame.set_index(others + [dim]).unstack(dim)
            if not all(m in wide["row"].columns for m in members):
                continue
            complete = wide["row"][list(members)].notna().all(axis=1)
            n_hidden = wide["hidden"][list(members)].fillna(False).astype(bool).sum(axis=1)
            n_open = wide["open"][list(members)].fillna(False).astype(bool).sum(axis=1)
            risky = complete & (n_hidden == 1) & (n_open == len(members) - 1)
            for key in wide.index[risky.to_numpy()]:
                open_parts = [p for p in parts if bool(wide.loc[key, ("open", p)])]
                candidates = open_parts or ([total] if bool(wide.loc[key, ("open", total)]) else [])
                if not candidates:
                    continue
                pick = min(candidates, key=lambda p: (wide.loc[key, ("size", p)], parts.index(p) if p in parts else 9))
                extra[int(wide.loc[key, ("row", pick)])] = True
                changed = True
        if not changed:
            break
    return extra & ~hidden


def _level(code: str, geography: Geography | None) -> str:
    if geography is not None and code in geography:
        return geography.area(code).level
    return "riket" if code == RIKET else ("lan" if code.startswith("00") else "kommun")


def _county_code(code: str) -> str:
    return "00" + code[:2]


def _orient(ind: Indicator, gap: pd.Series) -> pd.Series:
    """Positive = the subject is worse off."""
    return -gap if ind.higher_is_better else gap


def _worse_off(disadvantage: pd.Series) -> pd.Series:
    out = pd.Series(pd.NA, index=disadvantage.index, dtype="object")
    out[disadvantage > 0] = "subject"
    out[disadvantage < 0] = "reference"
    out[disadvantage == 0] = "none"
    return out


def native_pairs(rows: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The utrikes and the inrikes rows of ``rows`` aligned on ``keys`` (every key either side has; the other
    side's row is then missing)."""
    sub = rows[rows["group"] == "utrikes"].set_index(keys)
    ref = rows[rows["group"] == "inrikes"].set_index(keys)
    idx = sub.index.union(ref.index)
    return sub.reindex(idx), ref.reindex(idx)


def apply_gap(ind: Indicator, df: pd.DataFrame) -> pd.DataFrame:
    """The one gap rule, on a frame with ``value_subject``, ``value_reference``, ``status_subject`` and
    ``status_reference``: adds ``gap`` (subject − reference), ``ratio``, ``disadvantage`` (positive = the
    subject is worse off), ``worse_off`` and ``status`` (used by the kommun gaps and the group gaps alike)."""
    both = df["value_subject"].notna() & df["value_reference"].notna()
    df["gap"] = (df["value_subject"] - df["value_reference"]).where(both).round(6)
    df["ratio"] = (df["value_subject"] / df["value_reference"]).where(both & (df["value_reference"] != 0))
    df["disadvantage"] = _orient(ind, df["gap"])
    df["worse_off"] = _worse_off(df["disadvantage"])
    # A gap is missing when either side is; it keeps the side's official symbol.
    df["status"] = df["status_subject"].where(df["status_subject"] != "", df["status_reference"])
    df.loc[both, "status"] = ""
    df.loc[~both & (df["status"] == ""), "status"] = ".."
    return df


def _finish(ind: Indicator, df: pd.DataFrame, geography: Geography | None) -> pd.DataFrame:
    df = apply_gap(ind, df)
    df["level"] = [_level(c, geography) for c in df["geo_code"]]
    df["unit"] = ind.diff_unit
    return df[GAP_COLUMNS]


def _native_gaps(ind: Indicator, rows: pd.DataFrame, geography: Geography | None) -> pd.DataFrame:
    sub, ref = native_pairs(rows, ["geo_code", "year", "sex", "age_band"])
    df = pd.DataFrame(
        {
            "indicator": ind.id,
            "comparison": "inrikes",
            "value_subject": sub["value"],
            "value_reference": ref["value"],
            "status_subject": sub["status"].fillna(".."),
            "status_reference": ref["status"].fillna(".."),
            "example": sub["example"].fillna(False).astype(bool) | ref["example"].fillna(False).astype(bool),
        },
        index=sub.index,
    ).reset_index()
    df["reference_code"] = df["geo_code"]
    return _finish(ind, df, geography)


def _regional_gaps(ind: Indicator, rows: pd.DataFrame, geography: Geography | None) -> pd.DataFrame:
    rows = rows[rows["group"] == "total"]
    keys = ["geo_code", "year", "sex", "age_band"]
    by_key = rows.set_index(keys)
    parts = []
    for comparison in ("lan", "riket"):
        subj = rows[rows["geo_code"] != RIKET]
        if comparison == "lan":
            subj = subj[~subj["geo_code"].str.startswith("00")]
            ref_codes = subj["geo_code"].map(_county_code)
        else:
            ref_codes = pd.Series(RIKET, index=subj.index)
        if subj.empty:
            continue
        ref_idx = pd.MultiIndex.from_arrays([ref_codes, subj["year"], subj["sex"], subj["age_band"]])
        ref = by_key.reindex(ref_idx)
        parts.append(
            pd.DataFrame(
                {
                    "indicator": ind.id,
                    "geo_code": subj["geo_code"].to_numpy(),
                    "year": subj["year"].to_numpy(),
                    "sex": subj["sex"].to_numpy(),
                    "age_band": subj["age_band"].to_numpy(),
                    "comparison": comparison,
                    "reference_code": ref_codes.to_numpy(),
                    "value_subject": subj["value"].to_numpy(),
                    "value_reference": ref["value"].to_numpy(),
                    "status_subject": subj["status"].to_numpy(),
                    "status_reference": ref["status"].fillna("..").to_numpy(),
                    "example": subj["example"].to_numpy() | ref["example"].fillna(False).astype(bool).to_numpy(),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=GAP_COLUMNS)
    return _finish(ind, pd.concat(parts, ignore_index=True), geography)


def compute_gaps(
    tidy: pd.DataFrame, catalogue: Catalogue, geography: Geography | None = None, suppressed: bool = False
) -> pd.DataFrame:
    """The gap table for every indicator, area, year and sex in ``tidy`` (suppression applied first)."""
    data = tidy if suppressed else suppress(tidy, catalogue)
    parts = []
    for ind in catalogue:
        rows = data[data["indicator"] == ind.id]
        if rows.empty or ind.birth_regions:  # groups by birth region: no pooled utrikes − inrikes gap
            continue
        parts.append(_native_gaps(ind, rows, geography) if ind.is_native else _regional_gaps(ind, rows, geography))
    if not parts:
        return pd.DataFrame(columns=GAP_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["indicator", "geo_code", "comparison", "sex", "year"]).reset_index(drop=True)


# --------------------------------------------------------------------------- trends


def _p(value: float) -> float:
    return min(max(value / 100.0, 0.0), 1.0)


def _variance(row: dict | pd.Series | None, unit: str) -> float | None:
    """Sampling variance (in the indicator's unit squared) of one tidy value, or None if unknown."""
    if row is None:
        return None
    if pd.notna(row.get("margin")):
        return (row["margin"] / 1.96) ** 2
    if unit == "procent" and pd.notna(row.get("denominator")) and row["denominator"] > 0:
        p = _p(row["value"])
        return (p * (1 - p) / row["denominator"]) * 100**2
    return None


def minimum_detectable_change(ind: Indicator, cells: list[dict | pd.Series | None]) -> float:
    """max(catalogue min_change, 2.8 · SE of the change) where counts or margins give an SE."""
    variances = [_variance(c, ind.unit) for c in cells]
    if cells and all(v is not None for v in variances):
        return max(ind.min_change, MDC_FACTOR * math.sqrt(sum(variances)))
    return ind.min_change


def judge(ind: Indicator, change: float, mdc: float, better_if_negative: bool) -> tuple[str, str]:
    """(status, reason) for a change and its minimum detectable change — the one trend rule."""
    limit = ind.max_detectable_change
    if limit is not None and mdc > limit:
        return UNKNOWN, TOO_LITTLE_DATA
    if abs(change) <= ind.min_change:
        return UNCHANGED, ""
    if abs(change) <= mdc:
        return NOT_SIGNIFICANT, ""
    improved = change < 0 if better_if_negative else change > 0
    return (BETTER if improved else WORSE), ""


#: what a trend's minimum detectable change reads of a tidy value (:func:`_variance`)
_CELL_FIELDS = ("value", "margin", "denominator")


def _cells(data: pd.DataFrame) -> dict:
    """The tidy values by (indicator, geo_code, year, sex, group), each as {value, margin, denominator}: a
    dict look-up per trend instead of pandas' MultiIndex (≈ 0,25 ms each, some 2 600 per computation)."""
    keys = zip(*(data[c].tolist() for c in ("indicator", "geo_code", "year", "sex", "group")))
    fields = [f for f in _CELL_FIELDS if f in data]
    values = zip(*(data[f].tolist() for f in fields))
    out: dict = {}
    for key, row in zip(keys, values):
        out.setdefault(key, dict(zip(fields, row)))  # the first row of a key, as the index gave it
    return out


def compute_trends(
    tidy: pd.DataFrame,
    catalogue: Catalogue,
    baseline_year: int,
    year: int,
    geography: Geography | None = None,
    gaps: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Status from ``baseline_year`` to ``year`` per indicator, area and sex. ``gaps``: the gaps already
    computed from ``tidy`` (then suppressed already, :func:`suppress`), so neither is done again.

    Native indicators are judged on the gap (measure ``skillnad``, values and change in the one sign used
    everywhere: utrikes − inrikes); a change that lowers the disadvantage of utrikes födda is better, i.e. a
    rising gap where a high value is good, a falling one where it is bad. Indicators without a native group
    are judged on their own level (measure ``nivå``), in the catalogue's direction.
    """
    data = tidy if gaps is not None else suppress(tidy, catalogue)
    if gaps is None:
        gaps = compute_gaps(data, catalogue, geography, suppressed=True)
    cells = _cells(data)
    rows = []
    for ind in catalogue:
        if ind.birth_regions:  # no pooled gap to judge (see analysis.present.birth_regions)
            continue
        if ind.is_native:
            g = gaps[(gaps["indicator"] == ind.id) & (gaps["comparison"] == "inrikes")]
            series = g.set_index(["geo_code", "sex", "year"])["gap"]
            groups = ("utrikes", "inrikes")
        else:
            g = data[(data["indicator"] == ind.id) & (data["group"] == "total")]
            series = g.set_index(["geo_code", "sex", "year"])["value"]
            groups = ("total",)
        examples = g.groupby(["geo_code", "sex"])["example"].any()
        for (code, sex), is_example in examples.items():
            def cell(y, grp):
                return cells.get((ind.id, code, y, sex, grp))

            y0, y1 = baseline_year, year
            if ind.shows_latest:  # election or survey years: the latest measurement up to each year
                have = [y for (c, s, y), v in series.items() if c == code and s == sex and pd.notna(v)]
                y0 = max((y for y in have if y <= baseline_year), default=baseline_year)
                y1 = max((y for y in have if y <= year), default=year)
            v0 = series.get((code, sex, y0), np.nan)
            v1 = series.get((code, sex, y1), np.nan)
            change, mdc, reason = np.nan, ind.min_change, ""
            if ind.shows_latest and y1 <= y0 and year > baseline_year:
                what = ("inget nytt val", "senaste val") if ind.election_years else ("ingen ny mätning", "senaste mätning")
                status, reason = UNKNOWN, f"{what[0]} sedan basåret ({what[1]}: {y1})"
            elif year <= baseline_year:
                status, reason = UNKNOWN, f"rapportåret {year} ligger inte efter basåret {baseline_year}"
            elif ind.series_start and baseline_year < ind.series_start:
                status = UNKNOWN
                reason = f"serien bryts: {ind.series_note or f'serien börjar {ind.series_start}'}"
            elif pd.isna(v0) or pd.isna(v1):
                missing = [str(y) for y, v in ((baseline_year, v0), (year, v1)) if pd.isna(v)]
                status, reason = UNKNOWN, "uppgift saknas eller är skyddad för " + " och ".join(missing)
            else:
                change = float(v1 - v0)
                mdc = minimum_detectable_change(
                    ind, [cell(y, grp) for y in (y0, y1) for grp in groups]
                )
                better_if_negative = not ind.higher_is_better  # same for the gap and the level
                status, reason = judge(ind, change, mdc, better_if_negative)
            rows.append(
                {
                    "indicator": ind.id, "geo_code": code, "level": _level(code, geography), "sex": sex,
                    "measure": "skillnad" if ind.is_native else "nivå", "baseline_year": y0,
                    "year": y1, "value_baseline": v0, "value_year": v1, "change": change, "mdc": mdc,
                    "status": status, "reason": reason, "example": bool(is_example),
                }
            )
    return pd.DataFrame(rows, columns=TREND_COLUMNS)
