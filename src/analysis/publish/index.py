"""The year's index page, ``reports/<year>/index.html``: a map of all 290 kommuner, a search box, the table of
all kommuner and the list of reports.

Present composes the page (:func:`analysis.present.indexpage.index_page`: every sentence, the map's values and
classes, the table's rows); this module places it in HTML, links each kommun to its report where the report's
files exist (or to its row in the table) and draws the map as an inline SVG
(:func:`analysis.present.maps.svg_map`). A few lines of inline JavaScript filter the table and highlight the map
as one types. Nothing is loaded from anywhere: the page works copied alone into an empty folder. (Plotly's
inlined plotly.js would add 4,8 MB to a page that needs no zooming or hover boxes; the SVG map is ≈ 0,15 MB.)
No report has to be rendered for the index to be written (``analysis index``).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from analysis.config import Config
from analysis.errors import AnalysisError
from analysis.present.indexpage import (
    EXAMPLE_WORD,
    IndexPage,
    county_report_name,
    index_page,
    kommun_report_name,
)


def _report_links(year_dir: Path, folder: str) -> list[tuple[str, str]]:
    """A link per registered output format whose file the report folder has (:mod:`analysis.publish.formats`)."""
    from analysis.publish.formats import FORMATS

    return [(f"{folder}/rapport.{name}", out.label or name) for name, out in FORMATS.items()
            if (year_dir / folder / f"rapport.{name}").exists()]


def _report_list(year_dir: Path, geo, page: IndexPage) -> str:
    """The reports present for the year, county reports first, with the example-data mark."""
    from analysis.publish.render import _has_example_data

    items = []
    for d in sorted(p for p in year_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if d.name.startswith("lan-"):
            try:
                name = county_report_name(geo.county(d.name[4:]))
            except AnalysisError:
                continue
            order = (0, d.name)
        elif d.name in geo:
            name = kommun_report_name(geo.area(d.name))
            order = (1, geo.area(d.name).county or "", d.name)
        else:
            continue
        links = [f'<a href="{html.escape(href)}">{html.escape(label)}</a>'
                 for href, label in _report_links(year_dir, d.name)]
        if links:
            mark = f' <strong class="exempel">{html.escape(page.example_mark)}</strong>' if _has_example_data(d) else ""
            items.append((order, f"<li>{html.escape(name)}: {' · '.join(links)}{mark}</li>"))
    return "\n".join(i for _, i in sorted(items)) or f"<li>{html.escape(page.no_reports)}</li>"


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
    var w=JSON.parse(count.getAttribute('data-ord'));
    count.textContent=q?(n+' '+(n===1?w.one:w.many)+' '+w.matches+' \\u201d'+box.value.trim()+'\\u201d.'):'';
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


def index_map_section(year_dir: Path, page: IndexPage, config: Config) -> str:
    """The map, its legend, the search box and the table of all kommuner (HTML), from the composed page."""
    from analysis.data.geometry import prepared_geometry
    from analysis.present.maps import svg_map

    m = page.map
    if m is None:
        return f"<p><em>{html.escape(page.no_map)}</em></p>"
    esc = html.escape
    reports = {v.code: _report_links(year_dir, v.code) for v in m.values}  # the map and the table link the same
    links = {code: report[0][0] if report else f"#rad-{code}" for code, report in reports.items()}
    geometry = prepared_geometry(config.root)
    svg = svg_map(geometry, m.values, m.classes, m.indicator, counties=sorted(geometry.outlines), labels=False, width=800,
                  links=links, prefix="karta", legend=False)
    legend = "\n".join(f"<li>{_swatch(fill, pattern)}{esc(text)}</li>" for fill, pattern, text in m.legend)
    rows = []
    for r in m.rows:
        report = reports[r.code]
        cell = (" · ".join(f'<a class="rapport" href="{esc(h)}">{esc(label)}</a>' for h, label in report)
                if report else esc(page.not_made))
        rows.append(f'<tr id="rad-{r.code}" data-sok="{esc(r.search)}"><td>{esc(r.name)}</td><td>{r.code}</td>'
                    f'<td>{esc(r.county)}</td><td class="tal">{esc(r.subject)}</td><td class="tal">{esc(r.reference)}</td>'
                    f'<td class="tal">{esc(r.gap)}</td><td>{esc(r.kind)}</td><td>{cell}</td></tr>')
    mark = (f'<p><strong class="exempel">{esc(EXAMPLE_WORD)}</strong> {esc(m.example_note)}</p>'
            if m.example_note else "")
    head = "".join(f"<th>{esc(c)}</th>" for c in m.columns)
    return f"""
<h2 id="karta-rubrik">{esc(m.heading)}</h2>
<p>{esc(m.intro)}</p>
{mark}
<form class="sok" id="sokform" role="search"><label for="sok">{esc(page.search_label)}</label>
<input id="sok" type="search" autocomplete="off" placeholder="{esc(page.search_placeholder)}"></form>
<p id="sok-antal" aria-live="polite" data-ord="{esc(json.dumps(page.search_count, ensure_ascii=False))}"></p>
<div class="karta-och-tabell">
<figure class="karta" aria-labelledby="karta-text">
<div id="karta">{svg}</div>
<figcaption id="karta-text"><span class="visually-hidden" style="position:absolute;left:-9999px">{esc(m.alt)}</span>
<strong>{esc(m.legend_title)}</strong>
<ul class="teckenforklaring">{legend}</ul>
{esc(m.source)}</figcaption>
</figure>
<div class="tabell-ram" role="region" tabindex="0" aria-label="{esc(m.table_label)}">
<table id="kommuner"><caption>{esc(m.table_caption)}</caption>
<thead><tr>{head}</tr></thead>
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
    page = index_page(config, Path(results_path), year)
    notice = html.escape(page.example_notice).replace(
        "{mark}", f'<strong class="exempel">{html.escape(page.example_mark)}</strong>')
    doc = f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(page.title)}</title>
<style>{STYLE}</style>
</head><body><main>
<h1>{html.escape(page.heading)}</h1>
<p>{html.escape(page.created)}</p>
<p>{notice}</p>
{index_map_section(year_dir, page, config)}
<h2>{html.escape(page.reports_heading)}</h2>
<ul>
{_report_list(year_dir, geo, page)}
</ul></main></body></html>
"""
    from analysis.publish.render import write_atomic

    path = year_dir / "index.html"
    write_atomic(path, doc.encode("utf-8"))  # whole or not at all: a full disk leaves the old index
    return path
