"""Write a report's ``rapport.qmd``: a Quarto source that carries every option it needs itself.

Quarto renders the generated file as a single document (it is not part of the project's render list), so
nothing in ``_quarto.yml`` reaches it on its own. This module copies the document options of ``_quarto.yml``
(everything except ``project``) into the front matter, with each ``include-in-header`` file inlined as
``text:`` so no path has to resolve from the temporary folder the report is rendered in. The only path left is
the one to the shared plotly.js (``../_assets/plotly.min.js``, beside the report folders), which both renderers
inline into ``rapport.html`` (``embed-resources``). ``quarto render rapport.qmd`` and the pandoc+Typst path
(:mod:`analysis.publish.pandoc_render`) read the same front matter.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import string
from pathlib import Path

import yaml

from analysis import yamlio
from analysis.publish.pandoc_render import split_front_matter

PROJECT_FILE = "_quarto.yml"


def document_options(root: Path) -> dict:
    """The document options of ``_quarto.yml`` (all but ``project``), include files inlined as ``text:``."""
    project = yaml.safe_load((root / PROJECT_FILE).read_text(encoding="utf-8")) or {}
    opts = {k: copy.deepcopy(v) for k, v in project.items() if k != "project"}
    for fmt_opts in (opts.get("format") or {}).values():
        if isinstance(fmt_opts, dict) and "include-in-header" in fmt_opts:
            fmt_opts["include-in-header"] = [_inline(root, item) for item in _as_list(fmt_opts["include-in-header"])]
    # The visual identity (_brand.yml) as the first header of each format, read by both renderers.
    from analysis.present import brand

    for name, text in (("html", brand.css(brand.load_brand(root))), ("typst", brand.typst_header(brand.load_brand(root)))):
        fmt_opts = opts.setdefault("format", {}).setdefault(name, {})
        if isinstance(fmt_opts, dict):
            fmt_opts["include-in-header"] = [{"text": text}] + _as_list(fmt_opts.get("include-in-header"))
    return opts


def _inline(root: Path, item) -> dict:
    if isinstance(item, dict) and "text" in item:
        return item
    path = item["file"] if isinstance(item, dict) else item
    return {"text": (root / path).read_text(encoding="utf-8")}


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


def report_source(template: Path, values: dict, root: Path, date: dt.date | None = None) -> str:
    """The text of ``rapport.qmd``: the template with ``values`` substituted, under a complete front matter."""
    # The front matter is read before the values go in, so that a value (a strategy name with a quote, a
    # colon or a line break) can never change its YAML; each value then fills its own string.
    front, body = split_front_matter(template.read_text(encoding="utf-8"))
    front = {k: string.Template(v).safe_substitute(values) if isinstance(v, str) else v for k, v in front.items()}
    body = string.Template(body).safe_substitute(values)
    # Order: the template's title block, then the shared options; the template's own options win.
    meta = {k: front.pop(k) for k in ("title", "subtitle") if k in front}
    meta["date"] = date or dt.date.today()
    meta = _merge(_merge(meta, document_options(root)), front)
    head = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{head}---\n{body}"


class _Dumper(yamlio.SafeDumper):
    """YAML with multi-line strings (the inlined header files) as readable ``|`` blocks."""


def _str(dumper, value: str):
    if "\n" in value:
        value = "\n".join(line.rstrip() for line in value.splitlines()) + "\n"
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def write_report_source(template: Path, values: dict, work: Path, root: Path) -> Path:
    """Write ``work/rapport.qmd`` and return its path."""
    qmd = work / "rapport.qmd"
    qmd.write_text(report_source(template, values, root), encoding="utf-8")
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


# Quarto puts require.js and jQuery from cdnjs into the head of any page that embeds a notebook with text/html
# outputs (src/core/jupyter/widgets.ts, "javascript widgets"); our outputs need neither (plotly.js is inlined).
WIDGET_CDN = re.compile(
    r'<script src="https://cdnjs\.cloudflare\.com/ajax/libs/(?:require\.js|jquery)/[^"]*"[^>]*></script>\s*'
    r"|<script[^>]*>define\('jquery', \[\],function\(\) \{return window\.jQuery;\}\)</script>\s*"
)


def remove_widget_cdn(html_file: Path) -> int:
    """Drop Quarto's require.js/jQuery CDN scripts from a rendered page; returns how many were removed."""
    text = html_file.read_text(encoding="utf-8")
    cleaned, n = WIDGET_CDN.subn("", text)
    if n:
        html_file.write_text(cleaned, encoding="utf-8")
    return n

