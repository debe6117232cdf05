"""One computation path from the tidy table to what reports and the CLI show.

:func:`load_results` validates the data and computes gaps and trends once; the ``*_table`` functions
select and label rows for one area (its own values, its län's and riket's) without computing anything new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError
from analysis.domain.catalogue import Catalogue, load_catalogue
from analysis.config import Config, load_config
from analysis.data.contract import SEXES, load_tidy
from analysis.compute.coverage import Missing, demonstration_only, missing_for_area
from analysis.compute.gaps import compute_gaps, compute_trends, suppress
from analysis.domain.geography import Area, Geography, load_geography
from analysis.compute.groups import Grouping, compute_group_gaps, compute_group_values, compute_positions, load_grouping
from analysis.domain.strategy import Strategy, load_strategy

def _positions(frame: pd.DataFrame, columns: list[str]) -> dict:
    """The row positions of ``frame`` per combination of values in ``columns`` (a value alone for one column, a
    tuple for several), rows with a missing value left out, as pandas' ``groupby(columns).indices`` gives them.
    Built from plain lists: a report indexes ≈ 60 small frames, where each groupby cost ≈ 1 ms."""
    values = [frame[c].tolist() for c in columns]
    keys = values[0] if len(columns) == 1 else zip(*values)
    out: dict = {}
    for i, key in enumerate(keys):
        out.setdefault(key, []).append(i)
    if any(_missing(v) for column in values for v in column):
        out = {k: v for k, v in out.items() if not any(map(_missing, k if isinstance(k, tuple) else (k,)))}
    return out


def _missing(value) -> bool:
    """None, pandas' NA or NaN (a value unequal to itself): a key groupby leaves out."""
    return value is None or value is pd.NA or value != value


@dataclass
class Results:
    config: Config
    catalogue: Catalogue
    geography: Geography
    strategy: Strategy
    year: int
    baseline_year: int
    tidy: pd.DataFrame  # suppression applied
    gaps: pd.DataFrame
    trends: pd.DataFrame
    data_path: Path
    # Comparison groups of similar kommuner (analysis.compute.groups): computed once, here, with the gaps.
    grouping: Grouping | None = None
    group_values: pd.DataFrame | None = None  # per group, indicator, year, sex, group: value and n
    group_gaps: pd.DataFrame | None = None  # per group, indicator, year, sex: utrikes − inrikes
    positions: pd.DataFrame | None = None  # every kommun's place within its group and riket
    #: the artefact folder the results were read from (analysis.compute.artefact), None when computed here
    artefact: Path | None = None
    #: what :meth:`rows` made, kept (read-only results: what was selected once stays valid): each table split
    #: by indicator, each (table, indicator, columns) indexed, each selection
    _parts: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _indices: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _selections: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def plan(self, county: str):
        """The län's handlingsplan for the report year (:class:`~analysis.domain.handlingsplan.Plan`) or None:
        as validated when the results were computed (:mod:`analysis.compute.plans`), else loaded and validated
        now. A plan that does not validate raises its error (:class:`~analysis.errors.AnalysisError`)."""
        if self.artefact is not None:
            from analysis.compute.plans import read_plan

            return read_plan(self.artefact, county, self.year, self.config)
        from analysis.data.handlingsplan import load_plan

        return load_plan(county, self.year, self.config)

    def rows(self, table: str, indicator: str, **where) -> pd.DataFrame:
        """The rows of a results table for one indicator where every column named equals its value (read-only).

        Selection only. Each table is split by indicator once and each (table, indicator, columns) indexed once
        (the positions of the rows per combination of values), and every selection is kept: a report's
        notebooks share one Results (:func:`analysis.compute.artefact.open_results`) and make thousands of lookups, a
        comparison of whole columns each when done with masks."""
        key = (table, indicator, tuple(where.items()))
        if key not in self._selections:
            if table not in self._parts:
                df = getattr(self, table)
                self._parts[table] = {k: v for k, v in df.groupby("indicator", sort=False)}, df.iloc[0:0]
            parts, empty = self._parts[table]
            part = parts.get(indicator, empty)
            if where:
                columns = (table, indicator, tuple(where))
                if columns not in self._indices:
                    self._indices[columns] = _positions(part, list(where))
                wanted = tuple(where.values())
                pos = self._indices[columns].get(wanted if len(wanted) > 1 else wanted[0])
                part = part.iloc[pos] if pos is not None else empty
            self._selections[key] = part
        return self._selections[key]

    def row(self, table: str, indicator: str, **where):
        """The first row of :meth:`rows` as a Series, or None; made once per selection and kept (read-only):
        a report asks for the same row many times, and each Series made from a row cost ≈ 40 µs."""
        key = ("row", table, indicator, tuple(where.items()))
        if key not in self._selections:
            rows = self.rows(table, indicator, **where)
            self._selections[key] = rows.iloc[0] if len(rows) else None
        return self._selections[key]

    @property
    def has_example_data(self) -> bool:
        return bool(self.tidy["example"].any())

    def area(self, code: str) -> Area:
        return self.geography.area(code)

    def provenance(self, ind) -> list[str]:
        """How the indicator's real figures reached us, one line per snapshot kind (the rows' ``source``, written
        by :func:`analysis.data.provenance.source_label` from each raw snapshot's sidecar)."""
        rows = self.rows("tidy", ind.id)
        return sorted(set(rows.loc[~rows["example"], "source"]))

    def source_text(self, ind) -> str:
        """"SCB, Befolkningens arbetsmarknadsstatus (BAS), AM0210 (SCB BAS, hämtad ur Region Hallands öppna data,
        ej kontrollerad mot SCB)": the producer and statistic, then how the figures reached us."""
        text = f"{ind.producer}, {ind.source['statistic']}"
        carried = self.provenance(ind)
        return text + (f" ({'; '.join(carried)})" if carried else "")

    def attribution(self, ind) -> str:
        """Credit line for processed figures: the producer, how the figures reached us, "egen bearbetning"."""
        return f"Källa: {self.source_text(ind)}; egen bearbetning"

    def latest_year(self, indicator: str, code: str) -> int | None:
        rows = self.tidy[(self.tidy["indicator"] == indicator) & (self.tidy["geo_code"] == code)]
        rows = rows[rows["value"].notna() & (rows["year"] <= self.year)]
        return int(rows["year"].max()) if len(rows) else None


def load_results(
    year: int | None = None,
    county: str | None = None,
    data: Path | None = None,
    baseline_year: int | None = None,
    config: Config | None = None,
) -> Results:
    """Validate the tidy data and compute gaps and trends for the report year."""
    config = config or load_config()
    catalogue = load_catalogue(config.root)
    geography = load_geography(config.root)
    county = str(county or config.county).zfill(2)
    strategy = load_strategy(county, config.root)
    year = int(year or config.year)
    baseline = int(baseline_year or config.baseline_year or strategy.baseline_year)
    path = Path(data) if data else config.data_path
    tidy = suppress(load_tidy(path, catalogue, geography), catalogue)
    tidy = demonstration_only(tidy, geography, county)
    # A year without any rows is not an error: every indicator then says "uppgift saknas" and why.
    gaps = compute_gaps(tidy, catalogue, geography, suppressed=True)
    trends = compute_trends(tidy, catalogue, baseline, year, geography, gaps=gaps)
    grouping = load_grouping(config, geography)
    group_values = compute_group_values(tidy, catalogue, grouping)
    group_gaps = compute_group_gaps(group_values, catalogue)
    positions = compute_positions(tidy, gaps, catalogue, grouping, geography)
    return Results(config, catalogue, geography, strategy, year, baseline, tidy, gaps, trends, path,
                   grouping, group_values, group_gaps, positions)


def missing_indicators(results: Results, code: str) -> list[Missing]:
    """Indicators without figures for the area in the report year, each with its reason and how to get them."""
    return missing_for_area(results.catalogue, code, results.year, results.tidy, results.geography,
                            results.config.county)


def check_year(year: int) -> int:
    """``year`` when it can be a report year, else a one-line error that says it is impossible."""
    from analysis.data.contract import YEAR_MAX, YEAR_MIN

    if not YEAR_MIN <= int(year) <= YEAR_MAX:
        shown = str(year) if len(str(year)) <= 12 else str(year)[:12] + "…"
        raise AnalysisError(f"--year {shown}: är inget möjligt rapportår (ett årtal {YEAR_MIN}–{YEAR_MAX})")
    return int(year)


def require_year_data(results: Results, code: str) -> None:
    """A one-line error when the data have no row at all for the report year for ``code``, its län or riket
    (nothing to compare: exit ≠ 0 rather than a table of "uppgift saknas")."""
    chain = [a.code for a in results.geography.comparison_areas(code)]
    tidy = results.tidy
    if not (tidy["geo_code"].isin(chain) & (tidy["year"] == results.year)).any():
        years = sorted(tidy.loc[tidy["geo_code"].isin(chain), "year"].unique())
        have = f"data finns för {years[0]}–{years[-1]}" if years else "datafilen har inga uppgifter för området"
        raise AnalysisError(f"{results.data_path.name}: inga uppgifter för {results.year} för "
                            f"{results.geography.area(code).name} ({code}), länet eller riket ({have}).")


def area_gap_table(results: Results, code: str, sexes: tuple[str, ...] = ("T", "K", "M")) -> pd.DataFrame:
    """Gap rows for the report year: the area, its län and riket, every indicator, labelled for display."""
    chain = results.geography.comparison_areas(code)
    codes = [a.code for a in chain]
    g = results.gaps
    g = g[(g["year"] == results.year) & g["geo_code"].isin(codes) & g["sex"].isin(sexes)]
    # Indicators without a native group: the kommun vs län and riket, the län vs riket.
    keep = (g["comparison"] == "inrikes") | (g["geo_code"] == code)
    # ... and for one that has no kommun level, the kommun's län vs riket (the län is what the report shows).
    lan_only = [i.id for i in results.catalogue if "kommun" not in i.levels]
    if len(chain) == 3:
        keep |= g["indicator"].isin(lan_only) & (g["geo_code"] == chain[1].code)
    g = g[keep].copy()
    tr = results.trends.set_index(["indicator", "geo_code", "sex"])
    order = {c: i for i, c in enumerate(codes)}
    rows = []
    for ind in results.catalogue:
        sub = g[g["indicator"] == ind.id]
        sub = sub.assign(_o=sub["geo_code"].map(order), _s=sub["sex"].map({"T": 0, "K": 1, "M": 2}))
        placed_group = False
        for r in sub.sort_values(["_o", "comparison", "_s"]).itertuples(index=False):
            if not placed_group and r.geo_code != code:
                rows += group_gap_rows(results, ind, code, sexes)
                placed_group = True
            key = (ind.id, r.geo_code, r.sex)
            trend = tr.loc[key] if key in tr.index else None
            rows.append(
                {
                    "indicator": ind.id,
                    "title": ind.title,
                    "focus_area": ind.focus_area,
                    "geo_code": r.geo_code,
                    "area": results.geography.area(r.geo_code).name,
                    "level": r.level,
                    "year": r.year,
                    "sex": r.sex,
                    "sex_label": SEXES[r.sex],
                    "subject": ind.group_label("utrikes") if ind.is_native else results.geography.area(r.geo_code).name,
                    "value_subject": r.value_subject,
                    "status_subject": r.status_subject,
                    "reference": (
                        ind.group_label("inrikes") if ind.is_native
                        else results.geography.area(r.reference_code).name
                    ),
                    "value_reference": r.value_reference,
                    "status_reference": r.status_reference,
                    "comparison": r.comparison,
                    "gap": r.gap,
                    "disadvantage": r.disadvantage,
                    "ratio": r.ratio,
                    "unit": ind.unit,
                    "diff_unit": ind.diff_unit,
                    "status": r.status,
                    "trend_status": None if trend is None else trend["status"],
                    "trend_change": None if trend is None else trend["change"],
                    "baseline_year": results.baseline_year,
                    "example": bool(r.example),
                    "source": "Exempeldata – inte verklig statistik" if r.example else results.attribution(ind),
                }
            )
    return pd.DataFrame(rows)


def group_gap_rows(results: Results, ind, code: str, sexes: tuple[str, ...]) -> list[dict]:
    """Rows for the kommun's comparison group (level "kommungrupp"), in the columns of :func:`area_gap_table`."""
    grouping = results.grouping
    area = results.geography.area(code)
    if grouping is None or area.level != "kommun" or "kommun" not in ind.levels:
        return []
    group = grouping.group_of(code)
    if group is None:
        return []
    rows = []
    for sex in sexes:
        if ind.is_native:
            g = results.group_gaps
            sel = g[(g["indicator"] == ind.id) & (g["group_id"] == group.id) & (g["year"] == results.year)
                    & (g["sex"] == sex)]
            if sel.empty:
                continue
            r = sel.iloc[0]
            values = dict(value_subject=r["value_subject"], value_reference=r["value_reference"], gap=r["gap"],
                          disadvantage=r["disadvantage"], n=int(min(r["n_subject"], r["n_reference"])),
                          ratio=(r["value_subject"] / r["value_reference"]) if r["status"] == "" and r["value_reference"] else None)
            status, subject, reference = r["status"], ind.group_label("utrikes"), ind.group_label("inrikes")
        else:
            v = results.group_values
            sel = v[(v["indicator"] == ind.id) & (v["group_id"] == group.id) & (v["year"] == results.year)
                    & (v["sex"] == sex) & (v["group"] == "total")]
            if sel.empty:
                continue
            r = sel.iloc[0]
            values = dict(value_subject=r["value"], value_reference=None, gap=None, disadvantage=None, n=int(r["n"]),
                          ratio=None)
            status, subject, reference = r["status"], group.display_name, ""
        rows.append({
            "indicator": ind.id, "title": ind.title, "focus_area": ind.focus_area, "geo_code": group.id,
            "area": f"Kommungrupp {group.id}" if group.kind == "skr" else "Liknande kommuner",
            "group_name": group.name, "level": "kommungrupp", "year": results.year, "sex": sex,
            "sex_label": SEXES[sex], "subject": subject, "value_subject": values["value_subject"],
            "status_subject": status, "reference": reference, "value_reference": values["value_reference"],
            "status_reference": status, "comparison": "inrikes" if ind.is_native else "kommungrupp",
            "gap": values["gap"], "disadvantage": values["disadvantage"], "ratio": values["ratio"],
            "unit": ind.unit, "diff_unit": ind.diff_unit, "status": status, "trend_status": "",
            "trend_change": None, "baseline_year": results.baseline_year, "example": bool(r["example"]),
            "source": ("Exempeldata – inte verklig statistik" if r["example"] else results.attribution(ind))
            + f"; {grouping.title}, {grouping.method_text} ({values['n']} av {len(group.members)} kommuner)",
            "n_kommuner": values["n"],
        })
    return rows
