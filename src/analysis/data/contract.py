"""The tidy data contract: one long table that every stage reads and writes.

One row = one value of one indicator for one area, year, sex, group and age band.
Validated with a pandera model (column types and ranges) plus vectorised checks across columns and against
the catalogue and the geography. Every problem is reported with file, line and column; at most
``max_per_kind`` problems of one kind are listed, followed by a count of the rest, so a huge broken file gives
a short answer quickly.

Impossible values are rejected: non-finite numbers (``inf``, ``1e309``, the text ``nan``), negative values,
counts or margins, shares (and margins of shares) above 100, control characters such as a NUL byte in a text
column, a share that disagrees with its own numerator/denominator by more than
rounding to whole percent, counts that are not whole numbers, and files without data rows.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.domain.catalogue import Catalogue
from analysis.errors import AnalysisError, DataValidationError, os_error_reason
from analysis.data.limits import check_regular, check_rows, check_xlsx, limits
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


#: The years a row can have.
YEAR_MIN, YEAR_MAX = 1990, 2100


def _check_words(check: str) -> str:
    """A pandera check as the Swedish words of a problem line ("is negative" …)."""
    arg = check.split("(", 1)[-1].rstrip(")") if "(" in check else ""
    if check.startswith("coerce_dtype"):
        return "kan inte läsas som " + {"'int64'": "ett heltal", "'float64'": "ett tal", "'bool'": "true/false"}.get(
            arg, "rätt typ")
    if check == "greater_than_or_equal_to(0)":
        return "är negativt (ska vara 0 eller mer)"
    if check.startswith("greater_than_or_equal_to"):
        return f"är mindre än {arg}"
    if check.startswith("less_than_or_equal_to"):
        return f"är större än {arg}"
    if check.startswith("str_matches"):
        return {"^[0-9]{4}$": "är ingen kod med fyra siffror (t.ex. 0880)",
                "^[a-z][a-z0-9_]*$": "är inget indikator-id (små bokstäver a–z, siffror och _)"}.get(
            arg.strip("'"), f"har fel form ({arg})")
    if check.startswith("isin"):
        return f"är inget av de tillåtna värdena {arg}"
    if check.startswith("str_length"):
        return "har fel längd (tom eller för lång)"
    if check.startswith("not_nullable"):
        return "saknas"
    return check if " " in check else f"klarar inte kontrollen {check}"


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
        return f"rad {int(index) + 2}"
    except (TypeError, ValueError):
        return "(hela tabellen)"


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
            self._push(int(i), f"{_line(i)}{', ' if msg.startswith('kolumn ') else ': '}{msg}")
        if len(idx) > self.limit:
            self.more[kind] = self.more.get(kind, 0) + len(idx) - self.limit

    def __bool__(self) -> bool:
        return bool(self.items)

    def listing(self) -> list[str]:
        out = [m for _, _, m in sorted(self.items)]
        out += [f"… och {n} rader till av samma slag listas inte: {kind}" for kind, n in self.more.items()]
        return out


def _distinct_map(s: pd.Series, fn: Callable[[object], object]) -> pd.Series:
    """``fn`` applied once per distinct value (a tidy column has few: codes, years, symbols), not per row;
    a missing cell is passed as None. Returns an object Series sharing the few result objects."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [fn(u) for u in uniques]
    results[-1] = fn(None)
    return pd.Series(results[codes], index=s.index, dtype=object)


#: Control characters other than tab, line feed and carriage return (a NUL byte, escape, backspace …).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TEXT_COLUMNS = ("indicator", "geo_code", "sex", "group", "age_band", "status", "flag", "source")


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
    target = "ett heltal" if whole else "ett tal"
    problems.rows(f"kolumn {col}: inget tal", unreadable,
                  lambda i: f"kolumn {col}: {text[i]!r} kan inte läsas som {target}")
    problems.rows(f"kolumn {col}: inget ändligt tal", nan_text | infinite,
                  lambda i: f"kolumn {col}: {text[i]!r} är inget ändligt tal")
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
        problems.whole(f"kolumn {c}: obligatorisk kolumn saknas")
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
        problems.rows("kolumn example: inte true/false", bad_word,
                      lambda i: f"kolumn example: {raw['example'][i]!r} är inte true/false")
        df["example"] = words.isin(TRUE_WORDS)
    # year: a whole number; unreadable years get a placeholder so that the schema does not repeat them
    year_text = df["year"]
    _numbers(df, "year", problems, bad, whole=True)
    not_whole = df["year"].notna() & (df["year"] != np.round(df["year"]))
    problems.rows("kolumn year: inget heltal", not_whole,
                  lambda i: f"kolumn year: {year_text[i]!r} kan inte läsas som ett heltal")
    # an impossible year is named as such (a 20-digit year would otherwise overflow to -9223372036854775808)
    impossible = df["year"].notna() & ~not_whole & ~df["year"].between(YEAR_MIN, YEAR_MAX)
    problems.rows("kolumn year: omöjligt år", impossible,
                  lambda i: f"kolumn year: {_strip(year_text[i])[:30]!r} är inget möjligt år "
                            f"(ett årtal {YEAR_MIN}–{YEAR_MAX})")
    year_bad = df["year"].isna() | not_whole | impossible
    problems.rows("kolumn year: saknas", df["year"].isna() & _is_blank(year_text),
                  lambda i: "kolumn year: saknas")
    bad |= year_bad
    df["year"] = df["year"].where(~year_bad, 2000).astype("int64")
    for c in NUMERIC:
        _numbers(df, c, problems, bad)
    for c in ("geo_code", "indicator", "sex", "group", "age_band", "source"):
        df[c] = _text(df[c])
    df["status"] = _distinct_map(df["status"], lambda v: {"-": "–", "nan": ""}.get(_strip(v), _strip(v)))
    for c in TEXT_COLUMNS:  # a NUL or other control character: a damaged or crafted file, never real text
        found = _distinct_map(df[c], lambda v: _CONTROL.search(str(v)))
        problems.rows(f"kolumn {c}: styrtecken", found.notna(),
                      lambda i, c=c, found=found: f"kolumn {c}: innehåller styrtecknet "
                                                  f"U+{ord(found[i].group()):04X} (filen kan vara skadad)")
    return df, bad


def _reference_problems(df: pd.DataFrame, catalogue: Catalogue, geography: Geography, problems: Problems) -> None:
    """Checks against the catalogue and geography, vectorised (they run even when other types fail)."""
    known = {i.id: i for i in catalogue}
    code = df["geo_code"]
    four_digits = _distinct_map(code, lambda v: bool(re.fullmatch(r"[0-9]{4}", str(v)))).astype(bool)
    unknown_code = four_digits & ~code.isin([a.code for a in geography])
    problems.rows("kolumn geo_code: okänd områdeskod", unknown_code,
                  lambda i: f"kolumn geo_code: {code[i]!r} är ingen känd områdeskod (kommun, län eller riket 0000)")
    ind = df["indicator"]
    in_cat = ind.isin(known)
    problems.rows("kolumn indicator: finns inte i katalogen", ~in_cat,
                  lambda i: f"kolumn indicator: {ind[i]!r} finns inte i indikatorkatalogen")
    pairs = [(i.id, g) for i in catalogue for g in i.groups]
    grp = df["group"]
    bad_group = in_cat & grp.isin(GROUPS) & ~pd.MultiIndex.from_arrays([ind, grp]).isin(pairs)
    problems.rows("kolumn group: ingen grupp för indikatorn", bad_group,
                  lambda i: f"kolumn group: {grp[i]!r} är ingen grupp för {ind[i]} "
                            f"({', '.join(known[ind[i]].groups)})")
    age = df["age_band"]
    wanted_age = ind.map({i.id: i.age_band for i in catalogue})
    bad_age = in_cat & (age != wanted_age)
    problems.rows("kolumn age_band: annan än i katalogen", bad_age,
                  lambda i: f"kolumn age_band: {age[i]!r} skiljer sig från katalogens {wanted_age[i]!r} för {ind[i]}")
    split = ind.map({i.id: i.sex_split for i in catalogue}).fillna(True).astype(bool)
    bad_sex = in_cat & df["sex"].isin(["K", "M"]) & ~split
    problems.rows("kolumn sex: indikatorn delas inte upp efter kön", bad_sex,
                  lambda i: f"kolumn sex: {ind[i]} delas inte upp efter kön (bara T)")


def _row_problems(df: pd.DataFrame, bad: pd.Series, catalogue: Catalogue, problems: Problems) -> None:
    """Checks across the columns of a row and across rows (duplicate keys); typed columns expected."""
    ok = ~bad
    value, num, den = df["value"], df["numerator"], df["denominator"]
    status = df["status"]
    problems.rows("värde precis när status är tom", ok & (value.isna() != (status != "")),
                  lambda i: "ett värde ska finnas precis när status är tom (ett värde som saknas har en symbol)")
    problems.rows("täljare större än nämnare", ok & (num > den),
                  lambda i: "täljaren (numerator) är större än nämnaren (denominator)")
    share = df["indicator"].map({i.id: i.unit == "procent" for i in catalogue}).fillna(False).astype(bool)
    problems.rows("kolumn value: andel över 100", ok & share & (value > 100),
                  lambda i: f"kolumn value: {value[i]:g} är en andel och kan inte vara över 100")
    margin = df["margin"]
    problems.rows("kolumn margin: över 100 för en andel", ok & share & (margin > 100),
                  lambda i: f"kolumn margin: {margin[i]:g} är en felmarginal för en andel och kan inte vara "
                            "över 100 procentenheter")
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = 100.0 * num / den
    off = ok & share & value.notna() & (den > 0) & ~(num > den) & ((value - implied).abs() > SHARE_TOLERANCE)
    problems.rows("kolumn value: stämmer inte med täljare/nämnare", off,
                  lambda i: f"kolumn value: {value[i]:g} stämmer inte med täljare/nämnare "
                            f"({num[i]:g} av {den[i]:g} = {implied[i]:.2f} %)")
    problems.rows("kolumn denominator: noll med en andel", ok & share & value.notna() & (den == 0),
                  lambda i: "kolumn denominator: 0 personer kan inte ge en andel")
    keyed = df.loc[ok, KEY]
    dup = keyed.duplicated(keep="first")
    if dup.any():
        first = keyed.groupby(KEY, sort=False, dropna=False).ngroup()
        first_line = pd.Series(keyed.index, index=keyed.index).groupby(first.to_numpy()).transform("min")
        problems.index("dubblerad nyckel", keyed.index[dup.to_numpy()],
                       lambda i: f"dubblerad rad: samma {', '.join(KEY)} som {_line(first_line[i])}")


def _schema_problems(err, problems: Problems) -> None:
    fc = err.failure_cases
    fc = fc.assign(check=fc["check"].astype("str"), column=fc["column"].astype("str"))
    for (col, check), rows in fc.groupby(["column", "check"], sort=False):
        if check.startswith("column_in_schema"):
            for case in rows["failure_case"]:
                problems.whole(f"kolumn {case}: ingår inte i datakontraktet (tillåtna: {', '.join(COLUMNS)})")
            continue
        if check.startswith("column_in_dataframe"):
            for case in rows["failure_case"]:
                problems.whole(f"kolumn {case}: obligatorisk kolumn saknas")
            continue
        has_row = rows["index"].notna()
        for case in rows.loc[~has_row, "failure_case"]:
            problems.whole(f"kolumn {col}: {case!r} {_check_words(check)}")
        rows = rows[has_row]
        if rows.empty:
            continue
        verb = _check_words(check)
        cases = dict(zip(rows["index"].astype("int64"), rows["failure_case"]))
        problems.index(f"kolumn {col}: {verb}", list(cases),
                       lambda i, col=col, verb=verb: f"kolumn {col}: {cases[i]!r} {verb}")


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
        problems.whole("filen har inga datarader (bara en rubrikrad, eller ingenting)")
    prepared = _prepare(raw, problems) if len(raw.columns) or not raw.empty else None
    if prepared is not None and len(raw):
        df, bad = prepared
        _reference_problems(df, catalogue, geography, problems)
        # pandera (≈ 0,15 CPU-s and 12 MB to import) only where a table is validated: the kernels and the
        # batch's main process import this module for its constants
        from pandera.errors import SchemaErrors

        from analysis.data.tidy_schema import TidySchema

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
    check_regular(path)  # a FIFO or a device is refused before anything opens it (opening could block)
    return path


def read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """A CSV or XLSX file with every cell as text, so that codes keep their leading zeros.

    XLSX files are read as a person sees them (see :func:`read_xlsx`). Problems found while reading
    (merged cells, formulas without a saved value) travel in ``df.attrs["problems"]`` to the contract."""
    path = check_path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            check_xlsx(path)  # a zip bomb is refused from the archive's directory, before anything inflates
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

    sep, note = _separator(path)
    reader = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=False,
                         chunksize=chunk, sep=sep)
    limit, parts, n = limits()["max_rows"], [], 0
    for part in reader:
        n += len(part)
        check_rows(n, path, limit=limit)  # stops reading as soon as the file is over the limit
        parts.append(part.astype("category"))
    if not parts:
        return pd.DataFrame()
    df = parts[0] if len(parts) == 1 else pd.DataFrame(
        {c: union_categoricals([p[c] for p in parts]) for c in parts[0].columns})
    if sep == ";":
        df = _decimal_comma(df)
        df.attrs["notes"] = [note]
    return df


#: numbers as Swedish Excel writes them: decimal comma, no thousands separator
_COMMA_NUMBER = r"[+-]?\d+,\d+"


def _separator(path: Path) -> tuple[str, str]:
    """``(",", "")``, or ``(";", note)`` for a CSV file saved by Excel with Swedish settings (semicolons between
    the columns, decimal comma): recognised from its header line, which then splits on ";" into more of the
    contract's columns than on ",". Read from the first 64 kB only."""
    with open(path, "rb") as f:
        head = f.read(65536)
    lines = head.decode("utf-8-sig", errors="replace").splitlines()
    first = lines[0] if lines else ""  # an empty file (or a BOM alone) is reported by the contract
    known = set(COLUMNS)
    by_semicolon = sum(c.strip().strip('"') in known for c in first.split(";"))
    by_comma = sum(c.strip().strip('"') in known for c in first.split(","))
    if by_semicolon >= 2 and by_semicolon > by_comma:
        return ";", (f"{path.name}: läst som CSV med semikolon mellan kolumnerna och decimalkomma "
                     "(så sparar Excel med svenska inställningar)")
    return ",", ""


def _decimal_comma(df: pd.DataFrame) -> pd.DataFrame:
    """The numeric columns of a semicolon file with decimal comma: "59,2" -> "59.2" (other text unchanged)."""
    for col in NUMERIC:
        if col in df.columns:
            text = df[col].astype(str)
            df[col] = text.where(~text.str.fullmatch(_COMMA_NUMBER), text.str.replace(",", ".", regex=False))
    return df


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
    check_rows(len(rows) - 1, path)
    if not rows:
        return pd.DataFrame()
    header = [_cell_text(c, c.value).strip() for c in rows[0]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    problems: list[tuple[int, str]] = []
    for rng in ws.merged_cells.ranges:
        if rng.min_row == 1:
            where = "rubrikraden"
        else:
            where = f"rad {rng.min_row}" + (f"–{rng.max_row}" if rng.max_row > rng.min_row else "")
        cols = get_column_letter(rng.min_col) + (f"–{get_column_letter(rng.max_col)}" if rng.max_col > rng.min_col else "")
        problems.append((rng.min_row - 2, f"{where}, kolumn {cols}: sammanfogade celler ({rng.coord}); "
                                          "varje cell måste ha sitt eget värde"))
    records = []
    for r, row in enumerate(rows[1:], start=2):
        texts = []
        for c, cell in enumerate(row[:width]):
            value = cell.value
            formula = wf.cell(row=r, column=c + 1).value
            if value is None and isinstance(formula, str) and formula.startswith("="):
                problems.append((r - 2, f"rad {r}, kolumn {header[c] or get_column_letter(c + 1)}: formeln "
                                        f"{formula[:40]!r} har inget sparat värde (öppna och spara filen i Excel, "
                                        "eller skriv in värdet)"))
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
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")  # this run's own
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            out.to_csv(tmp, index=False, float_format="%.10g", lineterminator="\n")
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)  # gone after the rename; a half-written one goes too
    except IsADirectoryError:
        raise AnalysisError(f"{path}: är en mapp; ange en fil, t.ex. {Path(path) / 'integration.csv'}") from None
    except PermissionError:
        raise AnalysisError(f"{path}: saknar behörighet att skriva") from None
    except OSError as exc:
        raise AnalysisError(f"{path}: kan inte skrivas ({os_error_reason(exc)})") from None
