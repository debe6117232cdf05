"""SCB BAS snapshot (sysselsättningsgrad, arbetslöshet by födelseland) -> tidy rows."""

from __future__ import annotations

from pathlib import Path

import janitor  # noqa: F401  (registers DataFrame.clean_names)
import pandas as pd

from analysis.data.contract import COLUMNS
from analysis.data.provenance import load_snapshot, source_label

SNAPSHOT = Path("scb/scb_bas_syss_arbl_inrikes_utrikes_20-64_alla_kommuner_regioner_riket_2020-2024.csv")

#: snapshot measure -> catalogue indicator; snapshot birth group -> contract group
MEASURES = {"sysselsattningsgrad": "sysselsattningsgrad", "arbetsloshet_av_arbetskraften": "arbetsloshet"}
GROUPS = {"utrikes_fodda": "utrikes", "inrikes_fodda": "inrikes"}
AGE_BANDS = {"20-64": "20-64"}


def tidy_bas(raw_dir: Path) -> pd.DataFrame:
    """The real BAS figures as tidy rows (sex T only: the snapshot has no split by sex)."""
    snap = load_snapshot(raw_dir / SNAPSHOT)
    raw = pd.read_csv(snap.path, dtype=str, keep_default_na=False).clean_names(strip_accents=False)
    unknown = sorted(set(raw["measure"]) - set(MEASURES)) + sorted(set(raw["birth_group"]) - set(GROUPS))
    if unknown:
        raise ValueError(f"{snap.path.name}: unexpected measure/birth_group values {unknown}")
    value = pd.to_numeric(raw["value"], errors="coerce")
    tidy = pd.DataFrame(
        {
            "indicator": raw["measure"].map(MEASURES),
            "geo_code": raw["area_code"].str.zfill(4),
            "year": raw["year"].astype(int),
            "sex": raw["sex"],
            "group": raw["birth_group"].map(GROUPS),
            "age_band": raw["age"].map(AGE_BANDS),
            "value": value,
            "numerator": float("nan"),
            "denominator": float("nan"),
            "margin": float("nan"),
            "status": value.isna().map({True: "..", False: ""}),
            "flag": "",
            "source": source_label(snap.meta),
            "example": False,
        }
    )
    return tidy[COLUMNS]
