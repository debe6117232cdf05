"""Data downloads: every chart and table of a report as CSV and XLSX (with a notes sheet), and one XLSX per
report with all its tables.

Files go to ``<report>/data/``: ``<slug>.csv`` (semicolon-separated, decimal comma, UTF-8 with BOM so Excel
with Swedish settings opens it right), ``<slug>.xlsx`` (sheet "Data" with numbers as numbers, sheet "Noter"),
and ``<slug>.json`` describing the table for the report workbook (``rapport-tabeller.xlsx``).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from .contract import STATUS_SYMBOLS
from .escape import safe_cells

DATA_DIR = "data"
WORKBOOK = "rapport-tabeller.xlsx"
EMPTY_TABLE = "uppgift saknas (tabellen har inga rader)"


@dataclass
class TableNotes:
    title: str
    source: str
    definition: str = ""
    unit: str = ""
    example: bool = False
    extra: list[str] = field(default_factory=list)


def slugify(text: str) -> str:
    text = text.lower().translate(str.maketrans("åäöé", "aaoe"))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "tabell"


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


def write_table(folder: Path, slug: str, data: pd.DataFrame, notes: TableNotes, order: tuple = ()) -> dict[str, str]:
    """Write CSV, XLSX and the description; returns {'csv': relative path, 'xlsx': relative path}."""
    folder.mkdir(parents=True, exist_ok=True)
    if data.empty:  # no rows: the files say so instead of being empty (an empty CSV cannot be read back)
        data = pd.DataFrame({"Uppgift": [EMPTY_TABLE]})
    if notes.example and not {"Exempeldata", "Data"} & set(data.columns):
        data = data.assign(Exempeldata="ja")  # generated values stay marked in the file itself, not only in Noter
    csv, xlsx = folder / f"{slug}.csv", folder / f"{slug}.xlsx"
    data = safe_cells(data)  # text such as =HYPERLINK(…) or @SUM(…) stays text in Excel/LibreOffice
    data.to_csv(csv, sep=";", decimal=",", index=False, encoding="utf-8-sig", lineterminator="\r\n")
    with pd.ExcelWriter(xlsx, engine="openpyxl") as xl:
        data.to_excel(xl, sheet_name="Data", index=False)
        safe_cells(notes_frame(notes)).to_excel(xl, sheet_name="Noter", index=False)
        _autosize(xl)
    (folder / f"{slug}.json").write_text(
        json.dumps({"slug": slug, "order": list(order), **asdict(notes)}, ensure_ascii=False), encoding="utf-8"
    )
    return {"csv": f"{DATA_DIR}/{csv.name}", "xlsx": f"{DATA_DIR}/{xlsx.name}"}


def report_workbook(folder: Path, out: Path) -> Path | None:
    """All tables in ``folder`` (in report order) in one workbook: a contents sheet with notes, then one
    sheet per table."""
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")]
    if not metas:
        return None
    metas.sort(key=lambda m: (m.get("order") or [], m["slug"]))
    contents, used = [], set()
    with pd.ExcelWriter(out, engine="openpyxl") as xl:
        sheets = []
        for i, m in enumerate(metas, start=1):
            name = _sheet_name(f"{i:02d} {m['title']}", used)
            sheets.append((name, m))
            contents.append({"Blad": name, "Tabell": m["title"], "Källa": m["source"],
                             "Definition": m.get("definition", ""), "Exempeldata": "ja" if m.get("example") else "nej"})
        symbols = pd.DataFrame([{"Blad": "", "Tabell": f"Symbol {s}", "Källa": meaning, "Definition": "",
                                 "Exempeldata": ""} for s, meaning in STATUS_SYMBOLS.items()])
        safe_cells(pd.concat([pd.DataFrame(contents), symbols], ignore_index=True)).to_excel(
            xl, sheet_name="Innehåll och noter", index=False)
        for name, m in sheets:
            try:
                data = pd.read_csv(folder / f"{m['slug']}.csv", sep=";", decimal=",", dtype={"Kod": str},
                                   encoding="utf-8-sig", keep_default_na=False, na_values=[""])
            except pd.errors.EmptyDataError:  # a table without rows or columns: say so, never crash
                data = pd.DataFrame({"Uppgift": [EMPTY_TABLE]})
            safe_cells(data).to_excel(xl, sheet_name=name, index=False)
        _autosize(xl)
    return out


def _sheet_name(text: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "", text)[:31]
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}~{n}"
        n += 1
    used.add(name)
    return name


def _autosize(xl: pd.ExcelWriter) -> None:
    for ws in xl.book.worksheets:
        for col in ws.columns:
            width = max((len(str(c.value)) for c in col if c.value is not None), default=8)
            ws.column_dimensions[col[0].column_letter].width = min(max(10, width + 2), 80)
