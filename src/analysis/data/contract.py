"""The tidy data contract: one long table that every stage reads and writes.

One row = one value of one indicator for one area, year, sex, group and age band.
Validated with a pandera model (column types and ranges) plus vectorised checks across columns and against
the catalogue and the geography. Every problem is reported with file, line and column; at most
``max_per_kind`` problems of one kind are listed, followed by a count of the rest, so a huge broken file gives
a short answer quickly.

Impossible values are rejected: non-finite numbers (``inf``, ``1e309``, the text ``nan``), negative values,
counts or margins, shares above 100 %, a share that disagrees with its own numerator/denominator by more than
rounding to whole percent, counts that are not whole numbers, and files without data rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from pandera.typing import Series

from analysis.domain.catalogue import Catalogue
from analysis.errors import AnalysisError, DataValidationError
from analysis.domain.geography import Geography

#: Official symbols for cells without a value. Never shown as 0.
STATUS_SYMBOLS = {
    "..": "uppgift saknas, är för osäker eller skyddas av sekretess",
    ".": "uppgift kan inte förekomma",
    "–": "bortfall (uppgift har inte rapporterats)",
}
SEXES = {"T": "totalt", "K": "kvinnor", "M": "män"}
GROUPS = ("utrikes", "inrikes", "total", "utrikes_norden", "utrikes_europa", "utrikes_varlden")
KEY = ["indicator", "geo_code", "year", "sex", "group", "age_band"]
COLUMNS = KEY + ["value", "numerator", "denominator", "margin", "status", "flag", "source", "example"]
#: Optional columns a file may leave out (filled empty).
OPTIONAL = ("numerator", "denominator", "margin", "flag")
NUMERIC = ["value", "numerator", "denominator", "margin"]
COUNTS = ["numerator", "denominator"]
TRUE_WORDS = {"true", "1", "ja", "yes", "sant"}
FALSE_WORDS = {"false", "0", "nej", "no", "falskt", ""}
#: Texts that parse as "not a number": never a way to say "missing" (that is an empty cell plus a status).
NAN_WORDS = {"nan", "+nan", "-nan"}
#: A share may differ from 100·numerator/denominator by rounding to whole percent, no more.
SHARE_TOLERANCE = 0.5 + 1e-9
#: Problems listed per kind before "… and N more".
MAX_PER_KIND = 20
#: Files the contract reads.
DATA_SUFFIXES = (".csv", ".xlsx", ".xlsm")


class TidySchema(pa.DataFrameModel):
    """Columns and rules of the tidy table (see README, "Tidy data contract").

    Checks across columns (value vs status, counts vs share, duplicate keys) are vectorised in
    :func:`_row_problems` instead of pandera dataframe checks, which list every column of every failing row
    (millions of failure cases for a large broken file)."""

    indicator: Series[str] = pa.Field(str_matches=r"^[a-z][a-z0-9_]*$")
    geo_code: Series[str] = pa.Field(str_matches=r"^[0-9]{4}$")
    year: Series[int] = pa.Field(ge=1990, le=2100)
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

    @pa.check("numerator", "denominator", error="is a count and must be a whole number")
    def whole_counts(cls, s: Series[float]) -> Series[bool]:
        return s.isna() | (s == np.round(s))


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


class Problems:
    """Problems as (row, message), at most ``limit`` per kind plus one line counting the rest."""

    def __init__(self, limit: int = MAX_PER_KIND):
        self.limit = max(1, int(limit))
        self.items: list[tuple[int, int, str]] = []
        self.more: dict[str, int] = {}
        self._n = 0

    def _push(self, order: int, msg: str) -> None:
        self.items.append((order, self._n, msg))
        self._n += 1

    def whole(self, msg: str) -> None:
        self._push(-1, msg)

    def rows(self, kind: str, mask: pd.Series, message: Callable[[object], str]) -> None:
        """One problem per row where ``mask`` is true: ``message(index)`` for the first ``limit`` rows."""
        idx = mask.index[np.asarray(mask.fillna(False), dtype=bool)] if len(mask) else mask.index
        self.index(kind, idx, message)

    def index(self, kind: str, idx, message: Callable[[object], str]) -> None:
        if len(idx) == 0:
            return
        idx = pd.Index(idx).sort_values()
        for i in idx[: self.limit]:
            msg = message(i)
            self._push(int(i), f"{_line(i)}{', ' if msg.startswith('column ') else ': '}{msg}")
        if len(idx) > self.limit:
            self.more[kind] = self.more.get(kind, 0) + len(idx) - self.limit

    def __bool__(self) -> bool:
        return bool(self.items)

    def listing(self) -> list[str]:
        out = [m for _, _, m in sorted(self.items)]
        out += [f"… and {n} more row(s) of this kind not listed: {kind}" for kind, n in self.more.items()]
        return out


def _distinct_map(s: pd.Series, fn: Callable[[object], object]) -> pd.Series:
    """``fn`` applied once per distinct value (a tidy column has few: codes, years, symbols), not per row;
    a missing cell is passed as None. Returns an object Series sharing the few result objects."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [fn(u) for u in uniques]
    results[-1] = fn(None)
    return pd.Series(results[codes], index=s.index, dtype=object)


def _strip(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _text(s: pd.Series) -> pd.Series:
    """Cells as stripped text; missing cells are ''."""
    return _distinct_map(s, _strip)


def _is_blank(s: pd.Series) -> pd.Series:
    return _text(s) == ""


def _numbers(df: pd.DataFrame, col: str, problems: Problems, bad: pd.Series, whole: bool = False) -> None:
    """Parse a numeric column in place; unreadable and non-finite cells are reported and marked in ``bad``."""
    s = df[col]
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        num = s.astype("float64")
        nan_text = pd.Series(False, index=s.index)
        unreadable = pd.Series(False, index=s.index)
        text = _Formatted(num)
    else:
        text = _text(s)
        blank = text == ""
        codes, uniques = pd.factorize(text)
        parsed = pd.to_numeric(pd.Series(uniques, dtype=object).where(pd.Series(uniques) != ""),
                               errors="coerce").to_numpy(dtype="float64")
        num = pd.Series(parsed[codes], index=s.index)
        nan_text = ~blank & text.isin(_nan_words(uniques))
        unreadable = ~blank & num.isna() & ~nan_text
    infinite = np.isinf(num)
    target = "'int64'" if whole else "'float64'"
    problems.rows(f"column {col}: cannot be read as a number", unreadable,
                  lambda i: f"column {col}: {text[i]!r} cannot be read as {target}")
    problems.rows(f"column {col}: not a finite number", nan_text | infinite,
                  lambda i: f"column {col}: {text[i]!r} is not a finite number")
    bad |= unreadable | nan_text | infinite
    df[col] = num.where(~(unreadable | nan_text | infinite))


class _Formatted:
    """Numbers shown in a message, formatted only for the rows that are listed."""

    def __init__(self, num: pd.Series):
        self.num = num

    def __getitem__(self, i) -> str:
        return f"{self.num[i]:g}"


def _nan_words(values) -> list[str]:
    return [v for v in values if isinstance(v, str) and v.lower() in NAN_WORDS]


def _prepare(raw: pd.DataFrame, problems: Problems) -> tuple[pd.DataFrame, pd.Series] | None:
    """Text as read from a file -> typed columns. Returns the frame and a mask of rows with unreadable
    cells (checks across columns skip those; the cell is already reported), or None when columns are missing."""
    df = raw.copy()
    missing = [c for c in COLUMNS if c not in df.columns and c not in OPTIONAL]
    for c in missing:
        problems.whole(f"column {c}: required column is missing")
    if missing:
        return None
    bad = pd.Series(False, index=df.index)
    for c in ("numerator", "denominator", "margin"):
        if c not in df.columns:
            df[c] = np.nan
    if "flag" in df.columns:
        df["flag"] = _distinct_map(df["flag"], lambda v: "" if _strip(v) == "nan" else _strip(v))
    else:
        df["flag"] = ""
    if df["example"].dtype != bool:
        words = _distinct_map(df["example"], lambda v: _strip(v).lower())
        bad_word = ~words.isin(TRUE_WORDS | FALSE_WORDS)
        problems.rows("column example: not true/false", bad_word,
                      lambda i: f"column example: {raw['example'][i]!r} is not true/false")
        df["example"] = words.isin(TRUE_WORDS)
    # year: a whole number; unreadable years get a placeholder so that the schema does not repeat them
    year_text = df["year"]
    _numbers(df, "year", problems, bad, whole=True)
    not_whole = df["year"].notna() & (df["year"] != np.round(df["year"]))
    problems.rows("column year: not a whole number", not_whole,
                  lambda i: f"column year: {year_text[i]!r} cannot be read as 'int64'")
    year_bad = df["year"].isna() | not_whole
    problems.rows("column year: missing", year_bad & _is_blank(year_text),
                  lambda i: "column year: missing")
    bad |= year_bad
    df["year"] = df["year"].where(~year_bad, 2000).astype("int64")
    for c in NUMERIC:
        _numbers(df, c, problems, bad)
    for c in ("geo_code", "indicator", "sex", "group", "age_band", "source"):
        df[c] = _text(df[c])
    df["status"] = _distinct_map(df["status"], lambda v: {"-": "–", "nan": ""}.get(_strip(v), _strip(v)))
    return df, bad


def _reference_problems(df: pd.DataFrame, catalogue: Catalogue, geography: Geography, problems: Problems) -> None:
    """Checks against the catalogue and geography, vectorised (they run even when other types fail)."""
    known = {i.id: i for i in catalogue}
    code = df["geo_code"]
    four_digits = _distinct_map(code, lambda v: bool(re.fullmatch(r"[0-9]{4}", str(v)))).astype(bool)
    unknown_code = four_digits & ~code.isin([a.code for a in geography])
    problems.rows("column geo_code: not a known area code", unknown_code,
                  lambda i: f"column geo_code: {code[i]!r} is not a known area code")
    ind = df["indicator"]
    in_cat = ind.isin(known)
    problems.rows("column indicator: not in the catalogue", ~in_cat,
                  lambda i: f"column indicator: {ind[i]!r} is not in the catalogue")
    pairs = [(i.id, g) for i in catalogue for g in i.groups]
    grp = df["group"]
    bad_group = in_cat & grp.isin(GROUPS) & ~pd.MultiIndex.from_arrays([ind, grp]).isin(pairs)
    problems.rows("column group: not a group of the indicator", bad_group,
                  lambda i: f"column group: {grp[i]!r} is not a group of {ind[i]} "
                            f"({', '.join(known[ind[i]].groups)})")
    age = df["age_band"]
    wanted_age = ind.map({i.id: i.age_band for i in catalogue})
    bad_age = in_cat & (age != wanted_age)
    problems.rows("column age_band: differs from the catalogue", bad_age,
                  lambda i: f"column age_band: {age[i]!r} differs from {ind[i]}'s {wanted_age[i]!r}")
    split = ind.map({i.id: i.sex_split for i in catalogue}).fillna(True).astype(bool)
    bad_sex = in_cat & df["sex"].isin(["K", "M"]) & ~split
    problems.rows("column sex: indicator has no split by sex", bad_sex,
                  lambda i: f"column sex: {ind[i]} has no split by sex (only T)")


def _row_problems(df: pd.DataFrame, bad: pd.Series, catalogue: Catalogue, problems: Problems) -> None:
    """Checks across the columns of a row and across rows (duplicate keys); typed columns expected."""
    ok = ~bad
    value, num, den = df["value"], df["numerator"], df["denominator"]
    status = df["status"]
    problems.rows("value given exactly when status is empty", ok & (value.isna() != (status != "")),
                  lambda i: "a value must be given exactly when status is empty (missing values carry a symbol)")
    problems.rows("numerator larger than denominator", ok & (num > den),
                  lambda i: "numerator is larger than denominator")
    share = df["indicator"].map({i.id: i.unit == "procent" for i in catalogue}).fillna(False).astype(bool)
    problems.rows("column value: share above 100", ok & share & (value > 100),
                  lambda i: f"column value: {value[i]:g} is a share and cannot be above 100")
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = 100.0 * num / den
    off = ok & share & value.notna() & (den > 0) & ~(num > den) & ((value - implied).abs() > SHARE_TOLERANCE)
    problems.rows("column value: disagrees with numerator/denominator", off,
                  lambda i: f"column value: {value[i]:g} disagrees with numerator/denominator "
                            f"({num[i]:g} of {den[i]:g} = {implied[i]:.2f} %)")
    problems.rows("column denominator: zero with a share", ok & share & value.notna() & (den == 0),
                  lambda i: "column denominator: 0 persons cannot give a share")
    keyed = df.loc[ok, KEY]
    dup = keyed.duplicated(keep="first")
    if dup.any():
        first = keyed.groupby(KEY, sort=False, dropna=False).ngroup()
        first_line = pd.Series(keyed.index, index=keyed.index).groupby(first.to_numpy()).transform("min")
        problems.index("duplicate key", keyed.index[dup.to_numpy()],
                       lambda i: f"duplicate row: same {', '.join(KEY)} as {_line(first_line[i])}")


def _schema_problems(err: SchemaErrors, problems: Problems) -> None:
    fc = err.failure_cases
    fc = fc.assign(check=fc["check"].astype("str"), column=fc["column"].astype("str"))
    for (col, check), rows in fc.groupby(["column", "check"], sort=False):
        if check.startswith("column_in_schema"):
            for case in rows["failure_case"]:
                problems.whole(f"column {case}: not part of the contract (allowed: {', '.join(COLUMNS)})")
            continue
        if check.startswith("column_in_dataframe"):
            for case in rows["failure_case"]:
                problems.whole(f"column {case}: required column is missing")
            continue
        has_row = rows["index"].notna()
        for case in rows.loc[~has_row, "failure_case"]:
            problems.whole(f"column {col}: {case!r} fails {check}")
        rows = rows[has_row]
        if rows.empty:
            continue
        if check.startswith("coerce_dtype"):
            verb = "cannot be read as " + check.split("(")[-1].rstrip(")")
        elif check == "greater_than_or_equal_to(0)":
            verb = "is negative (must be 0 or more)"
        else:
            verb = check if check.startswith("is ") else f"fails {check}"
        cases = dict(zip(rows["index"].astype("int64"), rows["failure_case"]))
        problems.index(f"column {col}: {verb}", list(cases),
                       lambda i, col=col, verb=verb: f"column {col}: {cases[i]!r} {verb}")


def validate_tidy(
    raw: pd.DataFrame, catalogue: Catalogue, geography: Geography, source: str = "data",
    max_per_kind: int = MAX_PER_KIND,
) -> pd.DataFrame:
    """The typed, validated tidy table, or DataValidationError listing every problem (at most
    ``max_per_kind`` of each kind, then a count)."""
    problems = Problems(max_per_kind)
    for p in raw.attrs.get("problems", []):  # from reading the file (e.g. merged XLSX cells)
        problems.items.append((int(p[0]), -1, p[1]))
    raw = raw.reset_index(drop=True)
    if raw.empty and not problems:
        problems.whole("the file has no data rows (only a header, or nothing)")
    prepared = _prepare(raw, problems) if len(raw.columns) or not raw.empty else None
    if prepared is not None and len(raw):
        df, bad = prepared
        _reference_problems(df, catalogue, geography, problems)
        try:
            df = TidySchema.validate(df, lazy=True)
        except SchemaErrors as err:
            _schema_problems(err, problems)
            # mark rows whose cells failed so row checks do not pile up repeats; values may be untyped
            bad = bad.copy()
            fc = err.failure_cases
            idx = fc.loc[fc["column"].isin(NUMERIC), "index"].dropna()
            bad.loc[bad.index.isin(idx.astype("int64"))] = True
            for c in NUMERIC:
                df[c] = pd.to_numeric(df[c], errors="coerce")
        _row_problems(df, bad, catalogue, problems)
    if problems:
        raise DataValidationError(source, problems.listing())
    df = df[COLUMNS].copy()
    df["year"] = df["year"].astype("int64")
    return df


# --------------------------------------------------------------------------- reading files


def _not_data(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".source.yml"):
        return (f"{path}: är en härkomstfil (.source.yml) som hör till en råfil, ingen datafil; "
                "ange CSV- eller XLSX-filen")
    if path.suffix.lower() not in DATA_SUFFIXES:
        return f"{path}: är ingen datafil; ange en CSV- eller XLSX-fil (.csv, .xlsx) enligt datakontraktet"
    return None


def check_path(path: Path) -> Path:
    """A readable data file, or a one-line Swedish error (missing, a folder, no access, wrong kind)."""
    path = Path(path)
    try:
        if not path.exists():
            raise AnalysisError(f"Filen finns inte: {path}")
        if path.is_dir():
            raise AnalysisError(f"{path}: är en mapp, inte en datafil")
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise AnalysisError(f"{path}: kan inte läsas ({exc.strerror or exc})") from None
    if msg := _not_data(path):
        raise AnalysisError(msg)
    return path


def read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """A CSV or XLSX file with every cell as text, so that codes keep their leading zeros.

    XLSX files are read as a person sees them (see :func:`read_xlsx`). Problems found while reading
    (merged cells, formulas without a saved value) travel in ``df.attrs["problems"]`` to the contract."""
    path = check_path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return read_xlsx(path, sheet)
        if sheet:
            raise AnalysisError(f"--sheet {sheet!r}: gäller bara XLSX-filer, inte {path.name}")
        df = _read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except UnicodeDecodeError:
        raise AnalysisError(f"{path}: är inte en textfil i UTF-8 (spara CSV-filen som UTF-8)") from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise AnalysisError(f"{path}: kan inte läsas som en tabell: {str(exc).strip().splitlines()[0]}") from None
    except PermissionError:
        raise AnalysisError(f"{path}: saknar behörighet att läsa filen") from None
    except OSError as exc:
        raise AnalysisError(f"{path}: kan inte läsas ({exc.strerror or exc})") from None
    # blank lines are kept (line numbers stay right) except at the end
    if len(df):
        filled = pd.concat([_text(df[c]) != "" for c in df.columns], axis=1).any(axis=1)
        if not filled.iloc[-1]:
            last = filled[filled].index.max() if filled.any() else -1
            df = df.loc[:last]
    return df


def _read_csv(path: Path, chunk: int = 200_000) -> pd.DataFrame:
    """Every cell as text, read in chunks that become categories: a tidy column holds few distinct texts, so
    1 000 000 rows stay well under a gigabyte (plain text columns would need one object per cell)."""
    from pandas.api.types import union_categoricals

    reader = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=False,
                         chunksize=chunk)
    parts = [part.astype("category") for part in reader]
    if not parts:
        return pd.DataFrame()
    if len(parts) == 1:
        return parts[0]
    return pd.DataFrame({c: union_categoricals([p[c] for p in parts]) for c in parts[0].columns})


def _cell_text(cell, value) -> str:
    """A cell's value as the text a person sees: percent-formatted numbers as percentages."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if "%" in str(getattr(cell, "number_format", "") or ""):
            value = round(float(value) * 100, 10)
        if isinstance(value, float):
            if value.is_integer() and abs(value) < 1e15:
                return str(int(value))
            return f"{value:.15g}"
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _plausible(ws) -> bool:
    header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    names = {str(v).strip() for v in header if v is not None}
    return {"indicator", "geo_code"} <= names


def read_xlsx(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """The sheet a person would read: ``sheet`` if given, else the one visible sheet with the contract's
    columns (several → an error listing them). Percent-formatted cells become percentages (61,25 %, not
    0,6125); merged cells and formulas without a saved value are reported with line and column."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
        wb_formulas = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # noqa: BLE001 - a damaged workbook fails in zipfile, XML parsers or openpyxl itself
        if isinstance(exc, PermissionError):
            raise AnalysisError(f"{path}: saknar behörighet att läsa filen") from None
        raise AnalysisError(f"{path}: är ingen Excelarbetsbok (XLSX) som går att läsa "
                            f"({type(exc).__name__}); spara om den i Excel som .xlsx eller använd CSV") from None
    names = wb.sheetnames
    if sheet is not None:
        if sheet not in names:
            raise AnalysisError(f"{path}: fliken {sheet!r} finns inte; flikar: {', '.join(names)}")
        ws = wb[sheet]
    else:
        visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
        plausible = [ws for ws in visible if _plausible(ws)]
        if len(plausible) > 1:
            raise AnalysisError(f"{path}: flera flikar ser ut som data ({', '.join(ws.title for ws in plausible)}); "
                                "välj en med --sheet NAMN")
        hidden = [w.title for w in wb.worksheets if w.sheet_state != "visible" and _plausible(w)]
        if plausible:
            ws = plausible[0]
        elif hidden:
            raise AnalysisError(f"{path}: uppgifterna ligger på en dold flik ({', '.join(hidden)}); visa fliken i "
                                "Excel eller välj den med --sheet NAMN")
        elif len(visible) == 1:
            ws = visible[0]
        else:
            raise AnalysisError(f"{path}: ingen synlig flik har datakontraktets kolumner (indicator, geo_code …); "
                                f"flikar: {', '.join(names) or 'inga'}; välj en med --sheet NAMN")
    wf = wb_formulas[ws.title]
    rows = list(ws.iter_rows())
    if not rows:
        return pd.DataFrame()
    header = [_cell_text(c, c.value).strip() for c in rows[0]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    problems: list[tuple[int, str]] = []
    for rng in ws.merged_cells.ranges:
        if rng.min_row == 1:
            where = "header"
        else:
            where = f"line {rng.min_row}" + (f"–{rng.max_row}" if rng.max_row > rng.min_row else "")
        cols = get_column_letter(rng.min_col) + (f"–{get_column_letter(rng.max_col)}" if rng.max_col > rng.min_col else "")
        problems.append((rng.min_row - 2, f"{where}, column {cols}: merged cells ({rng.coord}); "
                                          "every cell must hold its own value"))
    records = []
    for r, row in enumerate(rows[1:], start=2):
        texts = []
        for c, cell in enumerate(row[:width]):
            value = cell.value
            formula = wf.cell(row=r, column=c + 1).value
            if value is None and isinstance(formula, str) and formula.startswith("="):
                problems.append((r - 2, f"line {r}, column {header[c] or get_column_letter(c + 1)}: formula "
                                        f"{formula[:40]!r} has no saved value (open and save the file in Excel, "
                                        "or type the value)"))
            texts.append(_cell_text(cell, value))
        texts += [""] * (width - len(texts))
        records.append(texts)
    while records and not any(t.strip() for t in records[-1]):
        records.pop()
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise AnalysisError(f"{path}: flik {ws.title!r} har samma kolumnrubrik flera gånger: {', '.join(dup)}")
    df = pd.DataFrame(records, columns=header, dtype="str") if records else pd.DataFrame(columns=header)
    df.attrs["problems"] = problems
    df.attrs["sheet"] = ws.title
    return df


def load_tidy(path: Path, catalogue: Catalogue, geography: Geography, sheet: str | None = None,
              max_per_kind: int = MAX_PER_KIND) -> pd.DataFrame:
    return validate_tidy(read_table(path, sheet), catalogue, geography, source=str(path), max_per_kind=max_per_kind)


def write_tidy(df: pd.DataFrame, path: Path) -> None:
    """Write deterministically (sorted, fixed float format) so rebuilds are byte-identical."""
    out = df[COLUMNS].sort_values(KEY).reset_index(drop=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        out.to_csv(tmp, index=False, float_format="%.10g", lineterminator="\n")
        tmp.replace(path)
    except IsADirectoryError:
        raise AnalysisError(f"{path}: är en mapp; ange en fil, t.ex. {Path(path) / 'integration.csv'}") from None
    except PermissionError:
        raise AnalysisError(f"{path}: saknar behörighet att skriva") from None
    except OSError as exc:
        raise AnalysisError(f"{path}: kan inte skrivas ({exc.strerror or exc})") from None
