"""Write a report's ``rapport.qmd``: a Quarto source that carries every option it needs itself.

Quarto renders the generated file as a single document (it is not part of the project's render list), so
nothing in ``_quarto.yml`` reaches it on its own. This module copies the document options of ``_quarto.yml``
(everything except ``project``) into the front matter. What the options need as files is written beside
``rapport.qmd`` in ``mall/`` (:data:`KIT`), so a copied report folder renders on its own:

* the header of each format (the brand's style sheet with its fonts, or its Typst set-up, then the
  ``include-in-header`` files of ``_quarto.yml``) as a ``file:`` include. Never as ``text:``: Quarto hands
  ``text:`` includes to pandoc inside one environment variable, and Linux refuses any single argument or
  environment string over 128 KiB (the fonts alone are ≈ 0,9 MB: "Argument list too long");
* for the PDF, Quarto's ``typst-show.typ`` partial replaced by one that leaves the page to the report's own
  cover (``#show: report.with(...)``, :mod:`analysis.present.brand`), so Quarto adds no second title page or
  table of contents, and ``callout.lua`` as a filter, so callouts are the brand's boxes in both renderers;
* a ``_quarto.yml`` that makes the folder a Quarto project of its own, so Quarto keeps its ``.quarto/`` there
  (removed after the render) and not at the repository root.

The only path outside the folder is the shared plotly.js (``../_assets/plotly.min.js``, beside the report
folders), which both renderers inline into ``rapport.html`` (``embed-resources``). ``quarto render rapport.qmd``
and the pandoc+Typst path (:mod:`analysis.publish.pandoc_render`) read the same front matter.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
from pathlib import Path

import yaml

from analysis import yamlio

PROJECT_FILE = "_quarto.yml"
KIT = "mall"  # the report folder's own files for Quarto: headers, Typst partial, callout filter
HEADER = {"html": f"{KIT}/huvud.html", "typst": f"{KIT}/huvud.typ"}
TYPST_SHOW = f"{KIT}/typst-show.typ"
CALLOUT_FILTER = f"{KIT}/callout.lua"
FLOATS_FILTER = f"{KIT}/floats.lua"  # Quarto only: a figure out of its cell's block, so it can float
#: Quarto's typst-show.typ applies its article() template (title block, contents, page set-up); the report's
#: body starts with its own (analysis.present.brand.typst_cover), as on the pandoc+Typst path.
TYPST_SHOW_TEXT = ("// Replaces Quarto's typst-show.typ: no article() title page or contents. The report's body\n"
                   "// starts with its own cover and contents: #show: report.with(...) (analysis.present.brand).\n")
FOLDER_PROJECT = ("# Makes this report folder a Quarto project of its own: `quarto render rapport.qmd` keeps its\n"
                  "# .quarto/ here (not at the repository root). Every option is in rapport.qmd's front matter.\n"
                  "project:\n  type: default\n")


def document_options(root: Path, folder: Path | None = None) -> dict:
    """The document options of ``_quarto.yml`` (all but ``project``), each format's header as the ``file:``
    include :data:`HEADER` (its text: :func:`kit_files`), the Typst font folders and the PDF's own cover.
    ``folder``: the report folder; the font folders are given relative to it (Quarto joins every
    ``font-paths`` entry to the document's folder, even an absolute one)."""
    from analysis.present import brand

    project = yaml.safe_load((root / PROJECT_FILE).read_text(encoding="utf-8")) or {}
    opts = {k: copy.deepcopy(v) for k, v in project.items() if k != "project"}
    for name, path in HEADER.items():
        fmt_opts = opts.setdefault("format", {}).setdefault(name, {})
        if isinstance(fmt_opts, dict):
            fmt_opts["include-in-header"] = [{"file": path}]
    typst = opts["format"]["typst"]
    # Source Sans Pro (else Typst falls back to DejaVu). A temporary report folder has the same depth as the
    # published one, so the relative path holds after the move.
    typst["font-paths"] = [os.path.relpath(d, folder) if folder else str(d) for d in brand.font_dirs()]
    typst["template-partials"] = [TYPST_SHOW]
    typst["filters"] = [{"path": CALLOUT_FILTER, "at": "pre-ast"},  # before Quarto reads callouts
                        {"path": FLOATS_FILTER, "at": "post-render"}]  # after Quarto has made its figures
    return opts


def kit_files(root: Path) -> dict[str, str]:
    """The text of each file in the report folder's :data:`KIT` (and its ``_quarto.yml``), by relative path:
    the brand's header first, then the ``include-in-header`` files of ``_quarto.yml``."""
    from analysis.present import brand

    project = yaml.safe_load((root / PROJECT_FILE).read_text(encoding="utf-8")) or {}
    b = brand.load_brand(root)
    files = {}
    for name, first in (("html", brand.css(b)), ("typst", brand.typst_header(b))):
        fmt_opts = (project.get("format") or {}).get(name) or {}
        parts = [first] + [_include_text(root, item) for item in _as_list(fmt_opts.get("include-in-header"))]
        files[HEADER[name]] = "\n".join(parts)
    files[TYPST_SHOW] = TYPST_SHOW_TEXT
    files[CALLOUT_FILTER] = (root / "reports" / "templates" / "callout.lua").read_text(encoding="utf-8")
    files[FLOATS_FILTER] = (root / "reports" / "templates" / "floats.lua").read_text(encoding="utf-8")
    files[PROJECT_FILE] = FOLDER_PROJECT
    return files


def write_kit(root: Path, folder: Path) -> None:
    """Write :func:`kit_files` into a report folder."""
    for rel, text in kit_files(root).items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _include_text(root: Path, item) -> str:
    if isinstance(item, dict) and "text" in item:
        return str(item["text"])
    path = item["file"] if isinstance(item, dict) else item
    return (root / path).read_text(encoding="utf-8")


def _as_list(value) -> list:
    return [] if value is None else (value if isinstance(value, list) else [value])


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        if isinstance(out.get(k), dict) and isinstance(v, dict):
            out[k] = _merge(out[k], v)
        elif not (isinstance(out.get(k), dict) and v == "default"):  # `html: default` keeps the options
            out[k] = v
    return out


def part_markdown(part) -> str:
    """Where a part of the report model goes in ``rapport.qmd``: a text as it is, a notebook cell as Quarto's
    ``embed`` shortcode (its outputs are the tables, figures and texts the model lists under it)."""
    from analysis.present import model as m

    if isinstance(part, (m.Text, m.Headline)):
        return part.markdown
    if isinstance(part, m.Cell):
        return f"{{{{< embed notebooks/{part.notebook}.ipynb#{part.cell} >}}}}"
    if isinstance(part, m.PageBreak):
        return "{{< pagebreak >}}"
    raise TypeError(f"rapportmodellens del {type(part).__name__} hör hemma i en notebookcell")


def report_body(model) -> str:
    """The body of ``rapport.qmd``: the model's sections in order, each its heading and its parts."""
    blocks = []
    for section in model.sections:
        if section.heading:
            blocks.append(f"## {section.heading}")
        blocks += [part_markdown(p) for p in section.parts]
    return "\n\n".join(blocks) + "\n"


def report_source(model, root: Path, date: dt.date | None = None, folder: Path | None = None) -> str:
    """The text of ``rapport.qmd``: the report model (:mod:`analysis.present.model`) placed under a complete
    front matter. Every text comes from the model; nothing here composes a sentence."""
    meta = {"title": model.title, "subtitle": model.subtitle, "date": date or dt.date.today()}
    meta = _merge(_merge(meta, document_options(root, folder)), {"author": model.publisher})
    head = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{head}---\n\n{report_body(model)}"


class _Dumper(yamlio.SafeDumper):
    """YAML with multi-line strings (the inlined header files) as readable ``|`` blocks."""


def _str(dumper, value: str):
    if "\n" in value:
        value = "\n".join(line.rstrip() for line in value.splitlines()) + "\n"
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def write_report_source(model, work: Path, root: Path) -> Path:
    """Write ``work/rapport.qmd`` from the report model and the files it needs (:func:`write_kit`); return its
    path."""
    write_kit(root, work)
    qmd = work / "rapport.qmd"
    qmd.write_text(report_source(model, root, folder=work), encoding="utf-8")
    return qmd


#: what a Quarto render may leave beside rapport.qmd that does not belong in a published report folder
QUARTO_LEFTOVERS = (".quarto", "rapport_files", "**/*.out.ipynb", "**/*.quarto_ipynb", "notebooks/*.html",
                    "notebooks/*_files")


def remove_quarto_leftovers(folder: Path) -> list[str]:
    """Delete Quarto's working files (``.quarto/``, previews, ``*.out.ipynb``) from a rendered report folder."""
    import shutil

    removed = []
    for pattern in QUARTO_LEFTOVERS:
        for path in folder.glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
            removed.append(path.relative_to(folder).as_posix())
    return removed


# Quarto puts require.js and jQuery from a CDN into the head of any page that embeds a notebook with text/html
# outputs (src/core/jupyter/widgets.ts, "javascript widgets": cdn.jsdelivr.net in Quarto 1.10, cdnjs before);
# our outputs need neither (plotly.js is inlined). Any CDN host: the script's file name is what counts.
WIDGET_CDN = re.compile(
    r'<script src="https?://[^"]*/(?:require\.js|requirejs|jquery)[^"]*"[^>]*></script>\s*'
    r"|<script[^>]*>define\('jquery', \[\],function\(\) \{return window\.jQuery;\}\)</script>\s*"
)


def remove_widget_cdn(html_file: Path) -> int:
    """Drop Quarto's require.js/jQuery CDN scripts from a rendered page; returns how many were removed."""
    text = html_file.read_text(encoding="utf-8")
    cleaned, n = WIDGET_CDN.subn("", text)
    if n:
        html_file.write_text(cleaned, encoding="utf-8")
    return n

