"""The reports' visual identity, read once from ``_brand.yml`` (Quarto's brand file).

Quarto reads ``_brand.yml`` itself; the pandoc+Typst path and the charts read it here, so both renderers and
every chart use the same typefaces, colours, type scale and page set-up:

* :func:`typst_header` — Typst set rules (font, sizes, colours, A4 page, running header/footer, breakable
  tables with repeated header rows, headings kept with what follows) and the ``report`` template with its cover;
* :func:`css` — the HTML style sheet (same typeface, embedded, and colours);
* :func:`chart_font`, :func:`colour` — plotly figures; :func:`font_dirs` — where the font files are.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from functools import lru_cache
from pathlib import Path

import yaml

from analysis.config import project_root

#: a Typst string literal
def typst_str(text: str) -> str:
    from analysis.present.escape import typst_string

    return typst_string(text)


@lru_cache(maxsize=4)
def load_brand(root: Path | None = None) -> dict:
    path = Path(root or project_root()) / "_brand.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def colour(name: str, brand: dict | None = None) -> str:
    """A colour by palette or theme name ("blue", "primary"), resolved to hex."""
    b = (brand or load_brand())["color"]
    value = b.get(name, b["palette"].get(name, name))
    return b["palette"].get(value, value)


def scale(brand: dict | None = None) -> dict:
    return (brand or load_brand())["defaults"]["analysis"]


def font_family(brand: dict | None = None) -> str:
    return (brand or load_brand())["typography"]["base"]["family"]


def chart_font(brand: dict | None = None) -> dict:
    """plotly layout.font: the body typeface at a size that prints at ≥ 8 pt (see ``chart`` in _brand.yml)."""
    return {"family": f"{font_family(brand)}, DejaVu Sans, Arial, sans-serif",
            "size": scale(brand)["chart"]["font-size"], "color": colour("foreground", brand)}


def font_dirs() -> list[Path]:
    """Folders with the brand's font files (the PyPI package ``font-source-sans-pro``), if installed."""
    try:
        import font_source_sans_pro
    except ImportError:
        return []
    return [Path(font_source_sans_pro.__file__).parent / "files"]


def use_brand_fonts_in_chromium(cache: Path | None = None) -> None:
    """Let the headless Chromium that draws static charts (kaleido) find the brand's fonts: a fontconfig
    file that adds the font folder to the system's configuration. Call before the browser starts."""
    dirs = font_dirs()
    if not dirs or os.environ.get("FONTCONFIG_FILE"):
        return
    cache = cache or Path(project_root()) / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    conf = cache / "fonts.conf"
    text = ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
            + "".join(f"  <dir>{d}</dir>\n" for d in dirs)
            + f"  <cachedir>{cache / 'fontconfig'}</cachedir>\n</fontconfig>\n")
    if not conf.exists() or conf.read_text() != text:
        conf.write_text(text)
    os.environ["FONTCONFIG_FILE"] = str(conf)


# --------------------------------------------------------------------------- Typst


#: the most rows of a table kept on one page (:func:`typst_header`); longer tables break, header repeated
SHORT_TABLE_ROWS = 8
#: the header's default for figures floating (``sys.inputs`` ``floats`` overrides it; :func:`floats_off`)
FLOATS_ON = '#let floats-default = "ja"'
FLOATS_OFF = '#let floats-default = "nej"'


def floats_off(header: str) -> str:
    """``header`` (:func:`typst_header`'s text) with figures in place by default: for a renderer that cannot
    pass Typst ``--input floats=nej`` (Quarto); unchanged if the header has no such default."""
    return header.replace(FLOATS_ON, FLOATS_OFF)


def typst_header(brand: dict | None = None) -> str:
    """Typst set-up for the PDF (included before the document body by the pandoc+Typst path)."""
    b = brand or load_brand()
    s = scale(b)
    ts, page = s["type-scale"], s["page"]
    base = b["typography"]["base"]
    c = {k: colour(k, b) for k in ("primary", "secondary", "foreground", "warning", "light", "sand", "rule", "grey")}
    fam = typst_str(font_family(b))
    return f"""// Generated from _brand.yml by analysis.present.brand — do not edit here.
#let brand-color = (primary: rgb("{c['primary']}"), secondary: rgb("{c['secondary']}"),
  foreground: rgb("{c['foreground']}"), warning: rgb("{c['warning']}"), light: rgb("{c['light']}"),
  sand: rgb("{c['sand']}"), rule: rgb("{c['rule']}"), grey: rgb("{c['grey']}"))
#set text(font: ({fam}, "DejaVu Sans"), size: {base['size']}, fill: brand-color.foreground, lang: "sv", region: "SE")
#set par(leading: {float(base['line-height']) - 0.8:.2f}em, spacing: {s['spacing']['paragraph']}, justify: false)
#set block(spacing: {s['spacing']['block']})
#show heading: set text(fill: brand-color.primary, weight: "semibold")
#show heading: set block(sticky: true, above: 1.6em, below: 0.8em)
#show heading.where(level: 1): set text(size: {ts['h2']})
#show heading.where(level: 2): set text(size: {ts['h2']})
#show heading.where(level: 3): set text(size: {ts['h3']})
#show link: set text(fill: brand-color.secondary)
#show raw: set text(font: "DejaVu Sans Mono", size: 0.85em)
// File names and checksums in running text and tables may break after "/", "_" and "-" instead of running
// into the next column or past the margin.
#show raw.where(block: false): it => {{ show regex("[/_-]"): m => m + sym.zws; it }}
// Tables: may break across pages (figures do not by default), header rows repeat, ragged right, 9 pt.
#show figure.where(kind: table): set block(breakable: true)
#show figure.where(kind: table): set figure.caption(position: top)
// Quarto's Typst output puts a table in a figure of its own kind: the same rules there.
#show figure.where(kind: "quarto-float-tbl"): set block(breakable: true)
#show figure.where(kind: "quarto-float-tbl"): set figure.caption(position: top)
// A chart or map that fits the rest of its page stays where it is in the text (under its heading). One that
// does not fit floats, and the text after it fills this page, so no page is left half empty. (Left to
// `placement: auto`, Typst floated a chart that fitted to the top of its page, above its own section's heading.)
// The rest of the page is measured from a marker just before the figure (`figure-mark`, in the text whether the
// figure floats or not). A float that Typst put at the top of that same page pushed the marker down by its own
// height, so the figure looked as if it did not fit and stayed a float there (a second stable layout, seen on
// Kalmar's county report): the marker's place is then taken without it (`figure-top` marks where the figure
// is drawn). Tables do not float (a float cannot break across pages).
// `floats: nej` (sys.inputs) keeps every figure in the text: typst 0.15.1's PDF/UA tagging stops with "internal
// error: parent group" on some layouts of floats (analysis.publish.pandoc_render.typst_pdf). Quarto passes Typst
// no inputs: its path writes "nej" into the default below and renders again (quarto_render).
{FLOATS_ON}
#let floats-on = sys.inputs.at("floats", default: floats-default) == "ja"
#let float-if-needed(it) = if not floats-on {{ it }} else {{
  [#metadata(none) <figure-mark>]
  context {{
    let mark = query(selector(<figure-mark>).before(here())).last().location().position()
    let height = measure(block(width: page.width - 2 * {page['margin-x']}, it)).height
    let y = mark.y
    let top = query(selector(<figure-top>).after(here())).at(0, default: none)
    if top != none {{
      let drawn = top.location().position()
      if drawn.page == mark.page and drawn.y < mark.y {{ y = mark.y - height - 1.5em.to-absolute() }}
    }}
    let body = [#metadata(none) <figure-top>#it]
    if y + height <= page.height - {page['margin-bottom']} {{ body }} else {{ place(auto, float: true, clearance: 1.5em, body) }}
  }}
}}
#show figure.where(kind: image): float-if-needed
#show figure.where(kind: "quarto-float-fig"): float-if-needed
#show figure.caption: set text(size: {ts['small']} + 0.5pt, weight: "semibold")
#show figure.caption: set align(left)
// A table's caption (on top) goes with the table: never alone at the foot of a page.
#show figure.caption.where(position: top): set block(sticky: true)
#show table: set par(justify: false, leading: 0.45em)
// A short table (up to {SHORT_TABLE_ROWS} rows) is not split across pages: a chart's data table that would start under
// the chart's place and go on after the chart (which moved to the top of the next page) follows it whole.
#show table: it => {{
  let cols = if type(it.columns) == int {{ it.columns }} else {{ it.columns.len() }}
  if it.children.len() <= ({SHORT_TABLE_ROWS} + 1) * calc.max(cols, 1) {{ block(breakable: false, it) }} else {{ it }}
}}
#show table: set text(size: {ts['table']})
#set table(stroke: (x, y) => if y == 0 {{ (bottom: 0.8pt + brand-color.primary) }} else {{ (bottom: 0.4pt + brand-color.rule) }},
  fill: (x, y) => if y == 0 {{ brand-color.light }})
#show table.header: set text(weight: "semibold")
#let brand-callout(kind: "note", body) = block(width: 100%, inset: (x: 10pt, y: 8pt), breakable: true,
  fill: if kind == "warning" {{ brand-color.sand }} else {{ brand-color.light }},
  stroke: (left: 4pt + (if kind == "warning" {{ brand-color.warning }} else {{ brand-color.secondary }})),
  body)
#let report(title: "", subtitle: "", area: "", year: "", publisher: "", published: "", data-note: "",
            example: false, body) = {{
  set document(title: title, author: publisher)
  set page(paper: "{page['paper']}", margin: (x: {page['margin-x']}, top: {page['margin-top']}, bottom: {page['margin-bottom']}),
    header: context {{
      if counter(page).get().first() > 1 {{
        set text(size: {ts['small']}, fill: brand-color.grey)
        grid(columns: (1fr, auto), publisher, title)
        v(-4pt)
        line(length: 100%, stroke: 0.4pt + brand-color.rule)
      }}
    }},
    footer: context {{
      set text(size: {ts['small']}, fill: brand-color.grey)
      grid(columns: (1fr, auto), if example {{ text(fill: brand-color.warning, weight: "bold")[Innehåller EXEMPELDATA] }},
        [Sida #counter(page).display() av #counter(page).final().first()])
    }})
  // Cover
  block(width: 100%, height: 100%, {{
    set par(justify: false)
    block(fill: brand-color.primary, width: 100%, inset: 14pt,
      text(fill: white, size: 11pt, weight: "semibold", publisher))
    v(1fr)
    text(size: {ts['title']}, weight: "bold", fill: brand-color.primary, hyphenate: false, title)
    v(6pt)
    text(size: {ts['subtitle']}, fill: brand-color.foreground, hyphenate: false, subtitle)
    v(18pt)
    grid(columns: (auto, 1fr), column-gutter: 12pt, row-gutter: 6pt,
      text(weight: "semibold")[Område], area,
      text(weight: "semibold")[År], year,
      text(weight: "semibold")[Utgivare], publisher,
      text(weight: "semibold")[Publicerad], published)
    if data-note != "" {{ v(10pt); text(size: {ts['small']} + 0.5pt, fill: brand-color.grey, data-note) }}
    if example {{
      v(14pt)
      brand-callout(kind: "warning")[*EXEMPELDATA:* rapporten innehåller genererade exempelvärden, inte verklig
        statistik. De är markerade i text, tabeller och diagram och får inte citeras.]
    }}
    v(2fr)
  }})
  pagebreak()
  outline(title: [Innehåll], depth: 2)
  v(1.2em)  // the report starts under the contents, not on a page of its own (a page with the contents only)
  body
}}
"""


def typst_cover(title: str, subtitle: str, area: str, year: int | str, publisher: str,
                published: dt.date | str, data_note: str = "", example: bool = False) -> str:
    """The raw Typst block that starts a report's body: cover, contents, running header/footer."""
    if isinstance(published, dt.date):
        from analysis.present.fmt import date_long

        published = date_long(published)
    args = ", ".join(f"{k}: {typst_str(v)}" for k, v in (
        ("title", title), ("subtitle", subtitle), ("area", area), ("year", year), ("publisher", publisher),
        ("published", published), ("data-note", data_note)))
    return "```{=typst}\n#show: report.with(" + args + f", example: {'true' if example else 'false'})\n```"


# --------------------------------------------------------------------------- HTML


def _font_face(brand: dict) -> str:
    family = font_family(brand)
    faces = []
    for d in font_dirs():
        for weight, style, name in ((400, "normal", "Regular"), (700, "normal", "Bold"), (400, "italic", "It")):
            f = d / f"SourceSansPro-{name}.ttf"
            if f.is_file():
                data = base64.b64encode(f.read_bytes()).decode("ascii")
                faces.append(f"@font-face {{ font-family: '{family}'; font-weight: {weight}; font-style: {style}; "
                             f"font-display: swap; src: url(data:font/ttf;base64,{data}) format('truetype'); }}")
    return "\n".join(faces)


def css(brand: dict | None = None, embed_fonts: bool = True) -> str:
    """The HTML style sheet from the brand (fonts embedded so a copied rapport.html keeps its look)."""
    b = brand or load_brand()
    c = {k: colour(k, b) for k in ("primary", "secondary", "foreground", "warning", "light", "sand", "rule", "grey")}
    return f"""<style>
{_font_face(b) if embed_fonts else ''}
:root {{ --brand-primary: {c['primary']}; --brand-secondary: {c['secondary']}; --brand-fg: {c['foreground']};
  --brand-warning: {c['warning']}; --brand-light: {c['light']}; --brand-sand: {c['sand']}; --brand-rule: {c['rule']}; }}
body {{ font-family: '{font_family(b)}', 'DejaVu Sans', Arial, sans-serif; font-size: 1.05rem; line-height: {b['typography']['base']['line-height']}; color: var(--brand-fg); }}
h1, h2, h3, .title {{ color: var(--brand-primary); font-weight: 600; line-height: 1.2; }}
h2 {{ font-size: 1.55rem; border-bottom: 2px solid var(--brand-primary); padding-bottom: 0.15em; margin-top: 2em; }}
h3 {{ font-size: 1.2rem; margin-top: 1.6em; }}
a {{ color: var(--brand-secondary); }}
table th {{ background: var(--brand-light); border-bottom: 2px solid var(--brand-primary); }}
table td {{ border-bottom: 1px solid var(--brand-rule); }}
.callout-warning, .exempel {{ border-left: 6px solid var(--brand-warning); background: var(--brand-sand); }}
.callout-note {{ border-left: 6px solid var(--brand-secondary); background: var(--brand-light); }}
</style>"""
