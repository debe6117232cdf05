"""The kommun's comparison group in the reports: headline, narrative, trend line, place and county view.

The kommungrupp is a comparison level (:mod:`analysis.present.levels`): :class:`KommungruppLevel` is its
component, made per report and reached as ``report.level("kommungrupp")``; the report's body asks it through the
level hooks only. Every number comes from the results (group values, group gaps and places are computed once by
:mod:`analysis.compute.groups`); the component selects and words them, and the strip of places with its two
tables are functions of frames (:func:`strip_spec`, :func:`place_table`, :func:`place_summary`). Places are shown
as a strip of the group's kommuner and of all kommuner with the kommun highlighted — neutral greys, no
red/amber/green league-table colours.
"""

from __future__ import annotations

import hashlib
import html

import pandas as pd
import plotly.graph_objects as go

from analysis.present import chartspec, fmt, narrative
from analysis.domain.catalogue import Indicator
from analysis.present.display import show_chart, show_markdown, show_table
from analysis.present.escape import (
    md_text,  # group names and titles can come from Kolada or --title: literal in Markdown
)
from analysis.compute.groups import METHOD_WORD, ComparisonGroup
from analysis.present.levels import ComparisonLevel, LevelComponent
from analysis.present.levels import register as register_level

GROUP_LEVEL = "kommungrupp"
#: Strip plot: other kommuner grey and hollow; the kommun dark blue and large; references black.
OTHERS_COLOUR = "#767676"  # 4.5:1 on white
HIGHLIGHT_COLOUR = "#0072B2"
REFERENCE_COLOUR = "#000000"

#: (label, value, row) of a reference line in the strip: the group's value (row 1), riket's (row 0)
Reference = tuple[str, float, int]


def _jitter(code: str) -> float:
    """A fixed vertical offset per kommun (the same in every run), so tied dots stay visible."""
    return (int(hashlib.sha1(code.encode()).hexdigest()[:6], 16) / 0xFFFFFF - 0.5) * 0.5


def basis(n: int, members: int, method: str = "unweighted") -> str:
    """"ovägt medelvärde av gruppens 51 kommuner" / "… av 48 av gruppens 51 kommuner" (the others lack a value)."""
    word = METHOD_WORD.get(method, METHOD_WORD["unweighted"])
    return f"{word} av gruppens {members} kommuner" if n == members else f"{word} av {n} av gruppens {members} kommuner"


def order_words(ind: Indicator) -> str:
    """How places are counted: "räknat från den minsta skillnaden till utrikes föddas nackdel (plats 1)"."""
    if ind.is_native:
        return f"räknat från den minsta skillnaden till {ind.group_label('utrikes')}s nackdel (plats 1)"
    return "räknat från det " + ("högsta" if ind.higher_is_better else "lägsta") + " värdet (plats 1)"


def _first_place(ind: Indicator) -> str:
    """"den minsta skillnaden till utrikes föddas nackdel": what place 1 is."""
    return order_words(ind).split(" (")[0].replace("räknat från ", "")


def measure_title(ind: Indicator) -> str:
    """What a place is counted on: "Skillnad utrikes födda − inrikes födda, procentenheter" or "Titel, %"."""
    if ind.is_native:
        return f"Skillnad {ind.group_label('utrikes')} − {ind.group_label('inrikes')}, {ind.diff_unit}"
    return f"{ind.short_title}, {ind.unit_symbol}"


def _short(g: ComparisonGroup) -> str:
    return f"Kommungrupp {g.id}" if g.kind == "skr" else "Liknande kommuner"


def strip_spec(ind: Indicator, g: ComparisonGroup, measures: pd.DataFrame, area_name: str, code: str, own: float,
               references: list[Reference], year: int) -> chartspec.ChartSpec:
    """The strip: one dot per kommun of the group (upper row) and of riket (lower row), the kommun (``code``,
    its measure ``own``) highlighted, the group's value and riket's as reference lines. ``measures``: every
    kommun's place row of the year (``geo_code``, ``name``, ``group_id``, ``measure``, ``example``)."""
    in_group = measures[measures["group_id"] == g.id]
    everyone = measures.drop_duplicates("geo_code")
    row_names = [f"Alla kommuner\n({len(everyone)} med värde)", f"{_short(g)}\n({len(in_group)} med värde)"]
    example = bool(in_group["example"].any()) if "example" in in_group else False
    series = []
    for y, rows in ((1, in_group), (0, everyone)):
        others = rows[rows["geo_code"] != code]
        series.append(chartspec.Series(
            name="Övriga kommuner" if y == 1 else "Alla kommuner", legend=y == 1, mode="markers",
            x=[float(v) for v in others["measure"]], y=[y + _jitter(c) for c in others["geo_code"]],
            colour=OTHERS_COLOUR, marker=chartspec.Marker("circle-open", 8, OTHERS_COLOUR, OTHERS_COLOUR, 1.5),
            hover_text=others["name"].tolist(), hover="%{text}: %{x:.1f}<extra></extra>", example=example,
        ))
    series.append(chartspec.Series(
        name=area_name, x=[own, own], y=[1, 0], mode="markers", colour=HIGHLIGHT_COLOUR,
        marker=chartspec.Marker("circle", 15, HIGHLIGHT_COLOUR, "white", 1.5),
        hover=f"{html.escape(area_name)}: %{{x:.1f}}<extra></extra>",
    ))
    # Labels sit outside the rows of dots (dots spread ±0.25 around their row) and off the ends of the
    # reference lines, placed in px from those edges (anchor + shift), with the plot tall enough (≥ 80 px per
    # row step, also with a phone's legend on four rows) that a label fits between a line's end and the dots
    # of the row below: nothing covers them or touches them.
    notes = [chartspec.Note(f"{area_name} {fmt.number(own, ind.decimals)}", own, 1.25, HIGHLIGHT_COLOUR,
                            anchor="bottom", shift=8, point=(own, 1))]
    for text, x, y in references:
        series.append(chartspec.Series(
            name=text.rsplit(" ", 1)[0], x=[x, x], y=[y - 0.32, y + 0.32], mode="lines", colour=REFERENCE_COLOUR,
            width=3, dash="solid" if y == 1 else "dot", hover=f"{html.escape(text)}<extra></extra>",
        ))
        notes.append(chartspec.Note(text, x, y - 0.32, REFERENCE_COLOUR, anchor="top", shift=-4))
    lo, hi = in_group.nsmallest(1, "measure").iloc[0], in_group.nlargest(1, "measure").iloc[0]
    refs = "; ".join(t for t, _x, _y in references)
    alt = (f"Punktdiagram över {measure_title(ind).lower()} {year}: en punkt per kommun, överst de "
           f"{len(in_group)} kommunerna med värde i {g.label}, under alla {len(everyone)} kommuner med värde. "
           f"{area_name} {fmt.number(own, ind.decimals)} är markerad. "
           f"I gruppen från {fmt.number(lo['measure'], ind.decimals)} ({lo['name']}) till "
           f"{fmt.number(hi['measure'], ind.decimals)} ({hi['name']}). {refs}.")
    return chartspec.ChartSpec(
        kind="strip", series=series, notes=notes, unit=ind.diff_unit if ind.is_native else ind.unit,
        height=430 if example else 380, margin={"l": 10, "r": 30, "b": 10},
        y=chartspec.Axis(tickvals=[0, 1], ticktext=row_names, range=(-0.75, 1.75), grid=False, zeroline=False),
        x=chartspec.Axis(title=(f"Skillnad, {ind.diff_unit}" if ind.is_native else measure_title(ind)),
                         zeroline=True),
        alt=alt)


def place_table(ind: Indicator, g: ComparisonGroup, measures: pd.DataFrame, code: str) -> pd.DataFrame:
    """The group's kommuner in order of place (the data behind the strip, as numbers)."""
    rows = measures[measures["group_id"] == g.id].sort_values(["rank_group", "name"])
    return pd.DataFrame({
        "Kommun": rows["name"], "Kod": rows["geo_code"],
        measure_title(ind): rows["measure"].round(3),
        "Plats i gruppen": rows["rank_group"], "Plats i riket": rows["rank_riket"],
        "Vald kommun": ["ja" if c == code else "" for c in rows["geo_code"]],
        "Exempeldata": ["ja" if e else "nej" for e in rows["example"]],
    })


def place_summary(ind: Indicator, g: ComparisonGroup, measures: pd.DataFrame, area_name: str, position,
                  references: list[Reference]) -> pd.DataFrame:
    """A short table beside the strip: the kommun (its ``position`` row), the group's value, the group's range
    and riket."""
    in_group = measures[measures["group_id"] == g.id]
    dec, col, p = ind.decimals, measure_title(ind), position

    def place(v) -> str:
        return ".." if pd.isna(v) else str(int(v))  # not placed: its value is missing or hidden

    rows = [{"Område": area_name, col: fmt.number(p["measure"], dec),
             "Plats i gruppen": f"{place(p['rank_group'])} av {int(p['n_group'])}",
             "Plats i riket": f"{place(p['rank_riket'])} av {int(p['n_riket'])}"}]
    for _text, x, y in references:
        rows.append({"Område": ("Gruppens värde" if y == 1 else "Riket"), col: fmt.number(x, dec),
                     "Plats i gruppen": "", "Plats i riket": ""})
    lo, hi = in_group.nsmallest(1, "measure").iloc[0], in_group.nlargest(1, "measure").iloc[0]
    rows.append({"Område": f"Lägst i gruppen: {lo['name']}", col: fmt.number(lo["measure"], dec),
                 "Plats i gruppen": "", "Plats i riket": ""})
    rows.append({"Område": f"Högst i gruppen: {hi['name']}", col: fmt.number(hi["measure"], dec),
                 "Plats i gruppen": "", "Plats i riket": ""})
    return pd.DataFrame(rows)


class KommungruppLevel(LevelComponent):
    """The kommungrupp as a comparison level: what the report says about the kommun's comparison group (SKR
    kommungrupp or a Kolada group). ``report.level("kommungrupp")``; the report's body calls the level hooks."""

    versus = "kommungruppen"

    # -- selection ----------------------------------------------------------------------------------

    def group(self, ind: Indicator | None = None) -> ComparisonGroup | None:
        """The kommun's group; None for a län/riket report or an indicator shown at län level."""
        r = self.report
        grouping = getattr(r.results, "grouping", None)
        if grouping is None or r.area.level != "kommun":
            return None
        if ind is not None and (r.shown_code(ind) != r.code or ind.birth_regions):
            return None  # shown at län level, or groups by birth region (no utrikes − inrikes gap to compare)
        return grouping.group_of(r.code)

    def group_value(self, ind: Indicator, grp: str, sex: str = "T", year: int | None = None):
        g, r = self.group(ind), self.report
        if g is None or r.results.group_values is None:
            return None
        return r._row("group_values", ind, group_id=g.id, group=grp, sex=sex, year=year or r.year)

    def group_gap(self, ind: Indicator, sex: str = "T", year: int | None = None):
        g, r = self.group(ind), self.report
        if g is None or r.results.group_gaps is None:
            return None
        return r._row("group_gaps", ind, group_id=g.id, sex=sex, year=year or r.year)

    def shown(self, ind: Indicator) -> bool:
        """True when the group has a value for the report year (enough of its kommuner have data)."""
        row = self.group_gap(ind) if ind.is_native else self.group_value(ind, "total")
        return row is not None and row["status"] == ""

    def position(self, ind: Indicator, sex: str = "T", year: int | None = None):
        g, r = self.group(ind), self.report
        if getattr(r.results, "positions", None) is None or g is None:
            return None
        return r._row("positions", ind, geo_code=r.code, sex=sex, year=year or r.year, group_id=g.id)

    def _measures(self, ind: Indicator) -> pd.DataFrame:
        """Every kommun's measure for the report year (places as computed), with names and group ids. Read-only."""
        r = self.report

        def make():
            p = r._rows("positions", ind, year=r.year, sex="T")
            return p.assign(name=p["geo_code"].map(lambda c: r.geo.area(c).name))

        return r._once("measures", ind, make)

    def _references(self, ind: Indicator) -> list[Reference]:
        """(label, value, row) for the group's value (row 1) and riket's (row 0)."""
        refs, r = [], self.report
        if ind.is_native:
            gg = self.group_gap(ind)
            if gg is not None and gg["status"] == "":
                refs.append((f"Gruppens värde {fmt.number(gg['gap'], ind.decimals)}", float(gg["gap"]), 1))
            row = r.gap_row(ind, "0000")
            if row is not None and row["status"] == "":
                refs.append((f"Riket {fmt.number(row['gap'], ind.decimals)}", float(row["gap"]), 0))
        else:
            gv = self.group_value(ind, "total")
            if gv is not None and gv["status"] == "":
                refs.append((f"Gruppens värde {fmt.number(gv['value'], ind.decimals)}", float(gv["value"]), 1))
            v, s = r.value(ind, "0000", "total")
            if not s and pd.notna(v):
                refs.append((f"Riket {fmt.number(v, ind.decimals)}", float(v), 0))
        return refs if self.group(ind) is not None else []

    # -- text (level hooks) ---------------------------------------------------------------------------

    def headline(self, ind: Indicator) -> str:
        """"**Kommungrupp C7 Pendlingskommun nära mindre stad/tätort:** utrikes födda 67,4 %, …" or ""."""
        g = self.group(ind)
        if g is None:
            return ""
        if ind.is_native:
            gap = self.group_gap(ind)
            if gap is None or gap["status"]:
                return f"**{md_text(g.display_name)}:** .. (värden finns för för få av gruppens kommuner)"
            return (f"**{md_text(g.display_name)}:** {ind.group_label('utrikes')} "
                    f"{fmt.with_unit(gap['value_subject'], ind.unit)}, {ind.group_label('inrikes')} "
                    f"{fmt.with_unit(gap['value_reference'], ind.unit)} – skillnad "
                    f"{fmt.gap(gap['gap'], ind.diff_unit)}"
                    f"{narrative.rounding_note(ind, gap['value_subject'], gap['value_reference'], gap['gap'])} "
                    f"({basis(int(min(gap['n_subject'], gap['n_reference'])), int(gap['n_members']))})")
        v = self.group_value(ind, "total")
        if v is None or v["status"]:
            return f"**{md_text(g.display_name)}:** .. (värden finns för för få av gruppens kommuner)"
        return (f"**{md_text(g.display_name)}:** {fmt.with_unit(v['value'], ind.unit)} "
                f"({basis(int(v['n']), int(v['n_members']), v['method'])})")

    def sentence(self, ind: Indicator) -> str:
        """"Bland utrikes födda var sysselsättningsgraden 58,5 procent jämfört med 67,4 procent i kommungruppen
        Pendlingskommun nära mindre stad/tätort, där skillnaden mot inrikes födda var 17,2 procentenheter." """
        g, r = self.group(ind), self.report
        if g is None or not self.shown(ind):
            return ""
        subject = ind.text_name or fmt.in_text(ind.short_title)
        if ind.is_native:
            u, su = r.value(ind, r.code, "utrikes")
            gap = self.group_gap(ind)
            if su or pd.isna(u):
                return ""
            return (f"Bland {ind.group_label('utrikes')} var {subject} {fmt.with_unit(u, ind.unit, table=False)} "
                    f"jämfört med {fmt.with_unit(gap['value_subject'], ind.unit, table=False)} i {g.label}, där "
                    f"skillnaden mot {ind.group_label('inrikes')} var {fmt.difference(gap['gap'], ind.diff_unit)}.")
        v, s = r.value(ind, r.code, "total")
        gv = self.group_value(ind, "total")
        if s or pd.isna(v):
            return ""
        from analysis.domain.geography import genitive

        return (f"{genitive(r.area.name)} {fmt.with_unit(v, ind.unit, table=False)} kan jämföras med "
                f"{fmt.with_unit(gv['value'], ind.unit, table=False)} i {g.label}.")

    def position_text(self, ind: Indicator) -> str:
        g, r = self.group(ind), self.report
        if g is None:
            return ""
        p = self.position(ind)
        if p is None:
            return (f"*Placering {r.year}: {r.area.name} kan inte placeras – värdet saknas eller är skyddat. "
                    "Kommuner utan värde rangordnas inte.*")
        if pd.isna(p["rank_group"]) and pd.isna(p["rank_riket"]):
            return (f"*Placering {r.year}: ingen – bara {int(p['n_group'])} av de {len(g.members)} kommunerna i "
                    f"{g.label} och {int(p['n_riket'])} kommuner i riket har värden.*")
        parts = []
        if pd.notna(p["rank_group"]):
            parts.append(f"plats {int(p['rank_group'])} av {int(p['n_group'])} kommuner med värde i {g.label}")
        else:
            parts.append(f"ingen placering i {g.label} (värden finns för bara {int(p['n_group'])} av "
                         f"{len(g.members)} kommuner)")
        if pd.notna(p["rank_riket"]):
            parts.append(f"plats {int(p['rank_riket'])} av {int(p['n_riket'])} i riket")
        else:
            parts.append(f"ingen placering i riket (värden finns för bara {int(p['n_riket'])} kommuner)")
        return (f"**Placering {r.year}:** {r.area.name} har " + " och ".join(parts) + f", {order_words(ind)}. "
                "Kommuner med saknade eller skyddade värden rangordnas inte. Placeringen visar var kommunen står "
                "bland andra kommuner, inte om resultatet är bra.")

    def overview_cell(self, ind: Indicator | None) -> dict[str, str]:
        """{"Kommungruppen": "skillnad 17,2 procentenheter"} for overview tables; {} without a group; "." (not
        applicable) for a row without an indicator (followed up outside the statistics) or one shown at län level."""
        if self.group() is None:
            return {}
        if ind is None or self.group(ind) is None:
            return {"Kommungruppen": "."}
        if ind.is_native:
            gap = self.group_gap(ind)
            ok = gap is not None and gap["status"] == ""
            return {"Kommungruppen": f"skillnad {fmt.gap(gap['gap'], ind.diff_unit)}" if ok else ".."}
        v = self.group_value(ind, "total")
        return {"Kommungruppen": fmt.with_unit(v["value"], ind.unit) if v is not None and v["status"] == "" else ".."}

    # -- trend chart line ---------------------------------------------------------------------------

    def series(self, ind: Indicator) -> list[tuple[str, str, str, pd.DataFrame]]:
        """(label, group, "kommungrupp", rows by year) for the trend chart; years without a group value keep ".."."""
        g, r = self.group(ind), self.report
        if g is None or r.results.group_values is None or not self.shown(ind):
            return []
        out = []
        for grp in (["utrikes", "inrikes"] if ind.is_native else ["total"]):
            rows = r._rows("group_values", ind, group_id=g.id, group=grp, sex="T")
            rows = rows[rows["year"] <= r.year].sort_values("year")
            if rows.empty or rows["value"].isna().all():
                continue
            rows = rows.assign(geo_code=g.id)
            label = f"{_short(g)} – {ind.group_label(grp)}" if ind.is_native else _short(g)
            out.append((label, grp, GROUP_LEVEL, rows))
        return out

    def chart_note(self, ind: Indicator) -> str:
        """Below the trend chart: what the group line is."""
        g, r = self.group(ind), self.report
        if g is None or not self.shown(ind):
            return ""
        row = self.group_gap(ind) if ind.is_native else self.group_value(ind, "total")
        n = int(min(row["n_subject"], row["n_reference"])) if ind.is_native else int(row["n"])
        return (f"*Streck-prick-linjen är {md_text(g.display_name)} ({md_text(r.results.grouping.title)}): "
                f"{basis(n, int(row['n_members']), row.get('method', 'unweighted'))} {r.year}, "
                "beräknat för varje år.*")

    def download_notes(self, ind: Indicator) -> list[str]:
        """Notes for the chart's download when it carries the group's lines."""
        g, r = self.group(ind), self.report
        if g is None or not self.shown(ind):
            return []
        grouping = r.results.grouping
        return [f"{g.display_name} ({grouping.title}), kod {g.id}: {grouping.method_text}; skyddade och saknade "
                f"värden ingår inte. Gruppens {len(g.members)} kommuner: "
                + ", ".join(r.geo.area(c).name for c in g.members) + "."]

    # -- where the kommun stands ----------------------------------------------------------------------

    def position_spec(self, ind: Indicator) -> chartspec.ChartSpec | None:
        """The strip of places (:func:`strip_spec`), or None without a group or a place row."""
        g, p, r = self.group(ind), self.position(ind), self.report
        if g is None or p is None:
            return None
        return strip_spec(ind, g, self._measures(ind), r.area.name, r.code, float(p["measure"]),
                          self._references(ind), r.year)

    def position_figure(self, ind: Indicator) -> tuple[go.Figure, str] | None:
        spec = self.position_spec(ind)
        return None if spec is None else (chartspec.to_plotly(spec), spec.alt)

    def position_table(self, ind: Indicator) -> pd.DataFrame:
        """The group's kommuner in order of place (:func:`place_table`)."""
        return place_table(ind, self.group(ind), self._measures(ind), self.report.code)

    def show_position(self, ind: Indicator) -> None:
        """The "where the kommun stands" block of an indicator section (nothing for län-level indicators)."""
        g, r = self.group(ind), self.report
        if g is None:
            return
        show_markdown(self.position_text(ind))
        p = self.position(ind)
        if p is None or pd.isna(p["rank_group"]):
            return
        made = self.position_spec(ind)
        if made is None:
            return
        caption = f"{ind.short_title} {r.year}: {r.area.name} bland kommunerna i {g.label} och i riket"
        notes = r.notes(ind, caption, extra=[
            f"Gruppering: {r.results.grouping.title}. {g.display_name}: {len(g.members)} kommuner.",
            "Plats 1 = " + _first_place(ind) + "; lika värden delar plats. "
            "Kommuner med saknade eller skyddade värden rangordnas inte.",
        ])
        links = r.download(f"{ind.id}-placering", self.position_table(ind), notes, ind, 3)
        show_chart(made, caption, static=r.static, links=links)
        summary = place_summary(ind, g, self._measures(ind), r.area.name, p, self._references(ind))
        show_table(summary, f"Placering {r.year}: {r.area.name}, gruppens värde och spridningen i {g.label}.", links,
                   widths=[3, 2.2, 1.4, 1.4])

    # -- the group itself -----------------------------------------------------------------------------

    def show_overview(self) -> None:
        """Which group the kommun is compared with, how the group value is formed, and its members."""
        g, r = self.group(), self.report
        if g is None:
            return
        grouping = r.results.grouping
        names = ", ".join(f"{r.geo.area(c).name}" for c in sorted(g.members, key=lambda c: r.geo.area(c).name))
        kind = (f"Kommungruppen är {g.id} {g.name}" + (f" (huvudgrupp {g.main_group})" if g.main_group else "")
                + f" enligt {grouping.title}" if g.kind == "skr"
                else f"Jämförelsegruppen är Koladas kommungrupp {g.name} (id {g.id})")
        show_markdown(
            f"**Jämförelse med liknande kommuner.** {kind}. Gruppens värde är ett {grouping.method_text} "
            f"(som Kolada beräknar kommungruppers värden); skyddade och saknade värden ingår inte, och ett värde "
            f"visas bara när minst {fmt.number(grouping.min_coverage * 100, 0)} procent av gruppens kommuner har "
            f"uppgifter. {grouping.note}\n\n**Gruppens {len(g.members)} kommuner:** {names}."
        )

    # -- county report ------------------------------------------------------------------------------

    def county_table(self, ind: Indicator) -> pd.DataFrame | None:
        """Per kommun of the län: its value, its own group's value and its place in the group."""
        r = self.report
        grouping = getattr(r.results, "grouping", None)
        if grouping is None or "kommun" not in ind.levels:
            return None
        rows = []
        for k in r.kommuner:
            g = grouping.group_of(k.code)
            if g is None:
                continue
            if ind.is_native:
                own = r.gap_row(ind, k.code)
                own_v = None if own is None or own["status"] else own["gap"]
                gr = r._row("group_gaps", ind, group_id=g.id, year=r.year, sex="T")
                grp_v = gr["gap"] if gr is not None and gr["status"] == "" else None
                n = int(min(gr["n_subject"], gr["n_reference"])) if gr is not None else 0
            else:
                v, s = r.value(ind, k.code, "total")
                own_v = None if s or pd.isna(v) else v
                gr = r._row("group_values", ind, group_id=g.id, year=r.year, sex="T", group="total")
                grp_v = gr["value"] if gr is not None and gr["status"] == "" else None
                n = int(gr["n"]) if gr is not None else 0
            pr = r._row("positions", ind, geo_code=k.code, year=r.year, sex="T", group_id=g.id)
            place = (f"{int(pr['rank_group'])} av {int(pr['n_group'])}"
                     if pr is not None and pd.notna(pr["rank_group"]) else "..")
            rows.append({
                "Kommun": k.name, "Kommungrupp": f"{g.id} {g.name}" if g.kind == "skr" else g.name,
                "Kommunen": fmt.number(own_v, ind.decimals),
                "Gruppens värde": fmt.number(grp_v, ind.decimals),
                "Bygger på": f"{n} av {len(g.members)} kommuner" if grp_v is not None else "för få kommuner",
                "Plats i gruppen": place,
            })
        return pd.DataFrame(rows) if rows else None

    def show_county(self, ind: Indicator) -> None:
        """County report: each kommun of the län against its own kommungrupp, for one indicator."""
        r = self.report
        table = self.county_table(ind)
        if table is None:
            return
        if (table["Gruppens värde"] == "..").all():
            show_markdown(f"*Jämförelse med kommungrupper: värden finns för för få kommuner i grupperna "
                          f"för {fmt.in_text(ind.short_title)} {r.year}.*")
            return
        caption = (f"{ind.short_title} {r.year}, {measure_title(ind).lower()}: varje kommun i länet mot "
                   f"sin egen kommungrupp ({r.results.grouping.title}; gruppens värde = "
                   f"{r.results.grouping.method_text}; plats 1 = {_first_place(ind)}).")
        show_table(table, caption, r.download(f"{ind.id}-kommungrupper", table, r.notes(ind, caption), ind, 4),
                   widths=[1.3, 2.8, 1, 1, 1.4, 1])


register_level(ComparisonLevel(GROUP_LEVEL, dash="dashdot", symbol="triangle-up", colour="#555555",
                               component=KommungruppLevel))
