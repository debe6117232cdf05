"""Comparison groups of similar kommuner: SKR's kommungrupper, or Kolada's municipality groups.

The grouping is data (``data/raw/skr/`` with a provenance sidecar, described by ``data/groupings/*.yml``;
the edition in use is named in ``analysis.yml`` under ``kommungrupp``), validated with pandera against the
geography: every one of the 290 kommuner exactly once, codes as 4-character strings, group codes and
sizes as declared.

Group values are computed once, with the gaps and trends (:func:`compute_group_values`):

* unweighted mean of the group's kommuner that have a value (as Kolada computes its group values);
  with ``method: weighted`` a share is instead pooled (Σ numerator / Σ denominator) where every kommun
  with a value has its counts;
* suppressed and missing values are left out, and the number of kommuner the value rests on is kept;
* a group value needs values for at least ``min_coverage`` of the group's kommuner, otherwise it is
  missing (``..``); a value resting on any example value is itself example data.

:func:`compute_positions` places every kommun within its group and within riket (rank 1 = the smallest
disadvantage for utrikes födda, or the best level); kommuner without a value are never ranked.
"""

from __future__ import annotations

import re

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import yamlio
from analysis.domain.catalogue import Catalogue
from analysis.config import Config
from analysis.errors import AnalysisError, DataValidationError
from analysis.domain.geography import Geography
from analysis.domain.groups import ComparisonGroup
from analysis.data.provenance import Snapshot, load_snapshot, snapshot_files

DEFAULTS = {
    "source": "skr",
    "skr": "data/groupings/skr-2023.yml",
    "method": "unweighted",
    "min_coverage": 0.5,
    "kolada": {},
}
METHODS = {
    "unweighted": "ovägt medelvärde av kommunerna med värde",
    "weighted": "vägt värde (summa täljare / summa nämnare) där alla kommuner med värde har antal, annars ovägt medelvärde",
}
METHOD_WORD = {"unweighted": "ovägt medelvärde", "weighted": "vägt värde"}

GROUP_VALUE_COLUMNS = [
    "indicator", "group_id", "year", "sex", "group", "age_band", "value", "n", "n_members", "method",
    "status", "example",
]
GROUP_GAP_COLUMNS = [
    "indicator", "group_id", "year", "sex", "value_subject", "value_reference", "n_subject", "n_reference",
    "n_members", "gap", "disadvantage", "status", "example",
]
POSITION_COLUMNS = [
    "indicator", "geo_code", "year", "sex", "group_id", "measure", "disadvantage", "rank_group", "n_group",
    "rank_riket", "n_riket", "example",
]


@dataclass
class Grouping:
    """The comparison groups in use and which group each kommun is compared with."""

    title: str
    groups: dict[str, ComparisonGroup]
    by_kommun: dict[str, str]
    method: str = "unweighted"
    min_coverage: float = 0.5
    snapshots: list[Snapshot] = field(default_factory=list)
    note: str = ""

    def group_of(self, code: str) -> ComparisonGroup | None:
        gid = self.by_kommun.get(code)
        return self.groups.get(gid) if gid else None

    def memberships(self) -> pd.DataFrame:
        """(group_id, geo_code) for every member of every group (a kommun may be in several Kolada groups)."""
        rows = [(g.id, m) for g in self.groups.values() for m in g.members]
        return pd.DataFrame(rows, columns=["group_id", "geo_code"]).drop_duplicates()

    @property
    def method_text(self) -> str:
        return METHODS[self.method]

    def to_json(self, root: Path) -> dict:
        """The validated grouping as JSON (snapshot paths relative to the project ``root``), so the results
        artefact carries it and a report or an up-to-date check never validates the file again."""
        return {
            "title": self.title, "by_kommun": self.by_kommun, "method": self.method,
            "min_coverage": self.min_coverage, "note": self.note,
            "groups": [[g.id, g.name, list(g.members), g.kind, g.main_group] for g in self.groups.values()],
            "snapshots": [[_relative(s.path, root), s.meta] for s in self.snapshots],
        }

    @classmethod
    def from_json(cls, data: dict, root: Path) -> Grouping:
        groups = {g[0]: ComparisonGroup(g[0], g[1], tuple(g[2]), g[3], g[4]) for g in data["groups"]}
        return cls(data["title"], groups, dict(data["by_kommun"]), data["method"], float(data["min_coverage"]),
                   [Snapshot(Path(root) / path, meta) for path, meta in data["snapshots"]], data["note"])

    @property
    def source_text(self) -> str:
        return self.title


# --------------------------------------------------------------------------- configuration


def _relative(path: Path, root: Path) -> str:
    path, root = Path(path).resolve(), Path(root).resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def grouping_config(config: Config) -> dict:
    raw = config.extra.get("kommungrupp") or {}
    if not isinstance(raw, dict):
        raise AnalysisError("analysis.yml: kommungrupp måste vara en tabell (source, skr, method, …).")
    cfg = {**DEFAULTS, **raw}
    if cfg["source"] not in ("skr", "kolada"):
        raise AnalysisError(f"analysis.yml: kommungrupp.source {cfg['source']!r} ska vara skr eller kolada.")
    if cfg["method"] not in METHODS:
        raise AnalysisError(f"analysis.yml: kommungrupp.method {cfg['method']!r} ska vara {' eller '.join(METHODS)}.")
    try:
        cfg["min_coverage"] = float(cfg["min_coverage"])
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"analysis.yml: kommungrupp.min_coverage måste vara ett tal: {exc}") from exc
    if not 0 < cfg["min_coverage"] <= 1:
        raise AnalysisError("analysis.yml: kommungrupp.min_coverage ska ligga mellan 0 och 1.")
    return cfg


def _path(config: Config, p: str | Path) -> Path:
    p = Path(p)
    return p if p.is_absolute() else config.root / p


# --------------------------------------------------------------------------- SKR grouping file


def _line(index) -> str:
    try:
        return f"rad {int(index) + 2}"
    except (TypeError, ValueError):
        return "(hela tabellen)"


def _check_words(check) -> str:
    """pandera's check name in Swedish: "str_matches('^[0-9]{4}$')" -> "har inte formen ^[0-9]{4}$"."""
    text = str(check)
    m = re.fullmatch(r"str_matches\('(.*)'\)", text)
    if m:
        return f"har inte formen {m.group(1)}"
    m = re.fullmatch(r"str_length\((\d+), None\)", text)
    if m:
        return f"är kortare än {m.group(1)} tecken" if m.group(1) != "1" else "är tom"
    if text == "field_uniqueness":
        return "förekommer mer än en gång"
    if text == "column_in_dataframe":
        return "kolumnen saknas"
    if text == "column_in_schema":
        return "kolumnen hör inte till formatet"
    return f"klarar inte kontrollen {text}"


def load_spec(path: Path) -> dict:
    if not path.is_file():
        raise AnalysisError(f"Kommungruppsindelningen saknas: {path} (se kommungrupp.skr i analysis.yml).")
    spec = yamlio.read(path) or {}
    missing = [k for k in ("title", "file", "columns", "groups") if not spec.get(k)]
    if missing:
        raise AnalysisError(f"{path}: saknar {', '.join(missing)}")
    return spec


def validate_grouping(table: pd.DataFrame, spec: dict, geography: Geography, source: str) -> pd.DataFrame:
    """The grouping table with columns code, name, main_group, group, group_name; every problem at once."""
    cols = spec["columns"]
    problems: list[tuple[int, str]] = []
    missing = [c for c in cols.values() if c not in table.columns]
    if missing:
        raise DataValidationError(source, [f"kolumn {c}: kolumnen krävs men saknas" for c in missing])
    df = table.rename(columns={v: k for k, v in cols.items()})[list(cols)].copy()
    for c in df.columns:
        df[c] = df[c].astype("str").str.strip()
    from pandera.errors import SchemaErrors  # pandera only where a grouping file is validated

    from analysis.compute.grouping_schema import GroupingSchema

    try:
        GroupingSchema.validate(df, lazy=True)
    except SchemaErrors as err:
        for r in err.failure_cases.itertuples(index=False):
            col = cols.get(r.column, r.column)
            order = int(r.index) if pd.notna(r.index) else -1
            problems.append((order, f"{_line(r.index)}, kolumn {col}: {r.failure_case!r} {_check_words(r.check)}"))
    declared = spec["groups"]
    main_groups = spec.get("main_groups", {})
    kommuner = {a.code: a for a in geography.kommuner}
    for idx, r in df.iterrows():
        where = f"{_line(idx)}"
        if r["code"] not in kommuner:
            problems.append((idx, f"{where}, kolumn {cols['code']}: {r['code']!r} är ingen kommunkod"))
        elif kommuner[r["code"]].name != r["name"]:
            problems.append((idx, (f"{where}, kolumn {cols['name']}: {r['name']!r} är inte namnet på "
                                  f"{r['code']} ({kommuner[r['code']].name})")))
        g = declared.get(r["group"])
        if g is None:
            problems.append((idx, (f"{where}, kolumn {cols['group']}: {r['group']!r} är ingen deklarerad grupp "
                                  f"({', '.join(declared)})")))
            continue
        if r["group_name"] not in {g["name"], *g.get("file_names", [])}:
            problems.append((idx, (f"{where}, kolumn {cols['group_name']}: {r['group_name']!r} är inte namnet på "
                                  f"grupp {r['group']} ({g['name']})")))
        main = main_groups.get(r["group"][:1])
        if main_groups and main != r["main_group"]:
            problems.append((idx, (f"{where}, kolumn {cols['main_group']}: {r['main_group']!r} är inte huvudgrupp "
                                  f"{r['group'][:1]} ({main})")))
    dupes = df[df["code"].duplicated(keep=False)]
    absent = sorted(set(kommuner) - set(df["code"]))
    if absent:
        problems.append((10**9, f"(hela tabellen): {len(absent)} kommun(er) saknar grupp: "
                                f"{', '.join(f'{c} {kommuner[c].name}' for c in absent[:10])}"
                                + (" …" if len(absent) > 10 else "")))
    sizes = df.drop_duplicates("code")["group"].value_counts()
    for gid, g in declared.items():
        if g.get("size") is not None and int(sizes.get(gid, 0)) != int(g["size"]):
            problems.append((10**9, (f"(hela tabellen): grupp {gid} har {int(sizes.get(gid, 0))} kommuner, "
                                    f"deklarerat {g['size']}")))
    if problems or len(dupes):
        msgs = {m: o for o, m in sorted(problems, key=lambda p: p[0])}
        raise DataValidationError(source, list(msgs))
    return df


def load_skr_grouping(config: Config, geography: Geography, spec_path: str | Path,
                      cfg: dict | None = None) -> Grouping:
    cfg = cfg or grouping_config(config)
    spec_file = _path(config, spec_path)
    spec = load_spec(spec_file)
    data_file = _path(config, spec["file"])
    snap = load_snapshot(data_file)
    table = pd.read_csv(data_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df = validate_grouping(table, spec, geography, str(data_file))
    groups = {
        gid: ComparisonGroup(gid, g["name"], tuple(sorted(df.loc[df["group"] == gid, "code"])), "skr",
                             spec.get("main_groups", {}).get(gid[:1], ""))
        for gid, g in spec["groups"].items()
    }
    return Grouping(spec["title"], groups, dict(zip(df["code"], df["group"])), cfg["method"],
                    cfg["min_coverage"], [snap])


# --------------------------------------------------------------------------- Kolada municipality groups


def load_grouping(config: Config, geography: Geography) -> Grouping:
    """The grouping named in analysis.yml: SKR's kommungrupper, or Kolada groups for the kommuner configured."""
    cfg = grouping_config(config)
    skr = load_skr_grouping(config, geography, cfg["skr"], cfg)
    if cfg["source"] == "skr":
        return skr
    kcfg = cfg["kolada"] or {}
    chosen = {str(k).zfill(4): str(v) for k, v in (kcfg.get("groups") or {}).items()}
    if not kcfg.get("snapshot"):
        raise AnalysisError("analysis.yml: kommungrupp.kolada.snapshot saknas (hämta grupperna med "
                            "`analysis fetch-groups` och ange mappen här).")
    path = _path(config, kcfg["snapshot"])
    files = snapshot_files(path, "*.json") if path.is_dir() else [path]
    if not files:
        raise AnalysisError(f"analysis.yml: kommungrupp.kolada.snapshot {path}: inga sparade svar (kör `analysis fetch-groups`).")
    from analysis.data.sources.kolada_groups import parse_kolada_groups

    snaps, kolada_groups = [], {}
    for f in files:
        snaps.append(load_snapshot(f))
        kolada_groups.update(parse_kolada_groups(json.loads(f.read_text(encoding="utf-8")), geography, str(f)))
    unknown = [f"{k}: {v}" for k, v in chosen.items() if v not in kolada_groups]
    bad_codes = [k for k in chosen if k not in geography or geography.area(k).level != "kommun"]
    if unknown or bad_codes:
        raise AnalysisError(
            "analysis.yml: kommungrupp.kolada.groups: "
            + "; ".join([f"okänd grupp i {path.name}: {u}" for u in unknown]
                        + [f"{k} är ingen kommunkod" for k in bad_codes])
        )
    groups = {**skr.groups, **{gid: kolada_groups[gid] for gid in set(chosen.values())}}
    by_kommun = {**skr.by_kommun, **chosen}
    title = f"Koladas kommungrupper (liknande kommuner) för {len(chosen)} kommun(er), i övrigt {skr.title}"
    note = ("Kommuner med en vald Kolada-grupp jämförs med den gruppen; övriga med sin kommungrupp enligt "
            f"{skr.title}.")
    return Grouping(title, groups, by_kommun, cfg["method"], cfg["min_coverage"], skr.snapshots + snaps, note)


# --------------------------------------------------------------------------- group values


def compute_group_values(tidy: pd.DataFrame, catalogue: Catalogue, grouping: Grouping) -> pd.DataFrame:
    """One value per group, indicator, year, sex and group (utrikes/inrikes/total); tidy must be suppressed."""
    members = grouping.memberships()
    if members.empty or tidy.empty:
        return pd.DataFrame(columns=GROUP_VALUE_COLUMNS)
    size = members.groupby("group_id").size().rename("n_members")
    rows = tidy.merge(members, on="geo_code", how="inner")
    rows = rows[rows["value"].notna() & (rows["status"] == "")]
    if rows.empty:
        return pd.DataFrame(columns=GROUP_VALUE_COLUMNS)
    keys = ["indicator", "group_id", "year", "sex", "group", "age_band"]
    rows = rows.assign(_counts=rows["numerator"].notna() & rows["denominator"].notna() & (rows["denominator"] > 0))
    agg = rows.groupby(keys).agg(
        value=("value", "mean"), n=("value", "size"), example=("example", "any"),
        num=("numerator", "sum"), den=("denominator", "sum"), all_counts=("_counts", "all"),
    ).reset_index()
    agg = agg.join(size, on="group_id")
    agg["method"] = "unweighted"
    if grouping.method == "weighted":
        unit = agg["indicator"].map({i.id: i.unit for i in catalogue})
        pooled = agg["all_counts"] & (unit == "procent")
        agg.loc[pooled, "value"] = agg.loc[pooled, "num"] / agg.loc[pooled, "den"] * 100
        agg.loc[pooled, "method"] = "weighted"
    too_few = agg["n"] < np.ceil(grouping.min_coverage * agg["n_members"] - 1e-9)
    agg.loc[too_few, "value"] = np.nan
    agg["status"] = np.where(too_few, "..", "")
    agg["value"] = agg["value"].round(6)
    return agg[GROUP_VALUE_COLUMNS].sort_values(keys).reset_index(drop=True)


def compute_group_gaps(values: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """utrikes − inrikes between the two group values, for indicators with a native comparison group (the one gap
    rule of :func:`analysis.compute.gaps.apply_gap`)."""
    from analysis.compute.gaps import apply_gap, native_pairs

    out = []
    keys = ["indicator", "group_id", "year", "sex"]
    for ind in catalogue:
        if not ind.is_native:
            continue
        sub, ref = native_pairs(values[values["indicator"] == ind.id], keys)
        if not len(sub):
            continue
        df = pd.DataFrame({
            "value_subject": sub["value"], "value_reference": ref["value"],
            "status_subject": sub["status"].fillna(".."), "status_reference": ref["status"].fillna(".."),
            "n_subject": sub["n"].fillna(0).astype(int), "n_reference": ref["n"].fillna(0).astype(int),
            "n_members": sub["n_members"].fillna(ref["n_members"]).astype(int),
            "example": sub["example"].fillna(False).astype(bool) | ref["example"].fillna(False).astype(bool),
        }, index=sub.index).reset_index()
        out.append(apply_gap(ind, df)[GROUP_GAP_COLUMNS])
    if not out:
        return pd.DataFrame(columns=GROUP_GAP_COLUMNS)
    return pd.concat(out, ignore_index=True)


def compute_positions(tidy: pd.DataFrame, gaps: pd.DataFrame, catalogue: Catalogue, grouping: Grouping,
                      geography: Geography) -> pd.DataFrame:
    """Every kommun's place within its group and within riket, per indicator, year and sex.

    Native indicators are placed by the gap (``disadvantage``: positive = utrikes födda worse off), others by
    the level in the catalogue's direction; rank 1 = the smallest disadvantage (best level). Ties share the
    lower rank. Missing and suppressed values are never ranked and not counted.
    """
    kommuner = {a.code for a in geography.kommuner}
    parts = []
    for ind in catalogue:
        if "kommun" not in ind.levels:
            continue
        if ind.is_native:
            g = gaps[(gaps["indicator"] == ind.id) & (gaps["comparison"] == "inrikes") & (gaps["status"] == "")]
            g = g[g["geo_code"].isin(kommuner)]
            m = g[["geo_code", "year", "sex", "gap", "disadvantage", "example"]].rename(columns={"gap": "measure"})
        else:
            t = tidy[(tidy["indicator"] == ind.id) & (tidy["group"] == "total") & tidy["value"].notna()
                     & (tidy["status"] == "") & tidy["geo_code"].isin(kommuner)]
            m = t[["geo_code", "year", "sex", "value", "example"]].rename(columns={"value": "measure"})
            m["disadvantage"] = -m["measure"] if ind.higher_is_better else m["measure"]
        if m.empty:
            continue
        m = m.assign(indicator=ind.id)
        m["rank_riket"] = m.groupby(["year", "sex"])["disadvantage"].rank(method="min").astype(int)
        m["n_riket"] = m.groupby(["year", "sex"])["disadvantage"].transform("size").astype(int)
        parts.append(m)
    if not parts:
        return pd.DataFrame(columns=POSITION_COLUMNS)
    allm = pd.concat(parts, ignore_index=True)
    own = pd.DataFrame(list(grouping.by_kommun.items()), columns=["geo_code", "group_id"])
    # A kommun is placed among its own group's kommuner even where the group (a Kolada group) leaves it out.
    mem = pd.concat([grouping.memberships(), own[["group_id", "geo_code"]]]).drop_duplicates()
    ranked = allm.merge(mem, on="geo_code", how="inner")
    grp = ranked.groupby(["indicator", "group_id", "year", "sex"])["disadvantage"]
    ranked["rank_group"] = grp.rank(method="min").astype(int)
    ranked["n_group"] = grp.transform("size").astype(int)
    # Keep each kommun's place in the group it is compared with.
    ranked = ranked.merge(own, on=["geo_code", "group_id"], how="inner")
    # A place among a few kommuner with a value says nothing: the same coverage rule as for group values.
    size = mem.groupby("group_id").size()
    ranked["rank_group"] = ranked["rank_group"].astype("Int64").where(
        ranked["n_group"] >= np.ceil(grouping.min_coverage * ranked["group_id"].map(size) - 1e-9))
    ranked["rank_riket"] = ranked["rank_riket"].astype("Int64").where(
        ranked["n_riket"] >= np.ceil(grouping.min_coverage * len(kommuner) - 1e-9))
    return ranked[POSITION_COLUMNS].sort_values(["indicator", "year", "sex", "rank_riket"]).reset_index(drop=True)


def methods_text(grouping: Grouping) -> str:
    """The methods page's paragraph on comparison groups (Swedish)."""
    return (
        f"### Jämförelse med liknande kommuner\n\n**Kommungrupp.** Varje kommun jämförs också med sin kommungrupp "
        f"enligt {grouping.title} ({len(grouping.by_kommun)} kommuner i "
        f"{sum(1 for g in grouping.groups.values() if g.kind == 'skr')} grupper). Gruppens värde är ett "
        f"{grouping.method_text}, beräknat för varje år och kön; skyddade och saknade värden ingår inte, och "
        f"värdet visas bara när minst {round(grouping.min_coverage * 100)} procent av gruppens kommuner har "
        "uppgifter. Gruppens skillnad är skillnaden mellan gruppens värden för utrikes och inrikes födda. "
        "*Placering:* kommunens plats bland gruppens kommuner och i riket rapportåret, räknat från den minsta "
        "nackdelen för utrikes födda (eller det bästa värdet); lika värden delar plats och kommuner utan värde "
        "rangordnas inte. Indelningen är transkriberad från SKR:s publikation av en annan part; se kolofonen och "
        "filens härkomstuppgifter." + (f" {grouping.note}" if grouping.note else "")
    )
