"""Data downloads: every chart and table of a report as CSV and XLSX (with a notes sheet), and one XLSX per
report with all its tables.

Files go to ``<report>/data/``: ``<slug>.csv`` (semicolon-separated, decimal comma, UTF-8 with BOM so Excel
with Swedish settings opens it right) and ``<slug>.xlsx`` (sheet "Data" with numbers as numbers, sheet "Noter").
Each table's description (:class:`TableNotes`) travels in the report model (:class:`analysis.present.model.Download`),
from which the report workbook (``rapport-tabeller.xlsx``) is made.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from analysis.data.contract import STATUS_SYMBOLS
from analysis.present import fmt
from analysis.present.escape import cell_text
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


class Grid:
    """A table as the download files hold it: the header and the cells column by column, as plain Python values
    (None for a missing one). The files' rules (numbers, symbols, codes, formula guard) are applied to lists, not
    to pandas columns: a report writes ≈ 15 small tables, where pandas' cost per column dominated (≈ 6 ms each)."""

    __slots__ = ("columns", "header")

    def __init__(self, header: list, columns: list[list]):
        self.header = [str(h) for h in header]
        self.columns = columns

    @classmethod
    def of(cls, data: pd.DataFrame) -> Grid:
        if data.empty:  # no rows: the files say so instead of being empty (an empty CSV cannot be read back)
            return cls(["Uppgift"], [[EMPTY_TABLE]])
        return cls(list(data.columns), [[fmt.plain(v) for v in data.iloc[:, i].tolist()] for i in range(data.shape[1])])

    @property
    def rows(self):
        return zip(*self.columns)

    def column(self, name: str) -> list | None:
        return self.columns[self.header.index(name)] if name in self.header else None

    def with_column(self, name: str, cells: list, at: int | None = None) -> Grid:
        at = len(self.header) if at is None else at
        return Grid(self.header[:at] + [name] + self.header[at:], self.columns[:at] + [cells] + self.columns[at:])

    def without(self, name: str) -> Grid:
        keep = [i for i, h in enumerate(self.header) if h != name]
        return Grid([self.header[i] for i in keep], [self.columns[i] for i in keep])


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


def notes_grid(notes: TableNotes) -> Grid:
    """The table's sheet "Noter": what it shows, its source, definition and unit, the symbols and the rules."""
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
    return Grid(["Uppgift", "Beskrivning"], [list(c) for c in zip(*rows)])


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


def as_numbers(grid: Grid) -> Grid:
    """Columns of formatted Swedish numbers ("78,5 %", "−10,1", "+2,4", "1 234") become numbers; the official
    symbols stay as text in their cells. A column's common unit moves into its header ("Värde (%)"). A value
    from another year than its column's ("−21,2 (2022)" in the column 2024) is a number too, its year in a
    column of its own right after (:data:`YEAR_COLUMN`)."""
    header, columns = [], []
    for col, cells in zip(grid.header, grid.columns):
        parsed = [] if col in CODE_COLUMNS else [_parse(c) for c in cells]
        if not any(parsed) or any(p is None and not (isinstance(c, str) and c.strip() in _SYMBOLS)
                                  for p, c in zip(parsed, cells)):
            header.append(col)
            columns.append(cells)
            continue
        units = {p[1] for p in parsed if p}
        unit = units.pop() if len(units) == 1 else ""
        header.append(f"{col} ({unit})" if unit and unit not in col else col)
        columns.append([p[0] if p else (c.strip() or None) for p, c in zip(parsed, cells)])
        if any(p and p[2] for p in parsed):
            header.append(YEAR_COLUMN.format(column=col))
            columns.append([p[2] if p and p[2] else None for p in parsed])
    return Grid(header, columns)


def safe_cells(grid: Grid) -> Grid:
    """Every text cell and header through :func:`analysis.present.escape.cell_text` (numbers stay numbers)."""
    return Grid([cell_text(h) for h in grid.header], [[cell_text(c) for c in cells] for cells in grid.columns])


def _csv_cell(value, code: bool):
    """A cell as the CSV holds it: decimal comma, nothing for a missing value, a code as ="0010" (Excel keeps
    the zeros)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(value).replace(".", ",")
    if code and isinstance(value, str) and value.isdigit():
        return f'="{value}"'
    return value


def write_csv(path: Path, grid: Grid) -> None:
    """Semicolon-separated, decimal comma, UTF-8 with BOM and CRLF: what Excel with Swedish settings opens."""
    codes = [h in CODE_COLUMNS for h in grid.header]
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, delimiter=";", lineterminator="\r\n")
        out.writerow(grid.header)
        out.writerows([_csv_cell(v, code) for v, code in zip(row, codes)] for row in grid.rows)


#: a cell the CSV holds as a number: an integer or decimal comma (an exponent for very small or large values)
_CSV_VALUE = re.compile(r"^-?\d+(?:,\d+)?(?:e[+-]?\d+)?$")


def read_csv(path: Path) -> Grid:
    """A table's CSV read back (:func:`write_csv`): a column whose every filled cell is a number holds numbers,
    codes are text again (without ="…"), an empty cell is missing."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    if not rows or not rows[0]:
        return Grid(["Uppgift"], [[EMPTY_TABLE]])
    header, body = rows[0], rows[1:]
    columns = []
    for i, col in enumerate(header):
        cells = [r[i] if i < len(r) and r[i] != "" else None for r in body]
        if col in CODE_COLUMNS:
            cells = [c[2:-1] if c and c.startswith('="') and c.endswith('"') else c for c in cells]
        elif cells and all(c is None or _CSV_VALUE.match(c) for c in cells) and any(cells):
            whole = all(c is None or c.lstrip("-").isdigit() for c in cells)
            cells = [None if c is None else int(c) if whole else float(c.replace(",", ".")) for c in cells]
        columns.append(cells)
    return Grid(header, columns)


def source_cell(source: str) -> str:
    """A table's source as its CSV's source column holds it: without the leading "Källa:" of the caption."""
    return re.sub(r"^Källa:\s*", "", source or "").strip()


def write_table(folder: Path, slug: str, data: pd.DataFrame, notes: TableNotes, order: tuple = ()) -> dict[str, str]:
    """Write CSV and XLSX; returns {'csv': relative path, 'xlsx': relative path}. (``order``: kept in the
    signature for callers; the description and order travel in the report model.)"""
    folder.mkdir(parents=True, exist_ok=True)
    grid = Grid.of(data)
    if notes.example and not {"Exempeldata", "Data"} & set(grid.header):
        grid = grid.with_column("Exempeldata", ["ja"] * len(grid.columns[0]))  # marked in the file itself too
    csv_path, xlsx = folder / f"{slug}.csv", folder / f"{slug}.xlsx"
    grid = safe_cells(as_numbers(grid))  # "78,5 %" -> 78.5 (unit into the header); =HYPERLINK(…) stays text
    # the CSV has no notes sheet: its last column names the source on every row, so a file passed on alone
    # still says where its figures come from (the XLSX says it in its sheet "Noter")
    source = source_cell(notes.source)
    in_csv = grid.with_column(SOURCE_COLUMN, [source] * len(grid.columns[0])) if (
        source and SOURCE_COLUMN not in grid.header) else grid
    write_csv(csv_path, in_csv)
    write_workbook(xlsx, [("Data", grid), ("Noter", safe_cells(notes_grid(notes)))])
    return {"csv": f"{DATA_DIR}/{csv_path.name}", "xlsx": f"{DATA_DIR}/{xlsx.name}"}


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
        contents.append((name, m["title"], m["source"], m.get("definition", ""), "ja" if m.get("example") else "nej"))
    contents += [("", f"Symbol {s}", meaning, "", "") for s, meaning in STATUS_SYMBOLS.items()]
    frames = [("Innehåll och noter", safe_cells(Grid(["Blad", "Tabell", "Källa", "Definition", "Exempeldata"],
                                                     [list(c) for c in zip(*contents)])))]
    for name, m in sheets:
        data = read_csv(folder / f"{m['slug']}.csv")
        source = data.column(SOURCE_COLUMN)
        if source is not None and all(c == source_cell(m["source"]) for c in source):
            data = data.without(SOURCE_COLUMN)  # the contents sheet names each table's source once
        frames.append((name, safe_cells(symbols_apart(data))))
    write_workbook(out, frames)
    return out


#: text is written as text: a cell that looks like a formula, a link or a number stays what the table says
_XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                 "nan_inf_to_errors": True, "in_memory": True}  # no temporary file per sheet


def write_workbook(path: Path, sheets: list[tuple[str, Grid]]) -> None:
    """One sheet per (name, table): the header, then the rows (numbers as numbers, missing values as empty
    cells), each column as wide as its longest cell (10–80 characters).

    Written with xlsxwriter's own row writer rather than pandas' ``to_excel`` (which formats cell by cell) or
    openpyxl, in memory: a small workbook takes ≈ 3 ms instead of ≈ 12 ms (pandas + xlsxwriter) or ≈ 20 ms
    (openpyxl), and a report writes 21."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), _XLSX_OPTIONS)
    try:
        for name, grid in sheets:
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, grid.header)
            widths = [len(h) for h in grid.header]
            for r, row in enumerate(grid.rows, start=1):  # row by row: the shared strings in reading order
                for c, value in enumerate(row):
                    if value is None or value == "":  # an empty cell (as xlsxwriter's write leaves "")
                        continue
                    if isinstance(value, str):
                        sheet.write_string(r, c, value)
                    elif isinstance(value, (int, float)) and not isinstance(value, bool):
                        sheet.write_number(r, c, value)
                    else:
                        sheet.write(r, c, value)
                    widths[c] = max(widths[c], len(str(value)))
            for c, width in enumerate(widths):
                sheet.set_column(c, c, min(max(10, width + 2), 80))
    finally:
        book.close()


_CSV_NUMBER = re.compile(r"^[\u2212-]?\d+(?:,\d+)?$")
SYMBOL_COLUMN = "{column}, symbol"


def symbols_apart(grid: Grid) -> Grid:
    """A column of numbers (as the CSV writes them: "-5,7") and symbols ("..", "–", ".") becomes a numeric
    column plus, right after it, a text column with the symbol where the number is missing."""
    header, columns = [], []
    for col, cells in zip(grid.header, grid.columns):
        texts = [c.strip() if isinstance(c, str) else c for c in cells]
        numbers = [isinstance(c, str) and bool(_CSV_NUMBER.match(c)) for c in texts]
        symbols = [isinstance(c, str) and c in _SYMBOLS and c != "" for c in texts]
        if col in CODE_COLUMNS or not any(numbers) or not all(n or s or c is None for n, s, c in zip(numbers, symbols, texts)):
            header.append(col)
            columns.append(cells)
            continue
        header.append(col)
        columns.append([float(c.replace("\u2212", "-").replace(",", ".")) if n else None for c, n in zip(texts, numbers)])
        if any(symbols):
            header.append(SYMBOL_COLUMN.format(column=col))
            columns.append([c if s else None for c, s in zip(texts, symbols)])
    return Grid(header, columns)


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
