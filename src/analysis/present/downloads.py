"""Data downloads: every chart and table of a report as CSV and XLSX (with a notes sheet), and one XLSX per
report with all its tables.

Files go to ``<report>/data/``: ``<slug>.csv`` (semicolon-separated, decimal comma, UTF-8 with BOM so Excel
with Swedish settings opens it right) and ``<slug>.xlsx`` (sheet "Data" with numbers as numbers, sheet "Noter").
Each table's description (:class:`TableNotes`) travels in the report model (:class:`analysis.present.model.Download`),
from which the report workbook (``rapport-tabeller.xlsx``) is made.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from analysis.data.contract import STATUS_SYMBOLS
from analysis.present.escape import safe_cells
from analysis.present.model import TableNotes  # defined once, in the model
from analysis.text import slugify  # noqa: F401 - the download names' slugs (report.py imports it from here)

DATA_DIR = "data"
WORKBOOK = "rapport-tabeller.xlsx"
EMPTY_TABLE = "uppgift saknas (tabellen har inga rader)"
SOURCE_COLUMN = "Källa"  # the CSV's last column: the table's source on every row


#: the kind of table, by the end of its download slug, as a sheet name says it ("Arbetslöshet, utveckling")
SHEET_KINDS = {"diagram": "utveckling", "kon": "kön", "placering": "placering", "jamforelse": "jämförelse",
               "kommungrupper": "grupper"}
#: tables that belong to no indicator, by slug (a trailing number is the goal: "handlingsplan-mal-5")
SHEET_TABLES = {"maluppfyllelse": "Måluppfyllelse", "maluppfyllelse-lan": "Måluppfyllelse",
                "handlingsplan": "Handlingsplanen", "handlingsplan-status": "Handlingsplanen, status",
                "handlingsplan-mal": "Handlingsplanen, mål {n}", "utveckling": "Utveckling sedan basåret"}
SHEET_MAX = 31  # Excel's limit


def sheet_name(slug: str, ind=None) -> str:
    """A sheet name that stands alone: "Sysselsättningsgrad, utveckling", "Måluppfyllelse",
    "Handlingsplanen, mål 5" (the indicator's sheet_title where its short title is too long)."""
    if ind is not None:
        kind = SHEET_KINDS.get(slug.removeprefix(f"{ind.id}-"), slug.removeprefix(f"{ind.id}-").replace("-", " "))
        name = f"{getattr(ind, 'sheet_title', None) or ind.short_title}, {kind}"
        return name if len(name) <= SHEET_MAX else _whole_words(name, SHEET_MAX)
    m = re.fullmatch(r"(.*?)-(\d+)", slug)
    if m and m.group(1) in SHEET_TABLES:
        return SHEET_TABLES[m.group(1)].format(n=m.group(2))
    return SHEET_TABLES.get(slug, _whole_words(slug.replace("-", " ").capitalize(), SHEET_MAX))


def notes_frame(notes: TableNotes) -> pd.DataFrame:
    rows = [("Tabell", notes.title), ("Källa", notes.source)]
    if notes.definition:
        rows.append(("Definition", notes.definition))
    if notes.unit:
        rows.append(("Enhet", notes.unit))
    if notes.example:
        rows.append(("Exempeldata", "Tabellen innehåller genererade exempelvärden, inte verklig statistik "
                                    "(kolumnen Exempeldata = ja)."))
    rows += [("Symbol " + s, meaning) for s, meaning in STATUS_SYMBOLS.items()]
    rows.append(("Sekretess", "Andelar visas bara om gruppen har fler än 20 personer och fler än 5 med egenskapen. "
                              "Ibland döljs ytterligare en uppgift så att en dold uppgift inte kan räknas fram "
                              "ur totalen och de andra delarna."))
    rows += [("Not", n) for n in notes.extra]
    return pd.DataFrame(rows, columns=["Uppgift", "Beskrivning"])


#: columns holding area codes: text in XLSX (leading zeros kept), ="0010" in CSV so Excel keeps them too
CODE_COLUMNS = ("Kod", "Kommunkod", "Länskod")
_NUMBER = re.compile(r"^([+\u2212\-±]?)(\d{1,3}(?:[\u00a0 ]\d{3})+|\d+)(?:,(\d+))?"
                     r"(?:[\u00a0 ]?(%|procentenheter|pe|dagar))?(?:[\u00a0 ]\((\d{4})\))?$")
#: the column beside a number column for a value from another year than the column's ("−21,2 (2022)")
YEAR_COLUMN = "{column}, avser år"
_SYMBOLS = {"", "..", ".", "–", "-", "…", "..."}


def _parse(cell) -> tuple[float, str] | None:
    if not isinstance(cell, str):
        return None
    m = _NUMBER.match(cell.strip())
    if not m:
        return None
    sign, whole, frac, unit, year = m.groups()
    digits = re.sub(r"[\u00a0 ]", "", whole)
    value = float(digits + "." + frac) if frac else int(digits)
    return (-value if sign in ("\u2212", "-") else value), (unit or ""), (int(year) if year else None)


def as_numbers(data: pd.DataFrame) -> pd.DataFrame:
    """Columns of formatted Swedish numbers ("78,5 %", "−10,1", "+2,4", "1 234") become numbers; the official
    symbols stay as text in their cells. A column's common unit moves into its header ("Värde (%)"). A value
    from another year than its column's ("−21,2 (2022)" in the column 2024) is a number too, its year in a
    column of its own right after (:data:`YEAR_COLUMN`)."""
    out = data.copy()
    for col in out.columns:
        if col in CODE_COLUMNS or not (out[col].dtype == object or pd.api.types.is_string_dtype(out[col])):
            continue
        cells = out[col].tolist()
        parsed = [_parse(c) for c in cells]
        if not any(parsed) or any(p is None and not (isinstance(c, str) and c.strip() in _SYMBOLS)
                                  for p, c in zip(parsed, cells)):
            continue
        units = {p[1] for p in parsed if p}
        out[col] = pd.Series([p[0] if p else (c.strip() or None) for p, c in zip(parsed, cells)],
                             index=out.index, dtype=object)
        if any(p and p[2] for p in parsed):
            years = pd.Series([p[2] if p and p[2] else None for p in parsed], index=out.index, dtype=object)
            out.insert(out.columns.get_loc(col) + 1, YEAR_COLUMN.format(column=col), years)
        if len(units) == 1 and (unit := units.pop()) and unit not in str(col):
            out = out.rename(columns={col: f"{col} ({unit})"})
    return out


def protect_codes(data: pd.DataFrame) -> pd.DataFrame:
    """The frame as written to CSV: codes as ="0010" (Excel keeps the zeros), numbers in mixed columns (numbers
    and symbols) with decimal comma like the numeric columns."""
    out = data.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = [str(c).replace(".", ",") if isinstance(c, float) else c for c in out[col]]
    for col in CODE_COLUMNS:
        if col in out:
            out[col] = [f'="{c}"' if isinstance(c, str) and c.isdigit() else c for c in out[col]]
    return out


def unprotect_codes(data: pd.DataFrame) -> pd.DataFrame:
    out = data.copy()
    for col in CODE_COLUMNS:
        if col in out:
            out[col] = [c[2:-1] if isinstance(c, str) and c.startswith('="') and c.endswith('"') else c
                        for c in out[col]]
    return out


def source_cell(source: str) -> str:
    """A table's source as its CSV's source column holds it: without the leading "Källa:" of the caption."""
    return re.sub(r"^Källa:\s*", "", source or "").strip()


def write_table(folder: Path, slug: str, data: pd.DataFrame, notes: TableNotes, order: tuple = ()) -> dict[str, str]:
    """Write CSV and XLSX; returns {'csv': relative path, 'xlsx': relative path}. (``order``: kept in the
    signature for callers; the description and order travel in the report model.)"""
    folder.mkdir(parents=True, exist_ok=True)
    if data.empty:  # no rows: the files say so instead of being empty (an empty CSV cannot be read back)
        data = pd.DataFrame({"Uppgift": [EMPTY_TABLE]})
    if notes.example and not {"Exempeldata", "Data"} & set(data.columns):
        data = data.assign(Exempeldata="ja")  # generated values stay marked in the file itself, not only in Noter
    csv, xlsx = folder / f"{slug}.csv", folder / f"{slug}.xlsx"
    data = as_numbers(data)  # "78,5 %", "−10,1" -> 78.5, -10.1 (the unit goes into the header)
    data = safe_cells(data)  # text such as =HYPERLINK(…) or @SUM(…) stays text in Excel/LibreOffice
    # the CSV has no notes sheet: its last column names the source on every row, so a file passed on alone
    # still says where its figures come from (the XLSX says it in its sheet "Noter")
    source = source_cell(notes.source)
    in_csv = data.assign(**{SOURCE_COLUMN: source}) if source and SOURCE_COLUMN not in data else data
    protect_codes(in_csv).to_csv(csv, sep=";", decimal=",", index=False, encoding="utf-8-sig", lineterminator="\r\n")
    write_workbook(xlsx, [("Data", data), ("Noter", safe_cells(notes_frame(notes)))])
    return {"csv": f"{DATA_DIR}/{csv.name}", "xlsx": f"{DATA_DIR}/{xlsx.name}"}


def report_workbook(folder: Path, out: Path, tables: list) -> Path | None:
    """The report's tables (``tables``: the report model's downloads, :class:`analysis.present.model.Download`,
    in the order a reader meets them; their CSV files in ``folder``) in one workbook: a contents sheet with
    notes, then one sheet per table, each named so that it stands alone. Numbers are numbers: a column of
    numbers and symbols keeps its numbers and puts the symbols in a column of their own beside it
    ("Skillnad (procentenheter), symbol")."""
    metas = [t if isinstance(t, dict) else asdict(t) for t in tables]
    if not metas:
        return None
    contents, used, sheets = [], set(), []
    for m in metas:
        name = _sheet_name(m.get("sheet") or _first_clause(m["title"]), used)
        sheets.append((name, m))
        contents.append({"Blad": name, "Tabell": m["title"], "Källa": m["source"],
                         "Definition": m.get("definition", ""), "Exempeldata": "ja" if m.get("example") else "nej"})
    symbols = pd.DataFrame([{"Blad": "", "Tabell": f"Symbol {s}", "Källa": meaning, "Definition": "",
                             "Exempeldata": ""} for s, meaning in STATUS_SYMBOLS.items()])
    frames = [("Innehåll och noter", safe_cells(pd.concat([pd.DataFrame(contents), symbols], ignore_index=True)))]
    for name, m in sheets:
        try:
            data = unprotect_codes(pd.read_csv(
                folder / f"{m['slug']}.csv", sep=";", decimal=",", dtype={c: str for c in CODE_COLUMNS},
                encoding="utf-8-sig", keep_default_na=False, na_values=[""]))
        except pd.errors.EmptyDataError:  # a table without rows or columns: say so, never crash
            data = pd.DataFrame({"Uppgift": [EMPTY_TABLE]})
        if SOURCE_COLUMN in data and (data[SOURCE_COLUMN] == source_cell(m["source"])).all():
            data = data.drop(columns=SOURCE_COLUMN)  # the contents sheet names each table's source once
        frames.append((name, safe_cells(symbols_apart(data))))
    write_workbook(out, frames)
    return out


#: text is written as text: a cell that looks like a formula, a link or a number stays what the table says
_XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                 "nan_inf_to_errors": True, "in_memory": True}  # no temporary file per sheet


def write_workbook(path: Path, sheets: list[tuple[str, pd.DataFrame]]) -> None:
    """One sheet per (name, frame): the header, then the rows (numbers as numbers, missing values as empty
    cells), each column as wide as its longest cell (10–80 characters).

    Written with xlsxwriter's own row writer rather than pandas' ``to_excel`` (which formats cell by cell) or
    openpyxl, in memory: a small workbook takes ≈ 3 ms instead of ≈ 12 ms (pandas + xlsxwriter) or ≈ 20 ms
    (openpyxl), and a report writes 21."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), _XLSX_OPTIONS)
    try:
        for name, df in sheets:
            sheet = book.add_worksheet(name)
            header = [str(c) for c in df.columns]
            sheet.write_row(0, 0, header)
            widths = [len(h) for h in header]
            for r, row in enumerate(df.itertuples(index=False, name=None), start=1):
                for c, value in enumerate(row):
                    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                        continue
                    if hasattr(value, "item"):  # numpy scalars
                        value = value.item()
                    sheet.write(r, c, value)
                    widths[c] = max(widths[c], len(str(value)))
            for c, width in enumerate(widths):
                sheet.set_column(c, c, min(max(10, width + 2), 80))
    finally:
        book.close()


_CSV_NUMBER = re.compile(r"^[\u2212-]?\d+(?:,\d+)?$")
SYMBOL_COLUMN = "{column}, symbol"


def symbols_apart(data: pd.DataFrame) -> pd.DataFrame:
    """A column of numbers (as the CSV writes them: "-5,7") and symbols ("..", "–", ".") becomes a numeric
    column plus, right after it, a text column with the symbol where the number is missing."""
    out = {}
    for col in data.columns:
        cells = data[col].tolist()
        if col in CODE_COLUMNS or not (data[col].dtype == object or pd.api.types.is_string_dtype(data[col])):
            out[col] = data[col]
            continue
        texts = [c.strip() if isinstance(c, str) else c for c in cells]
        numbers = [isinstance(c, str) and bool(_CSV_NUMBER.match(c)) for c in texts]
        symbols = [isinstance(c, str) and c in _SYMBOLS and c != "" for c in texts]
        if not any(numbers) or not all(n or s or c is None or (isinstance(c, float) and math.isnan(c))
                                       for n, s, c in zip(numbers, symbols, texts)):
            out[col] = data[col]
            continue
        out[col] = pd.Series([float(c.replace("\u2212", "-").replace(",", ".")) if n else None
                              for c, n in zip(texts, numbers)], index=data.index, dtype=float)
        if any(symbols):
            out[SYMBOL_COLUMN.format(column=col)] = pd.Series([c if s else None for c, s in zip(texts, symbols)],
                                                             index=data.index, dtype=object)
    return pd.DataFrame(out, index=data.index)


def _first_clause(title: str) -> str:
    """A title's first clause, without the example mark: "Måluppfyllelse 2024 för Ronneby"."""
    text = re.sub(r"^EXEMPELDATA\s*[–-]\s*", "", title).strip()
    return re.split(r"[,:.]\s", text + " ", maxsplit=1)[0].strip().rstrip(".")


def _sheet_name(text: str, used: set[str]) -> str:
    """A sheet name of at most 31 characters, cut at a word boundary (never mid-word), unique in the book."""
    name = re.sub(r"[\[\]:*?/\\]", "", text).strip()
    name = _whole_words(name, 31)
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name = _whole_words(base, 31 - len(suffix)) + suffix
        n += 1
    used.add(name)
    return name


def _whole_words(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0] if " " in text[:limit + 1] else text[:limit]
    cut = cut.rstrip(" ,;:–-")
    words = cut.split(" ")
    while len(words) > 1 and words[-1].lower() in _DANGLING:  # never end on "för", "i", "och" …
        words.pop()
    return " ".join(words).rstrip(" ,;:–-")


#: words a cut name must not end with
_DANGLING = {"för", "i", "och", "per", "mot", "med", "till", "av", "från", "som", "på", "inom", "efter", "under",
             "bland", "där", "den", "det", "de", "en", "ett", "–"}
