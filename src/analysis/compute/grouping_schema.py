"""The pandera model of the SKR grouping file (:func:`analysis.compute.groups.validate_grouping`), in a module of
its own so that pandera is imported only where the file is validated."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series


class GroupingSchema(pa.DataFrameModel):
    """One row per kommun: its code, name, main group and group (columns renamed by the spec)."""

    code: Series[str] = pa.Field(str_matches=r"^[0-9]{4}$", unique=True)
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    main_group: Series[str] = pa.Field(str_length={"min_value": 1})
    group: Series[str] = pa.Field(str_matches=r"^[A-Z][0-9]$")
    group_name: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        coerce = True
