"""The tidy data contract: one long table that every stage reads and writes.

One row = one value of one indicator for one area, year, sex, group and age band.
Validated with a pandera model (lazy: every problem is collected) plus checks against the catalogue
and the geography. Problems are reported with file, line and column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from pandera.typing import Series

from .catalogue import Catalogue
from .errors import AnalysisError, DataValidationError
from .geography import Geography

#: Official symbols for cells without a value. Never shown as 0.
STATUS_SYMBOLS = {
    "..": "uppgift saknas, är för osäker eller skyddas av sekretess",
    ".": "uppgift kan inte förekomma",
    "–": "bortfall (uppgift har inte rapporterats)",
}
SEXES = {"T": "totalt", "K": "kvinnor", "M": "män"}
GROUPS = ("utrikes", "inrikes", "total")
KEY = ["indicator", "geo_code", "year", "sex", "group", "age_band"]
COLUMNS = KEY + ["value", "numerator", "denominator", "margin", "status", "source", "example"]
NUMERIC = ["value", "numerator", "denominator", "margin"]
TRUE_WORDS = {"true", "1", "ja", "yes", "sant"}
FALSE_WORDS = {"false", "0", "nej", "no", "falskt", ""}


class TidySchema(pa.DataFrameModel):
    """Columns and rules of the tidy table (see README, "Tidy data contract")."""

    indicator: Series[str] = pa.Field(str_matches=r"^[a-z][a-z0-9_]*$")
    geo_code: Series[str] = pa.Field(str_matches=r"^[0-9]{4}$")
    year: Series[int] = pa.Field(ge=1990, le=2100)
    sex: Series[str] = pa.Field(isin=list(SEXES))
    group: Series[str] = pa.Field(isin=list(GROUPS))
    age_band: Series[str] = pa.Field(str_length={"min_value": 1})
    value: Series[float] = pa.Field(nullable=True)
    numerator: Series[float] = pa.Field(nullable=True, ge=0)
    denominator: Series[float] = pa.Field(nullable=True, ge=0)
    margin: Series[float] = pa.Field(nullable=True, ge=0)
    status: Series[str] = pa.Field(isin=["", *STATUS_SYMBOLS])
    source: Series[str] = pa.Field(str_length={"min_value": 1})
    example: Series[bool]

    class Config:
        coerce = True
        strict = True
        ordered = False
        unique = KEY

    @pa.dataframe_check(error="a value must be given exactly when status is empty (missing values carry a symbol)")
    def value_matches_status(cls, df: pd.DataFrame) -> Series[bool]:
        return df["value"].isna() == (df["status"] != "")

    @pa.dataframe_check(error="numerator is larger than denominator")
    def numerator_within_denominator(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(df["numerator"] > df["denominator"])


def empty_tidy() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in COLUMNS})


def _dtype(col: str) -> str:
    if col in NUMERIC:
        return "float64"
    if col == "year":
        return "int64"
    if col == "example":
        return "bool"
    return "str"


def _line(index: object) -> str:
    """Line in the file for a 0-based data row (header is line 1)."""
    try:
        return f"line {int(index) + 2}"
    except (TypeError, ValueError):
        return "(whole table)"


def _prepare(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Strings as read from a file -> typed columns; unparseable booleans are reported, not guessed."""
    problems = []
    df = raw.copy()
    missing = [c for c in COLUMNS if c not in df.columns and c not in ("numerator", "denominator", "margin")]
    for c in missing:
        problems.append(f"column {c}: required column is missing")
    for c in ("numerator", "denominator", "margin"):
        if c not in df.columns:
            df[c] = ""
    for c in NUMERIC:
        if c in df.columns:
            df[c] = df[c].astype("str").str.strip().replace({"": None, "nan": None, "NaN": None})
    if "status" in df.columns:
        df["status"] = df["status"].fillna("").astype("str").str.strip().replace({"-": "–", "nan": ""})
    if "example" in df.columns:
        words = df["example"].astype("str").str.strip().str.lower()
        bad = ~words.isin(TRUE_WORDS | FALSE_WORDS)
        for idx, val in df.loc[bad, "example"].items():
            problems.append(f"{_line(idx)}, column example: {val!r} is not true/false")
        df["example"] = words.isin(TRUE_WORDS)
    for c in ("geo_code", "indicator", "sex", "group", "age_band", "source"):
        if c in df.columns:
            df[c] = df[c].astype("str").str.strip()
    return df, problems


ROW_CHECKS = (
    "a value must be given exactly when status is empty (missing values carry a symbol)",
    "numerator is larger than denominator",
)


def _schema_problems(err: SchemaErrors) -> list[tuple[int, str]]:
    """(sort key, message) per problem: one message per cell, or per row for row-level checks."""
    fc = err.failure_cases
    uncoercible = {
        (r.index, r.column) for r in fc.itertuples(index=False) if str(r.check).startswith("coerce_dtype")
    }
    uncoercible_columns = {c for _, c in uncoercible}
    out: dict[str, int] = {}
    for row in fc.itertuples(index=False):
        col = row.column if isinstance(row.column, str) and row.column != "TidySchema" else None
        check = str(row.check)
        has_row = pd.notna(row.index)
        where = _line(row.index) if has_row else "(whole table)"
        order = int(row.index) if has_row else -1
        if check.startswith("column_in_dataframe"):
            msg = f"column {row.failure_case}: required column is missing"
        elif check.startswith("column_in_schema"):
            msg = f"column {row.failure_case}: not part of the contract (allowed: {', '.join(COLUMNS)})"
        elif check.startswith("coerce_dtype"):
            msg = f"{where}, column {col}: {row.failure_case!r} cannot be read as {check.split('(')[-1].rstrip(')')}"
        elif check in ROW_CHECKS:
            msg = f"{where}: {check}"
        elif (row.index, col) in uncoercible or (not has_row and col in uncoercible_columns):
            continue  # already reported as unreadable; later checks on the column only repeat it
        elif col:
            msg = f"{where}, column {col}: {row.failure_case!r} fails {check}"
        else:
            msg = f"{where}: {check}"
        out.setdefault(msg, order)
    return [(order, msg) for msg, order in out.items()]


def _reference_problems(df: pd.DataFrame, catalogue: Catalogue, geography: Geography) -> list[tuple[int, str]]:
    """Checks against the catalogue and geography (on the text columns, so they run even when types fail)."""
    problems: list[tuple[int, str]] = []
    known = {i.id: i for i in catalogue}
    for idx, r in df.iterrows():
        def add(msg: str) -> None:
            problems.append((int(idx), f"{_line(idx)}, {msg}"))

        if r["geo_code"] not in geography and len(r["geo_code"]) == 4 and r["geo_code"].isdigit():
            add(f"column geo_code: {r['geo_code']!r} is not a known area code")
        ind = known.get(r["indicator"])
        if ind is None:
            add(f"column indicator: {r['indicator']!r} is not in the catalogue")
            continue
        if r["group"] in GROUPS and r["group"] not in ind.groups:
            add(f"column group: {r['group']!r} is not a group of {ind.id} ({', '.join(ind.groups)})")
        if r["age_band"] != ind.age_band:
            add(f"column age_band: {r['age_band']!r} differs from {ind.id}'s {ind.age_band!r}")
        if r["sex"] in ("K", "M") and not ind.sex_split:
            add(f"column sex: {ind.id} has no split by sex (only T)")
    return problems


def validate_tidy(
    raw: pd.DataFrame, catalogue: Catalogue, geography: Geography, source: str = "data"
) -> pd.DataFrame:
    """The typed, validated tidy table, or DataValidationError listing every problem."""
    df, early = _prepare(raw.reset_index(drop=True))
    problems = [(-2, p) for p in early if "required column" in p] + [
        (int(p.split(",")[0].split()[-1]) - 2, p) for p in early if p.startswith("line ")
    ]
    if not any("required column is missing" in p for _, p in problems):
        problems += _reference_problems(df, catalogue, geography)
        try:
            df = TidySchema.validate(df, lazy=True)
        except SchemaErrors as err:
            problems += _schema_problems(err)
    if problems:
        raise DataValidationError(source, [p for _, p in sorted(problems, key=lambda x: x[0])])
    df = df[COLUMNS].copy()
    df["year"] = df["year"].astype("int64")
    return df


def read_table(path: Path) -> pd.DataFrame:
    """A CSV or XLSX file with every cell as text, so that codes keep their leading zeros."""
    path = Path(path)
    if not path.is_file():
        raise AnalysisError(f"Filen finns inte: {path}")
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, keep_default_na=False)
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise AnalysisError(f"{path}: cannot be read as a table: {exc}") from exc


def load_tidy(path: Path, catalogue: Catalogue, geography: Geography) -> pd.DataFrame:
    return validate_tidy(read_table(path), catalogue, geography, source=str(path))


def write_tidy(df: pd.DataFrame, path: Path) -> None:
    """Write deterministically (sorted, fixed float format) so rebuilds are byte-identical."""
    out = df[COLUMNS].sort_values(KEY).reset_index(drop=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    out.to_csv(tmp, index=False, float_format="%.10g", lineterminator="\n")
    tmp.replace(path)
