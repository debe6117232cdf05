"""The pandera model of the tidy table (:mod:`analysis.data.contract`), in a module of its own so that pandera is
imported only where a table is validated, not by every process that needs the contract's constants."""

from __future__ import annotations

import numpy as np
import pandera.pandas as pa
from pandera.typing import Series

from analysis.data.contract import GROUPS, SEXES, STATUS_SYMBOLS, YEAR_MAX, YEAR_MIN


class TidySchema(pa.DataFrameModel):
    """Columns and rules of the tidy table (see README, "Tidy data contract").

    Checks across columns (value vs status, counts vs share, duplicate keys) are vectorised in
    :func:`_row_problems` instead of pandera dataframe checks, which list every column of every failing row
    (millions of failure cases for a large broken file)."""

    indicator: Series[str] = pa.Field(str_matches=r"^[a-z][a-z0-9_]*$")
    geo_code: Series[str] = pa.Field(str_matches=r"^[0-9]{4}$")
    year: Series[int] = pa.Field(ge=YEAR_MIN, le=YEAR_MAX)
    sex: Series[str] = pa.Field(isin=list(SEXES))
    group: Series[str] = pa.Field(isin=list(GROUPS))
    age_band: Series[str] = pa.Field(str_length={"min_value": 1})
    value: Series[float] = pa.Field(nullable=True, ge=0)
    numerator: Series[float] = pa.Field(nullable=True, ge=0)
    denominator: Series[float] = pa.Field(nullable=True, ge=0)
    margin: Series[float] = pa.Field(nullable=True, ge=0)
    status: Series[str] = pa.Field(isin=["", *STATUS_SYMBOLS])
    #: the source's own status mark next to a value (Kolada ``status``, SCB's status), kept as given
    flag: Series[str] = pa.Field(str_length={"max_value": 40})
    source: Series[str] = pa.Field(str_length={"min_value": 1})
    example: Series[bool]

    class Config:
        coerce = True
        strict = True
        ordered = False

    @pa.check("numerator", "denominator", error="är ett antal och måste vara ett heltal")
    def whole_counts(cls, s: Series[float]) -> Series[bool]:
        return s.isna() | (s == np.round(s))
