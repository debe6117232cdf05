"""The handlingsplan's files: template, reading, validation, import with provenance, a county's plan.

The declaration (columns, statuses, goal matching, :class:`~analysis.domain.handlingsplan.Plan`) is in
:mod:`analysis.domain.handlingsplan`; this module does the data stage's work with it:

* :func:`write_template` writes an empty XLSX a Beredningsgrupp fills in (drop-down lists for goals,
  statuses and indicators via openpyxl's DataValidation, plus an instructions sheet).
* :func:`validate_plan` checks a filled file with a pandera schema built from the declaration and
  lists every problem with its line and column ("rad 4, kolumn E (Status): …").
* :func:`import_plan` keeps a valid file as a raw snapshot in ``data/raw/handlingsplan/lan-LL/`` with a
  provenance sidecar (the importer's mechanism).
* :func:`load_plan` gives a county's plan for a year: an imported plan wins over example plans.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.config import Config, load_config
from analysis.data.contract import read_table
from analysis.data.provenance import load_snapshot, snapshot_files
from analysis.domain.catalogue import Catalogue, load_catalogue
from analysis.domain.handlingsplan import (
    Plan,
    Spec,
    goal_choice,
    goal_lookup,
    indicator_choice,
    indicator_lookup,
    load_spec,
    norm,
    status_lookup,
)
from analysis.domain.strategy import Strategy, load_strategy
from analysis.errors import AnalysisError, DataValidationError
from analysis.text import column_letter

if TYPE_CHECKING:  # pandera is imported where a plan is validated, not by a report's kernel that loads one
    import pandera.pandas as pa

RAW_DIR = "handlingsplan"


# --------------------------------------------------------------------------- template


def write_template(strategy: Strategy, catalogue: Catalogue, path: Path, spec: Spec | None = None) -> Path:
    """An empty XLSX template with drop-down lists for the strategy's goals, the statuses and indicators."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    spec = spec or load_spec()
    wb = Workbook()
    ws = wb.active
    ws.title = spec.raw["sheet"]
    n = int(spec.raw["template_rows"])
    head_fill = PatternFill("solid", fgColor="DDE7F0")
    for j, col in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=j, value=col["label"])
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(j)].width = col.get("width", 20)
    ws.freeze_panes = "A2"
    for r in range(2, n + 2):
        for j in range(1, len(spec.columns) + 1):
            ws.cell(row=r, column=j).alignment = Alignment(wrap_text=True, vertical="top")

    lists = wb.create_sheet(spec.raw["lists_sheet"])
    goals = [goal_choice(g) for g in strategy.goals]
    statuses = [s["label"] for s in spec.statuses]
    indicators = [indicator_choice(i) for i in catalogue]
    for j, (title, values) in enumerate((("Strategiskt mål", goals), ("Status", statuses),
                                        ("Indikator", indicators)), start=1):
        lists.cell(row=1, column=j, value=title).font = Font(bold=True)
        for i, v in enumerate(values, start=2):
            lists.cell(row=i, column=j, value=v)
        lists.column_dimensions[get_column_letter(j)].width = 45
    lists.sheet_state = "hidden"

    def letter(col_id: str) -> str:
        return get_column_letter(spec.ids.index(col_id) + 1)

    sheet = spec.raw["lists_sheet"]
    for col_id, list_col, count, strict in (("goal", "A", len(goals), True), ("status", "B", len(statuses), True),
                                            ("indicator", "C", len(indicators), True)):
        dv = DataValidation(type="list", formula1=f"{sheet}!${list_col}$2:${list_col}${count + 1}",
                            allow_blank=True, showErrorMessage=strict, showInputMessage=True)
        dv.promptTitle = spec.label(col_id)[:32]
        dv.prompt = next(c["help"] for c in spec.columns if c["id"] == col_id)[:255]
        dv.errorTitle = spec.label(col_id)[:32]
        dv.error = "Välj ett värde i listan."
        ws.add_data_validation(dv)
        dv.add(f"{letter(col_id)}2:{letter(col_id)}{n + 1}")
    year_dv = DataValidation(type="whole", operator="between", formula1="2000", formula2="2100", allow_blank=True,
                             showErrorMessage=True, error="Skriv ett årtal, t.ex. 2024.", errorTitle="År")
    ws.add_data_validation(year_dv)
    year_dv.add(f"{letter('year')}2:{letter('year')}{n + 1}")

    _instructions(wb.create_sheet(spec.raw["instructions_sheet"], 0), strategy, catalogue, spec)
    wb.active = 1  # open on the data sheet
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _instructions(ws, strategy: Strategy, catalogue: Catalogue, spec: Spec) -> None:
    from openpyxl.styles import Alignment, Font

    ins = spec.raw["instructions"]
    fill = {"strategy": strategy.name, "county": strategy.county, "sheet": spec.raw["sheet"],
            "lists": spec.raw["lists_sheet"], "year_hint": "(ett år)",
            "required": ", ".join(spec.label(c) for c in spec.required)}
    rows: list[tuple[str, str, bool]] = [(ins["title"].format(**fill), "", True), ("", "", False)]
    rows += [(line.format(**fill), "", False) for line in ins["lines"]]
    rows += [("", "", False), (ins["columns_heading"], "", True)]
    rows += [(c["label"] + (" (obligatorisk)" if c.get("required") else ""), c["help"], False) for c in spec.columns]
    rows += [("", "", False), (ins["goals_heading"].format(**fill), "", True)]
    rows += [(goal_choice(g), g.goal, False) for g in strategy.goals]
    rows += [("", "", False), (ins["statuses_heading"], "", True)]
    rows += [(s["label"], "", False) for s in spec.statuses]
    for i, (a, b, bold) in enumerate(rows, start=1):
        ws.cell(row=i, column=1, value=a).font = Font(bold=bold, size=13 if i == 1 else 11)
        c = ws.cell(row=i, column=2, value=b)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 90


# --------------------------------------------------------------------------- validation


def read_plan_file(path: Path, spec: Spec | None = None, sheet: str | None = None) -> pd.DataFrame:
    """The activity sheet of an XLSX file (or a CSV file) with every cell as text.

    The sheet read is the one a person sees: ``sheet`` when given (``--sheet``), else the visible sheet named
    in the template ("Handlingsplan"), else the one visible sheet with the template's header row (a renamed
    copy). A hidden sheet is never read unasked: it is named in ``attrs["notes"]`` (or in the error when no
    visible sheet holds the plan)."""
    from analysis.data.contract import check_path
    from analysis.data.limits import check_rows, check_xlsx

    spec = spec or load_spec()
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        if sheet:
            raise AnalysisError(f"--sheet {sheet!r}: gäller bara XLSX-filer, inte {path.name}")
        return read_table(path)
    check_path(path)  # exists, a regular file (a FIFO is refused before it is opened)
    check_xlsx(path)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    except Exception as exc:  # noqa: BLE001 - a damaged workbook fails in zipfile, XML parsers or openpyxl
        raise AnalysisError(f"{path}: är ingen Excelarbetsbok (XLSX) som går att läsa ({type(exc).__name__}); "
                            "spara om den i Excel som .xlsx") from None
    ws, notes = _plan_sheet(wb, path, spec, sheet)
    rows = list(ws.iter_rows(values_only=True))
    check_rows(len(rows) - 1, path)
    if not rows:
        raise AnalysisError(f"{path}: {spec.msg('no_rows', sheet=ws.title)}")
    header = ["" if v is None else str(v).strip() for v in rows[0]]
    width = max((i + 1 for i, h in enumerate(header) if h), default=0)
    header = [h or f"Unnamed: {i}" for i, h in enumerate(header[:width])]
    records = [["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                for v in (list(r[:width]) + [None] * (width - len(r)))] for r in rows[1:]]
    df = pd.DataFrame(records, columns=header, dtype=str) if records else pd.DataFrame(columns=header, dtype=str)
    df.attrs["sheet"], df.attrs["notes"] = ws.title, notes
    return df


def _has_plan_header(ws, spec: Spec) -> bool:
    first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    names = {norm(v) for v in first if v is not None}
    return all(norm(c["label"]) in names for c in spec.columns if c.get("required"))


def _plan_sheet(wb, path: Path, spec: Spec, sheet: str | None):
    """(worksheet, notes) as :func:`read_plan_file` describes."""
    name = spec.raw["sheet"]
    if sheet is not None:
        if sheet not in wb.sheetnames:
            raise AnalysisError(f"{path}: fliken {sheet!r} finns inte; flikar: {', '.join(wb.sheetnames)}")
        return wb[sheet], []
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    hidden = [ws.title for ws in wb.worksheets if ws.sheet_state != "visible" and _has_plan_header(ws, spec)]
    named = [ws for ws in visible if ws.title == name]
    candidates = named or [ws for ws in visible if _has_plan_header(ws, spec)]
    if len(candidates) > 1:
        raise AnalysisError(f"{path}: flera synliga flikar ser ut som handlingsplanen "
                            f"({', '.join(ws.title for ws in candidates)}); välj en med --sheet NAMN")
    if not candidates:
        if hidden:
            raise AnalysisError(f"{path}: handlingsplanen ligger på en dold flik ({', '.join(hidden)}); visa "
                                "fliken i Excel eller välj den med --sheet NAMN")
        raise AnalysisError(f"{path}: {spec.msg('sheet', sheet=name)}")
    notes = [f"{path.name}: fliken {h!r} är dold och lästes inte (läste {candidates[0].title!r}; "
             f"välj en annan med --sheet NAMN)" for h in hidden]
    return candidates[0], notes


def _isin(allowed: list[str], name: str) -> pa.Check:
    """A membership check with our own name, so its message comes from the declaration."""
    import pandera.pandas as pa

    return pa.Check(lambda s: s.isin(allowed), name=name)


def _schema(spec: Spec, strategy: Strategy, catalogue: Catalogue) -> pa.DataFrameSchema:
    import pandera.pandas as pa

    start, end = strategy.period or (2000, 2100)
    is_year = lambda s: s.str.fullmatch(r"[0-9]{4}(\.0)?")  # noqa: E731
    checks = {
        "year": [pa.Check(is_year, name="year"),
                 pa.Check(lambda s: ~is_year(s) | pd.to_numeric(s.str[:4], errors="coerce").between(start, end),
                          name="year_range")],
        "goal": [_isin([g.id for g in strategy.goals], "goal")],
        "status": [_isin([s["id"] for s in spec.statuses], "status")],
        "indicator": [_isin(catalogue.ids(), "indicator")],
    }
    return pa.DataFrameSchema(
        {c["id"]: pa.Column(str, checks=checks.get(c["id"], []), nullable=not c.get("required"))
         for c in spec.columns},
        strict=False,
    )


def validate_plan(raw: pd.DataFrame, strategy: Strategy, catalogue: Catalogue, spec: Spec | None = None,
                  source: str = "handlingsplan") -> pd.DataFrame:
    """The typed plan (one row per activity, goal and status as ids, ``line`` = row in the file), or
    DataValidationError listing every problem with line and column."""
    from pandera.errors import SchemaErrors

    spec = spec or load_spec()
    by_label = {norm(c["label"]): c["id"] for c in spec.columns} | {c["id"]: c["id"] for c in spec.columns}
    headers = list(raw.columns)
    rename, letters, problems = {}, {}, []
    for j, h in enumerate(headers):
        col = by_label.get(norm(h))
        if col:
            rename[h] = col
            letters[col] = column_letter(j + 1)
        elif str(h).strip() and not str(h).startswith("Unnamed"):
            problems.append((0, j, spec.msg("unknown_column", label=h)))
    labels = ", ".join(c["label"] for c in spec.columns)
    for j, c in enumerate(spec.columns):
        if c["id"] not in letters and c.get("required"):
            problems.append((0, j, spec.msg("missing_column", label=c["label"], labels=labels)))
    if any("saknas" in p[2] for p in problems):
        raise DataValidationError(source, [p for *_, p in problems])
    df = raw.rename(columns=rename)[[c for c in spec.ids if c in letters]].copy()
    for c in spec.ids:
        if c not in df.columns:
            df[c] = ""
    df = df.astype(str).apply(lambda s: s.str.strip())
    df = df[(df != "").any(axis=1)]  # blank rows in the template are not activities
    if df.empty:
        raise DataValidationError(source, [spec.msg("no_rows", sheet=spec.raw["sheet"])])
    typed = df.replace({"": None})
    goals, statuses = goal_lookup(strategy), status_lookup(spec)
    typed["goal"] = typed["goal"].map(lambda v: goals.get(norm(v), v) if v is not None else None)
    typed["status"] = typed["status"].map(lambda v: statuses.get(norm(v), v) if v is not None else None)
    indicators = indicator_lookup(catalogue)
    typed["indicator"] = typed["indicator"].map(lambda v: indicators.get(norm(v), v) if v is not None else None)
    try:
        _schema(spec, strategy, catalogue).validate(typed, lazy=True)
    except SchemaErrors as err:
        start, end = strategy.period or (2000, 2100)
        allowed = "; ".join(goal_choice(g) for g in strategy.goals)
        for r in err.failure_cases.itertuples(index=False):
            if pd.isna(r.index) or r.column not in spec.ids:
                continue
            idx, col = int(r.index), r.column
            check = str(r.check)
            value = df.at[idx, col]
            if check == "not_nullable":
                text = spec.msg("required")
            elif check in ("year", "goal", "status", "indicator"):
                text = spec.msg(check, value=value, allowed=allowed)
            elif check == "year_range":
                text = spec.msg("year_range", value=value, start=start, end=end)
            else:
                text = f"{value!r}: {check}"
            where = spec.msg("where", line=idx + 2, letter=letters.get(col, "?"), label=spec.label(col))
            problems.append((idx + 2, spec.ids.index(col), f"{where}: {text}"))
    if problems:
        seen, out = set(), []
        for *_, p in sorted(problems, key=lambda p: (p[0], p[1])):
            if p not in seen:
                seen.add(p)
                out.append(p)
        raise DataValidationError(source, out)
    typed["year"] = typed["year"].str[:4].astype(int)
    typed["line"] = typed.index + 2
    return typed.fillna("").reset_index(drop=True)


def load_plan_file(path: Path, strategy: Strategy, catalogue: Catalogue, spec: Spec | None = None,
                   sheet: str | None = None) -> pd.DataFrame:
    raw = read_plan_file(path, spec, sheet)
    plan = validate_plan(raw, strategy, catalogue, spec, source=str(path))
    plan.attrs["sheet"], plan.attrs["notes"] = raw.attrs.get("sheet"), raw.attrs.get("notes", [])
    return plan


# --------------------------------------------------------------------------- import and reading


def plan_root(config: Config) -> Path:
    """The folder of every län's imported plans (``plan_dir``)."""
    return config.raw_dir / RAW_DIR


def plan_dir(config: Config, county: str) -> Path:
    return plan_root(config) / f"lan-{str(county).zfill(2)}"


@dataclass
class PlanImport:
    snapshot: Path
    rows: int
    years: list[int]
    notes: tuple[str, ...] = ()  # e.g. a hidden sheet that was not read


def import_plan(path: Path, county: str | None = None, producer: str = "Beredningsgruppen",
                title: str | None = None, url: str | None = None, licence: str = "enligt leverantören",
                config: Config | None = None, sheet: str | None = None) -> PlanImport:
    """Validate a filled plan and keep it with provenance; nothing is kept when it is invalid."""
    from analysis.data.importer import keep_snapshot

    config = config or load_config()
    county = str(county or config.county).zfill(2)
    strategy = load_strategy(county, config.root)
    plan = load_plan_file(path, strategy, load_catalogue(config.root), load_spec(config.root), sheet)
    years = sorted(int(y) for y in plan["year"].unique())
    meta = {
        "title": title or f"Handlingsplan {', '.join(map(str, years))}: {strategy.name}",
        "producer": producer, "url": url or f"file://{Path(path).resolve()}", "licence": licence,
        "county": county, "years": years, "rows": int(len(plan)), "example": False,
    }
    if plan.attrs.get("sheet"):
        meta["sheet"] = plan.attrs["sheet"]  # the reports read the same sheet of the kept copy
    from analysis.locks import data_lock

    with data_lock(config.root):  # one writer of data/ at a time
        target = keep_snapshot(Path(path), plan_dir(config, county), meta)
    return PlanImport(target, len(plan), years, tuple(plan.attrs.get("notes") or ()))



def load_plan(county: str, year: int, config: Config | None = None) -> Plan | None:
    """The county's plan for ``year``: the latest imported file with that year, else an example plan."""
    config = config or load_config()
    county = str(county).zfill(2)
    files = snapshot_files(plan_dir(config, county))
    if not files:
        return None
    spec = load_spec(config.root)
    strategy = load_strategy(county, config.root)
    catalogue = load_catalogue(config.root)
    candidates = []
    for f in files:
        snap = load_snapshot(f)  # checksum verified
        raw, stale = split_stale_goals(read_plan_file(f, spec, snap.meta.get("sheet")), strategy, spec, int(year))
        rows = validate_plan(raw, strategy, catalogue, spec, source=str(f)) if len(raw) else raw.iloc[0:0]
        rows = rows[rows["year"] == int(year)] if len(rows) else rows
        if len(rows) or stale:
            candidates.append((not bool(snap.meta.get("example")), f.name, rows, snap, stale))
    if not candidates:
        return None
    real, _, rows, snap, stale = sorted(candidates, key=lambda c: (c[0], c[1]))[-1]
    if not len(rows):
        rows = pd.DataFrame(columns=[*spec.ids, "line"])
    return Plan(county, int(year), rows.reset_index(drop=True), not real, snap.meta, snap.path, spec, tuple(stale))


def split_stale_goals(raw: pd.DataFrame, strategy: Strategy, spec: Spec, year: int | None = None
                      ) -> tuple[pd.DataFrame, list[str]]:
    """(rows whose goal is in the strategy, one line per row of ``year`` left out because its goal no longer
    is): a goal renamed after the plan was imported costs only those rows, never the reports."""
    label = norm(spec.label("goal"))
    col = next((c for c in raw.columns if norm(c) in (label, "goal")), None)
    if col is None:
        return raw, []
    goals = goal_lookup(strategy)
    value = raw[col].astype(str).str.strip()
    stale = (value != "") & ~value.map(lambda v: norm(v) in goals)
    year_col = next((c for c in raw.columns if norm(c) in (norm(spec.label("year")), "year")), None)
    notes = []
    for idx in raw.index[stale]:
        if year is not None and year_col is not None and str(raw.at[idx, year_col]).strip()[:4] != str(year):
            continue  # another year's row: not shown anyway
        notes.append(spec.msg("stale_goal", line=int(idx) + 2, value=raw.at[idx, col]))
    return raw[~stale], notes
