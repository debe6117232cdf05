"""The reading aids every report carries: "Så läser du rapporten", the sources-and-methods page and the
colophon (snapshot checksums, code version, render time, renderer). Markdown both renderers understand."""

from __future__ import annotations

import datetime as dt
import functools
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd

from analysis.present import fmt
from analysis.domain.catalogue import Catalogue, Indicator
from analysis.data.contract import STATUS_SYMBOLS
from analysis.present.escape import md_code, md_text
from analysis.data.provenance import Snapshot, sha256, source_label
from analysis.data.provenance import covers as _covers


def reading_guide(has_example: bool) -> str:
    symbols = "; ".join(f"`{s}` {meaning}" for s, meaning in STATUS_SYMBOLS.items())
    example = (
        "- **Exempeldata** är genererade värden som visar hur rapporten ser ut där verklig statistik ännu "
        "saknas. De är markerade med en varningsruta vid varje indikator som visar dem, med \"EXEMPELDATA\" i "
        "diagrammen och i tabellernas rubriker och med \"Exempeldata\" i översikternas kolumn Data, och får inte "
        "citeras.\n"
        if has_example else ""
    )
    return f"""::: {{.callout-note}}
**Så läser du rapporten**

- **Skillnaden** är alltid värdet för utrikes födda *minus* värdet för inrikes födda (för skolans
  indikatorer: elever med utländsk *minus* svensk bakgrund), i text, tabeller, diagram och nedladdningar.
  Den är negativ när utrikes födda har ett lägre värde, t.ex. −24,4 för en lägre sysselsättningsgrad. För
  andelar anges den i **procentenheter** (från 60 % till 85 % är 25 procentenheter), för ohälsotal i dagar.
  Om ett högt värde är bra eller dåligt anges för varje indikator; texten säger vilken grupp som har det sämre.
- Där det saknas en jämförelsegrupp (sfi) är skillnaden kommunen *minus* länet (länet *minus* riket);
  tabeller som blandar de två slagen säger på varje rad vad som jämförs.
- **Utvecklingen** från strategins basår: ↑ bättre och ↓ sämre när förändringen är större än den minsta
  påvisbara förändringen; → oförändrad när den är högst indikatorns gräns för oförändrad (se Källor och
  metod); ≈ ingen statistiskt säkerställd förändring när den är större än så men inom den minsta påvisbara
  förändringen (anges med ±); ? kan inte bedömas när uppgift saknas, serien har brott eller underlaget är för
  litet (den minsta påvisbara förändringen är då större än katalogens gräns).
- **Symboler:** {symbols}. Ett saknat värde är aldrig 0.
- **Avrundning:** skillnader räknas på de oavrundade värdena och kan därför avvika med en tiondel från
  skillnaden mellan de avrundade värden som visas; där det händer står det intill siffran.
- **Sekretess:** andelar visas bara när gruppen har fler än 20 personer och fler än 5 med egenskapen;
  annars står `..`. Ibland döljs ytterligare en uppgift så att en dold uppgift inte kan räknas fram ur
  totalen och de andra delarna.
{example}- Under varje diagram och tabell kan uppgifterna laddas ner som CSV och Excel.
:::"""


def shown_indicators(res, code: str) -> set[str]:
    """The indicators whose figures a report shows, with their Kolada KPI ids: those its own area has rows for
    (a kommun report: the kommun, or its län for a län-only indicator; a län report: the län or any of its
    kommuner). An indicator without them says "uppgift saknas" and shows no figure, not even riket's."""
    from analysis.compute.coverage import missing

    area = res.geography.area(code)
    if area.level == "lan":
        own = [code] + [k.code for k in res.geography.kommuner_in(area.county)]
    else:
        own = [code]
    out: set[str] = set()
    for ind in res.catalogue:
        codes = own
        if area.level == "kommun" and "kommun" not in ind.levels:
            if "lan" not in ind.levels:
                continue
            codes = [area.county_code]
        if any(missing(ind, c, res.year, res.tidy, res.geography, res.config.county) is None for c in codes):
            out |= {ind.id, *ind.source.get("kolada", [])}
    return out


def report_snapshots(snapshots: list[Snapshot], res, code: str) -> list[Snapshot]:
    """The raw files behind the figures this report shows (its cover line, methods and colophon name only
    these): see :func:`analysis.data.provenance.shown_snapshots`."""
    from analysis.data.provenance import shown_snapshots

    return shown_snapshots(snapshots, shown_indicators(res, code), res.geography.area(code).county)


def _last_update(ind: Indicator, tidy: pd.DataFrame, snaps: list[tuple[Snapshot, set[str]]]) -> str:
    rows = tidy[tidy["indicator"] == ind.id]
    if rows.empty:
        return "inga uppgifter"
    if rows["example"].all():
        return "genererade exempelvärden (ingen verklig uppgift ännu)"
    ids = set(ind.source.get("kolada", [])) | {ind.id}
    # how the figures reached us, from each snapshot's sidecar ("uttag" only for a fetch from the producer)
    how = sorted({source_label(s.meta, with_date=True) for s, covered in snaps if covered & ids})
    if not how:  # the snapshots are those behind the figures the report shows (report_snapshots): none here
        return "ingen verklig uppgift i den här rapporten"
    years = f"{int(rows[~rows['example']]['year'].min())}–{int(rows[~rows['example']]['year'].max())}"
    return f"verkliga uppgifter {years}; " + "; ".join(how)


_LEVEL = {"kommun": "kommun", "lan": "län", "riket": "riket"}


def methods(catalogue: Catalogue, tidy: pd.DataFrame, snapshots: list[Snapshot], grouping=None) -> str:
    snaps = [(s, _covers(s)) for s in snapshots]
    parts = ["Varje indikator definieras en gång i indikatorkatalogen (`data/catalogue/indicators.yml`). "
             "Skillnader, sekretessgränser och bedömningar beräknas av samma programkod för alla rapporter."]
    for area, label in catalogue.focus_areas.items():
        parts.append(f"### {label}")
        for ind in catalogue.in_focus_area(area):
            src = ind.source
            ids = [f"Kolada {', '.join(src['kolada'])}"] if src.get("kolada") else []
            for key, name in (("scb_table", "SCB"), ("skolverket_export", "Skolverket, export"),
                              ("fohm_table", "Folkhälsomyndigheten, tabell")):
                if isinstance(src.get(key), dict):  # one per level, e.g. Skolverket's exports
                    ids.append(f"{name} " + ", ".join(f"{v} ({_LEVEL[k]})" for k, v in src[key].items()))
                elif src.get(key):
                    ids.append(f"{name} {src[key]}")
            if src.get("pxweb"):
                ids.append("SCB " + ", ".join(f"{v} ({_LEVEL[k]})" for k, v in src["pxweb"]["tables"].items()))
            compare = ("utrikes födda jämförs med inrikes födda" if ind.is_native
                       else "kommunen jämförs med länet och riket (ingen inhemsk jämförelsegrupp)")
            direction = "högre värde är bättre" if ind.higher_is_better else "lägre värde är bättre"
            levels = ", ".join({"kommun": "kommun", "lan": "län", "riket": "riket"}[x] for x in ind.levels)
            parts.append(
                f"**{ind.title}.** {ind.definition} *Population:* {ind.population}. "
                f"*Källa:* {ind.producer}, {src['statistic']}. " + (f"*Tabeller:* {'; '.join(ids)}. " if ids else "") +
                f"*Bearbetning:* {compare}; {direction}; skillnad i {ind.diff_unit}; minsta påvisbara förändring "
                f"{fmt.number(ind.min_change, ind.decimals)} {ind.diff_unit}. *Nivåer:* {levels}. "
                f"*Senaste uppdatering:* {_last_update(ind, tidy, snaps)}."
                + (f" {ind.series_note}" if ind.series_note else "")
                + (f" *Vad källan har:* {src['note'].strip()}" if src.get("note") else "")
                + "".join(f" {c}" for c in ind.caveats)
            )
    if grouping is not None:
        from analysis.compute.groups import methods_text

        parts.append(methods_text(grouping))
    parts.append("Bearbetade uppgifter (skillnader, bedömningar) anges med den ursprungliga producenten och "
                 "\"egen bearbetning\". Kolada används bara som kanal för att hämta uppgifterna.")
    return "\n\n".join(parts)


@functools.lru_cache(maxsize=8)
def code_version(root: Path) -> str:
    """The program's version and git revision, looked up once per process (a batch asked git once per report)."""
    version = "okänd"
    try:
        version = metadata.version("integrationsuppfoljning")
    except metadata.PackageNotFoundError:
        pass
    try:
        rev = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=root, capture_output=True,
                             text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        rev = ""
    return f"{version} (git {rev})" if rev else version


def colophon(root: Path, snapshots: list[Snapshot], data_path: Path, renderer: str,
             now: dt.datetime | None = None, data_sha: str | None = None) -> str:
    """``data_sha``: the data file's sha256 when the caller has it already."""
    now = now or dt.datetime.now().astimezone()
    rows = [f"| {md_code(s.path.relative_to(root / 'data' / 'raw'), in_table=True)} | "
            f"{md_text(str(s.meta.get('retrieved', ''))[:10])} | {md_code(s.sha256[:16], in_table=True)} |"
            for s in snapshots]
    # where each snapshot came from, in words ("uttag" only for a fetch from the producer): a list under the
    # table, since file names do not break and the words need the page's width
    origins = [f"- {md_code(s.path.name)}: {md_text(source_label(s.meta))}." for s in snapshots]
    try:
        data_name = str(data_path.relative_to(root))
    except ValueError:
        data_name = data_path.name
    return "\n".join([
        f"Rapporten skapades {fmt.date_long(now.date())} kl. {now:%H.%M} med renderaren **{renderer}** och "
        f"programversion {md_text(code_version(root))}. Underlag: {md_code(data_name)} "
        f"(sha256 {md_code((data_sha or sha256(data_path))[:16])}).",
        "",
        "| Ögonblicksbild (data/raw) | Hämtad | sha256 (början) |",
        _colophon_separator(snapshots, root),
        *rows,
        "",
        ": Råfiler som rapporten bygger på, med kontrollsummor. {#tbl-kolofon}",
        "",
        "Varifrån råfilerna kommer (\"uttag\" står bara där uppgifterna hämtats direkt från producenten):",
        "",
        *origins,
    ])


def _colophon_separator(snapshots: list[Snapshot], root: Path) -> str:
    """The colophon table's separator: dashes in proportion to each column's longest value (Quarto's Typst
    output takes PDF column widths from them), so a long file name is not squeezed into a third of the page."""
    longest = [max([len(str(s.path.relative_to(root / "data" / "raw"))) for s in snapshots] + [25]), 10, 16]
    return "|" + "|".join(":" + "-" * n for n in longest) + "|"
