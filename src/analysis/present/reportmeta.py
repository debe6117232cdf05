"""The reading aids every report carries: "Så läser du rapporten", the sources-and-methods page and the
colophon (snapshot checksums, code version, render time, renderer). Markdown both renderers understand."""

from __future__ import annotations

import datetime as dt
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd

from analysis.present import fmt
from analysis.domain.catalogue import Catalogue, Indicator
from analysis.data.contract import STATUS_SYMBOLS, read_table
from analysis.present.escape import md_code, md_text
from analysis.data.provenance import Snapshot, sha256


def reading_guide(has_example: bool) -> str:
    symbols = "; ".join(f"`{s}` {meaning}" for s, meaning in STATUS_SYMBOLS.items())
    example = (
        "- **Exempeldata** är genererade värden som visar hur rapporten ser ut där verklig statistik ännu "
        "saknas. De är markerade med en gul ruta och ordet \"Exempeldata\" i tabellerna och får inte citeras.\n"
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
- **Sekretess:** andelar visas bara när gruppen har fler än 20 personer och fler än 5 med egenskapen;
  annars står `..`. Ibland döljs ytterligare en uppgift så att en dold uppgift inte kan räknas fram ur
  totalen och de andra delarna.
{example}- Under varje diagram och tabell kan uppgifterna laddas ner som CSV och Excel.
:::"""


def _covers(snap: Snapshot) -> set[str]:
    """The indicator or KPI ids a raw snapshot holds, from its sidecar (imports: from the file itself)."""
    named = set(snap.meta.get("kpis") or []) | set(snap.meta.get("kolada_equivalents") or [])
    if snap.meta.get("indicator"):
        named.add(snap.meta["indicator"])
    if snap.path.parent.name == "import":
        named |= set(read_table(snap.path, snap.meta.get("sheet")).get("indicator", pd.Series(dtype=str)))
    return named


def _last_update(ind: Indicator, tidy: pd.DataFrame, snaps: list[tuple[Snapshot, set[str]]]) -> str:
    rows = tidy[tidy["indicator"] == ind.id]
    if rows.empty:
        return "inga uppgifter"
    if rows["example"].all():
        return "genererade exempelvärden (ingen verklig uppgift ännu)"
    ids = set(ind.source.get("kolada", [])) | {ind.id}
    dates = [str(s.meta.get("retrieved", ""))[:10] for s, covered in snaps if covered & ids]
    years = f"{int(rows[~rows['example']]['year'].min())}–{int(rows[~rows['example']]['year'].max())}"
    when = f"uttag {fmt.date_long(dt.date.fromisoformat(max(dates)))}" if dates else "uttag okänt"
    return f"verkliga uppgifter {years}, {when}"


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
                if src.get(key):
                    ids.append(f"{name} {src[key]}")
            compare = ("utrikes födda jämförs med inrikes födda" if ind.is_native
                       else "kommunen jämförs med länet och riket (ingen inhemsk jämförelsegrupp)")
            direction = "högre värde är bättre" if ind.higher_is_better else "lägre värde är bättre"
            levels = ", ".join({"kommun": "kommun", "lan": "län", "riket": "riket"}[x] for x in ind.levels)
            parts.append(
                f"**{ind.title}.** {ind.definition} *Population:* {ind.population}. "
                f"*Källa:* {ind.producer}, {src['statistic']}" + (f" ({'; '.join(ids)})" if ids else "") + ". "
                f"*Bearbetning:* {compare}; {direction}; skillnad i {ind.diff_unit}; minsta påvisbara förändring "
                f"{fmt.number(ind.min_change, ind.decimals)} {ind.diff_unit}. *Nivåer:* {levels}. "
                f"*Senaste uppdatering:* {_last_update(ind, tidy, snaps)}."
                + (f" {ind.series_note}" if ind.series_note else "")
            )
    if grouping is not None:
        from analysis.compute.groups import methods_text

        parts.append(methods_text(grouping))
    parts.append("Bearbetade uppgifter (skillnader, bedömningar) anges med den ursprungliga producenten och "
                 "\"egen bearbetning\". Kolada används bara som kanal för att hämta uppgifterna.")
    return "\n\n".join(parts)


def code_version(root: Path) -> str:
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
             now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now().astimezone()
    rows = [f"| {md_code(s.path.relative_to(root / 'data' / 'raw'), in_table=True)} | {md_text(str(s.meta.get('retrieved', ''))[:10])} | "
            f"{md_code(s.sha256[:16], in_table=True)} |" for s in snapshots]
    try:
        data_name = str(data_path.relative_to(root))
    except ValueError:
        data_name = data_path.name
    return "\n".join([
        f"Rapporten skapades {fmt.date_long(now.date())} kl. {now:%H.%M} med renderaren **{renderer}** och "
        f"programversion {md_text(code_version(root))}. Underlag: {md_code(data_name)} "
        f"(sha256 {md_code(sha256(data_path)[:16])}).",
        "",
        "| Ögonblicksbild (data/raw) | Uttag | sha256 (början) |",
        # widths from the content (as every table's, analysis.present.display.separator_dashes): the file
        # names get the room, and they break after "/" and "_" (analysis.present.brand: raw text in tables)
        "|:" + "-" * 60 + "|:" + "-" * 16 + "|:" + "-" * 24 + "|",
        *rows,
        "",
        ": Råfiler som rapporten bygger på, med kontrollsummor.",
    ])
