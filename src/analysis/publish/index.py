"""The year's index page, ``reports/<year>/index.html``: a map of all 290 kommuner, a search box, the table of
all kommuner and the list of reports.

The map shows one real indicator's gap (utrikes − inrikes) for every kommun, read from the computed results
(the artefact every report reads): no report has to be rendered for the index to be written
(``analysis index``). It is an inline SVG written in Python (:func:`analysis.present.maps.svg_map`): each kommun
is a link to its report (or, where the report has not been made yet, to its row in the table) with a tooltip,
and a few lines of inline JavaScript filter the table and highlight the map as one types. Nothing is loaded
from anywhere: the page works copied alone into an empty folder. (Plotly's inlined plotly.js would add 4,8 MB
to a page that needs no zooming or hover boxes; the SVG map is ≈ 0,15 MB.)

Which indicator: ``index_map: {indicator: sysselsattningsgrad}`` in ``analysis.yml`` (the default: the
employment gap, real SCB BAS figures for all 290 kommuner); it must compare utrikes with inrikes födda at
kommun level.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pandas as pd

from analysis.config import Config
from analysis.domain import geography
from analysis.errors import AnalysisError
from analysis.present import fmt

DEFAULT_INDICATOR = "sysselsattningsgrad"
CONFIG_KEY = "index_map"


def index_indicator(config: Config, catalogue=None):
    """The indicator of the index map (``index_map.indicator`` in analysis.yml), checked."""
    from analysis.domain.catalogue import load_catalogue

    catalogue = catalogue or load_catalogue(config.root)
    spec = config.extra.get(CONFIG_KEY) or {}
    if not isinstance(spec, dict):
        raise AnalysisError(f"analysis.yml: {CONFIG_KEY} ska vara en tabell, t.ex. {{indicator: {DEFAULT_INDICATOR}}}.")
    ind_id = str(spec.get("indicator") or DEFAULT_INDICATOR)
    ids = catalogue.ids()
    if ind_id not in ids:
        raise AnalysisError(f"analysis.yml: {CONFIG_KEY}.indicator {ind_id!r} finns inte i indikatorkatalogen "
                            f"(välj bland {', '.join(ids)}).")
    ind = catalogue.get(ind_id)
    if not ind.is_native or "kommun" not in ind.levels:
        fit = [i.id for i in catalogue if i.is_native and "kommun" in i.levels]
        raise AnalysisError(f"analysis.yml: {CONFIG_KEY}.indicator {ind_id!r} jämför inte utrikes med inrikes födda "
                            f"per kommun och kan inte visas på kartan (välj bland {', '.join(fit)}).")
    return ind


def check_maps(config: Config) -> None:
    """Before a run: the index map's indicator is usable and the geometry matches the geography (prepared once
    here, so every report of the run loads it)."""
    from analysis.data.geometry import prepared_geometry

    index_indicator(config)
    prepared_geometry(config.root)


def national_values(results_path: Path, ind, year: int, geo) -> tuple[list, object]:
    """(every kommun's :class:`~analysis.present.maps.MapValue`, riket's) for the report year, both sexes, from
    the artefact's gaps (one folder per län)."""
    from analysis.present.maps import value_from_gap_row

    frames = []
    for folder in sorted(Path(results_path).glob("lan-*")):
        df = pd.read_parquet(folder / "gaps.parquet", filters=[("indicator", "==", ind.id)])
        frames.append(df[(df["year"] == year) & (df["sex"] == "T") & (df["comparison"] == "inrikes")])
    rows = pd.concat(frames, ignore_index=True).drop_duplicates("geo_code") if frames else pd.DataFrame()
    by_code = {r["geo_code"]: r for _, r in rows.iterrows()} if len(rows) else {}
    values = [value_from_gap_row(k.code, k.name, by_code.get(k.code)) for k in geo.kommuner]
    return values, value_from_gap_row("0000", "Riket", by_code.get("0000"))


def _report_links(year_dir: Path, folder: str) -> list[tuple[str, str]]:
    """A link per registered output format whose file the report folder has (:mod:`analysis.publish.formats`)."""
    from analysis.publish.formats import FORMATS

    return [(f"{folder}/rapport.{name}", out.label or name) for name, out in FORMATS.items()
            if (year_dir / folder / f"rapport.{name}").exists()]


def _report_list(year_dir: Path, geo) -> str:
    """The reports present for the year, county reports first, with the example-data mark."""
    from analysis.publish.render import _has_example_data

    items = []
    for d in sorted(p for p in year_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if d.name.startswith("lan-"):
            try:
                name = geography.county_name(geo.county(d.name[4:])) + " (länsrapport)"
            except AnalysisError:
                continue
            order = (0, d.name)
        elif d.name in geo:
            name = f"{geo.area(d.name).official} ({d.name})"
            order = (1, geo.area(d.name).county or "", d.name)
        else:
            continue
        links = [f'<a href="{html.escape(href)}">{label}</a>' for href, label in _report_links(year_dir, d.name)]
        if links:
            mark = (' <strong class="exempel">innehåller EXEMPELDATA</strong>' if _has_example_data(d) else "")
            items.append((order, f"<li>{html.escape(name)}: {' · '.join(links)}{mark}</li>"))
    return "\n".join(i for _, i in sorted(items)) or "<li>Inga rapporter är skapade för året ännu.</li>"


def _swatch(fill: str, pattern: str) -> str:
    style = {"hatch": "background:repeating-linear-gradient(45deg,#4d4d4d 0 1.5px,#e3e3e3 1.5px 5px)",
             "dots": "background:radial-gradient(#595959 1px,transparent 1.3px) 0 0/5px 5px,#fff"}.get(
        pattern, f"background:{fill}")
    return f'<span class="ruta" style="{style}" aria-hidden="true"></span>'


SCRIPT = """
(function(){
  function fold(s){return s.normalize('NFD').replace(/[\\u0300-\\u036f]/g,'').toLowerCase();}
  var box=document.getElementById('sok'), count=document.getElementById('sok-antal');
  var rows=[].slice.call(document.querySelectorAll('#kommuner tbody tr'));
  var shapes=[].slice.call(document.querySelectorAll('#karta a[data-kod]'));
  var map=document.getElementById('karta');
  function run(){
    var q=fold(box.value.trim()), n=0, first=null;
    rows.forEach(function(r){var hit=!q||fold(r.getAttribute('data-sok')).indexOf(q)>=0;
      r.hidden=!hit; if(hit){n++; if(!first) first=r;}});
    shapes.forEach(function(a){var hit=q&&fold(a.getAttribute('data-namn')+' '+a.getAttribute('data-kod')).indexOf(q)>=0;
      a.classList.toggle('traff',!!hit);});
    map.classList.toggle('sokning',!!q);
    count.textContent=q?(n+(n===1?' kommun':' kommuner')+' matchar \\u201d'+box.value.trim()+'\\u201d.'):'';
    return first;
  }
  box.addEventListener('input',run);
  document.getElementById('sokform').addEventListener('submit',function(e){e.preventDefault();
    var r=run(); if(r&&rows.filter(function(x){return !x.hidden;}).length===1){
      var a=r.querySelector('a.rapport'); if(a) window.location.href=a.getAttribute('href');}});
})();
"""

STYLE = """
body{font-family:system-ui,Arial,sans-serif;max-width:78em;margin:1.5em auto;padding:0 1em;line-height:1.5;color:#1a1a1a}
a{color:#005a8c}h1{color:#12355B;font-size:clamp(1.5em,6vw,2em);overflow-wrap:anywhere}
.exempel{color:#8A4B00;background:#FFF4E5;padding:0 .3em}
.karta-och-tabell{display:block}
@media (min-width:900px){.karta-och-tabell{display:grid;grid-template-columns:minmax(0,4fr) minmax(0,7fr);gap:1.5em;align-items:start}}
figure.karta{margin:0}
#karta svg{width:100%;height:auto;max-height:88vh;display:block}
#karta a path{transition:opacity .1s}
#karta a:hover path,#karta a:focus path{stroke:#000;stroke-width:2}
#karta.sokning a:not(.traff) path{opacity:.25}
#karta a.traff path{stroke:#000;stroke-width:2}
.teckenforklaring{list-style:none;padding:0;margin:.5em 0;font-size:.95em}
.teckenforklaring li{margin:.15em 0}
.ruta{display:inline-block;width:1.6em;height:1em;border:1px solid #767676;vertical-align:-.15em;margin-right:.4em}
.tabell-ram{max-height:88vh;overflow:auto;border:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.92em}
caption{text-align:left;font-weight:600;padding:.4em}
th,td{padding:.25em .5em;border-bottom:1px solid #e5e5e5;text-align:left;vertical-align:top}
th{position:sticky;top:0;background:#f4f4f4}
td.tal{text-align:right;white-space:nowrap}
.sok{margin:.8em 0}
.sok input{font-size:1em;padding:.35em .5em;width:min(22em,100%);border:1px solid #767676;border-radius:3px}
#sok-antal{min-height:1.5em;margin:.2em 0}
"""


def index_map_section(year_dir: Path, year: int, config: Config, results_path: Path) -> str:
    """The map, its legend, the search box and the table of all kommuner (HTML)."""
    from analysis.data.geometry import prepared_geometry
    from analysis.domain.geography import load_geography
    from analysis.present.maps import (classes_for, gap_text, legend_items, legend_title,
                                       svg_map)

    geo = load_geography(config.root)
    ind = index_indicator(config)
    values, riket = national_values(results_path, ind, year, geo)
    if not any(v.shown for v in values):
        return (f"<p><em>Ingen karta: resultaten har inga uppgifter om {html.escape(fmt.in_text(ind.title))} för "
                f"{year} per kommun.</em></p>")
    classes = classes_for(values, ind)
    geometry = prepared_geometry(config.root)
    links = {}
    for v in values:
        report = _report_links(year_dir, v.code)
        links[v.code] = report[0][0] if report else f"#rad-{v.code}"
    svg = svg_map(geometry, values, classes, ind, counties=sorted(geometry.outlines), labels=False, width=800,
                  links=links, prefix="karta", legend=False)
    example = any(v.shown and v.example for v in values)
    riket_text = (f"Riket: {gap_text(riket, ind)} {ind.diff_unit}." if riket.shown else "")
    legend = "\n".join(f"<li>{_swatch(fill, pattern)}{html.escape(text)}</li>"
                       for fill, pattern, text in legend_items(classes, values))
    rows = []
    for v in sorted(values, key=lambda v: v.name):
        county = geography.county_name(geo.area(v.code)).removesuffix(" län")
        report = _report_links(year_dir, v.code)
        cell = (" · ".join(f'<a class="rapport" href="{html.escape(h)}">{label}</a>' for h, label in report)
                if report else "ej skapad")
        rows.append(
            f'<tr id="rad-{v.code}" data-sok="{html.escape(v.name)} {v.code} {html.escape(county)}">'
            f"<td>{html.escape(v.name)}</td><td>{v.code}</td><td>{html.escape(county)}</td>"
            f'<td class="tal">{fmt.with_unit(v.subject, ind.unit, ind.decimals)}</td>'
            f'<td class="tal">{fmt.with_unit(v.reference, ind.unit, ind.decimals)}</td>'
            f'<td class="tal">{gap_text(v, ind)}</td>'
            f"<td>{html.escape(v.kind)}</td><td>{cell}</td></tr>")
    utr, inr = ind.group_label("utrikes"), ind.group_label("inrikes")
    shown = sum(v.shown for v in values)
    alt = (f"Karta över Sveriges {len(values)} kommuner färgade efter skillnaden i {fmt.in_text(ind.title)} {year} "
           f"mellan {utr} och {inr} ({ind.diff_unit}), i {classes.count} klasser kring 0; {shown} kommuner har en uppgift. "
           "Varje kommun länkar till sin rapport. Samma uppgifter finns i tabellen.")
    mark = ('<p><strong class="exempel">EXEMPELDATA</strong> Kommuner med prickig yta visar genererade '
            "exempelvärden, inte verklig statistik.</p>" if example else "")
    return f"""
<h2 id="karta-rubrik">Karta: {html.escape(ind.title)} {year}</h2>
<p>Varje kommun är färgad efter skillnaden mellan {html.escape(utr)} och {html.escape(inr)}
({html.escape(legend_title(ind).lower())}; negativt = lägre bland {html.escape(utr)}). {html.escape(riket_text)}
Klicka på en kommun för att öppna dess rapport; sök för att hitta en kommun på kartan och i tabellen.</p>
{mark}
<form class="sok" id="sokform" role="search"><label for="sok">Sök kommun, kod eller län: </label>
<input id="sok" type="search" autocomplete="off" placeholder="t.ex. Ronneby eller 1081"></form>
<p id="sok-antal" aria-live="polite"></p>
<div class="karta-och-tabell">
<figure class="karta" aria-labelledby="karta-text">
<div id="karta">{svg}</div>
<figcaption id="karta-text"><span class="visually-hidden" style="position:absolute;left:-9999px">{html.escape(alt)}</span>
<strong>{html.escape(legend_title(ind))}</strong>
<ul class="teckenforklaring">{legend}</ul>
{html.escape(ind.attribution if not example else "Delvis exempeldata, inte verklig statistik")}. {html.escape(riket_text)}</figcaption>
</figure>
<div class="tabell-ram" role="region" tabindex="0" aria-label="Alla kommuner">
<table id="kommuner"><caption>{html.escape(ind.title)} {year}, alla kommuner (skillnad = {html.escape(utr)} − {html.escape(inr)})</caption>
<thead><tr><th>Kommun</th><th>Kod</th><th>Län</th><th>{html.escape(utr.capitalize())}</th><th>{html.escape(inr.capitalize())}</th>
<th>Skillnad, {html.escape(ind.diff_unit)}</th><th>Data</th><th>Rapport</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></div>
</div>
<script>{SCRIPT}</script>
"""


def write_index(out_root: Path, year: int, config: Config, results_path: Path | None = None) -> Path:
    """Write ``reports/<year>/index.html``: the map of all kommuner (from the results in ``results_path``; the
    results of the configured data file when None), the table and the list of reports present."""
    from analysis.domain.geography import load_geography

    geo = load_geography(config.root)
    year_dir = out_root / str(year)
    year_dir.mkdir(parents=True, exist_ok=True)
    if results_path is None:
        from analysis.compute.artefact import ensure_artefact

        results_path, _ = ensure_artefact(config, config.data_path, year)
    section = index_map_section(year_dir, year, config, Path(results_path))
    page = f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Integrationsuppföljning {year} – rapporter</title>
<style>{STYLE}</style>
</head><body><main>
<h1>Integrationsuppföljning {year}</h1>
<p>Rapporter per kommun och län. Skapad {fmt.date_long(dt.date.today())}.</p>
<p>Rapporter markerade <strong class="exempel">innehåller EXEMPELDATA</strong> visar för några indikatorer
genererade exempelvärden, inte verklig statistik; de är markerade i rapporten och får inte citeras.</p>
{section}
<h2>Rapporter</h2>
<ul>
{_report_list(year_dir, geo)}
</ul></main></body></html>
"""
    from analysis.publish.render import write_atomic

    path = year_dir / "index.html"
    write_atomic(path, page.encode("utf-8"))  # whole or not at all: a full disk leaves the old index
    return path
