"""Render a Quarto report source without Quarto: pandoc (pypandoc-binary) for HTML, pandoc + Typst for PDF.

Handles the subset of Quarto the report sources use: the document's YAML front matter (every option, as
written by :mod:`analysis.publish.qmd`; ``_quarto.yml`` is not read, as Quarto does not read it for these files),
``{{< embed notebook.ipynb#label >}}`` (stored outputs of the cell tagged or ``#| label:``-ed with that label),
``{{< pagebreak >}}``, callout divs, figures with ``fig-alt`` and tables with ``{#tbl-…}`` labels.
Output choice per format follows Quarto: HTML takes ``text/html`` (interactive plotly), the PDF
``text/markdown`` (markdown figures of the static PNG charts, pipe tables).
"""

from __future__ import annotations

import base64
import re
import subprocess
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import nbformat
import pypandoc

from analysis.present import brand
from analysis import config, yamlio
from analysis.errors import AnalysisError

EMBED = re.compile(r"\{\{<\s*embed\s+([^#\s>]+)#([\w-]+)[^>]*>\}\}")
PAGEBREAK = re.compile(r"\{\{<\s*pagebreak\s*>\}\}")
FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def split_front_matter(text: str) -> tuple[dict, str]:
    m = FRONT.match(text)
    if not m:
        return {}, text
    return yamlio.load(m.group(1)) or {}, text[m.end():]


def _find_cell(nb, label: str, path: Path):
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if label in cell.metadata.get("tags", []) or re.search(
            rf"^#\|\s*label:\s*{re.escape(label)}\s*$", _text(cell.source), re.M
        ):
            return cell
    raise AnalysisError(f"{path}: no cell labelled {label!r} to embed")


# Quarto's choice among an output's representations (src/core/jupyter/display-data.ts, displayDataMimeType):
# HTML prefers text/html, other formats text/markdown, then images. Ours follows it so both renderers show the same.
MIME_PRIORITY = {
    "html": ("text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg"),
    "typst": ("text/markdown", "image/svg+xml", "image/png", "image/jpeg"),
}


#: executed notebooks by (path, modification time, size), the newest kept: the reports in flight in a batch's
#: pipeline (rendering, waiting for a render thread, being executed), five notebooks each; render threads read
#: it while kernel workers add to it
_NOTEBOOKS: OrderedDict[tuple[str, int, int], object] = OrderedDict()
_KEEP = 30


def _key(path: Path) -> tuple[str, int, int]:
    st = Path(path).stat()
    return str(path), st.st_mtime_ns, st.st_size


def _keep(key: tuple[str, int, int], nb) -> None:
    _NOTEBOOKS[key] = nb
    while len(_NOTEBOOKS) > _KEEP:
        _NOTEBOOKS.popitem(last=False)


def remember(path: Path, nb) -> None:
    """The notebook just written to ``path`` (as written: text split into lines), so its embeds are taken from
    it, not read back from the file (≈ 10 ms per notebook of charts). Shared, never changed."""
    _keep(_key(path), nb)


def _notebook(path: Path):
    """An executed notebook, read once for all its embeds in both formats (keyed by path, time and size).
    Not validated again: papermill validated it as it wrote it (a validation costs ≈ 6 ms per notebook)."""
    key = _key(path)
    nb = _NOTEBOOKS.get(key)  # one look: another thread may drop the oldest between a test and a read
    if nb is not None:
        return nb
    from nbformat.v4 import nbjson

    text = Path(path).read_text(encoding="utf-8")
    nb = nbjson.reads(text)  # as nbformat.read: lines joined, transient fields dropped; without the validation
    if nb.get("nbformat") != 4:  # an older notebook (not one a run wrote): nbformat converts it
        nb = nbformat.reads(text, as_version=4)
    _keep(key, nb)
    return nb


def _text(value) -> str:
    """A notebook's text field, as written (a list of lines) or as read (one string)."""
    return value if isinstance(value, str) else "".join(value)


RAW_MARK = "<!-- analysis: raw {} -->"
RAW_MARKS = re.compile(r"<!-- analysis: raw (\d+) -->")


def embed_outputs(nb_path: Path, label: str, to: str, media: Path, counter: list[int],
                  raw: list[str] | None = None) -> str:
    """The outputs of the cell ``label`` as markdown for ``to``. With ``raw``, HTML outputs are collected there
    and stand as numbered markers in the markdown (pandoc copies raw HTML verbatim; see :func:`render`)."""
    nb = _notebook(Path(nb_path))
    cell = _find_cell(nb, label, nb_path)
    blocks = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            raise AnalysisError(f"{nb_path.name}#{label}: cellen misslyckades: {out.get('ename')}: {out.get('evalue')}")
        data = out.get("data", {})
        mime = next((m for m in MIME_PRIORITY.get(to, MIME_PRIORITY["typst"]) if m in data), None)
        if mime == "text/html":
            text = "".join(data["text/html"])
            if raw is not None:
                raw.append(text)
                text = RAW_MARK.format(len(raw) - 1)
            blocks.append("```{=html}\n" + text + "\n```")
        elif mime == "text/markdown":
            blocks.append("".join(data["text/markdown"]))
        elif mime is not None:  # an image without a markdown figure (notebooks run outside a report)
            counter[0] += 1
            media.mkdir(parents=True, exist_ok=True)
            ext = {"image/svg+xml": "svg", "image/png": "png", "image/jpeg": "jpg"}[mime]
            path = media / f"bild-{counter[0]}.{ext}"
            raw = "".join(data[mime])
            path.write_bytes(raw.encode() if ext == "svg" else base64.b64decode(raw))
            meta = out.get("metadata", {}).get(mime, {})
            alt = str(meta.get("alt", "Diagram")).replace('"', "'")
            rel = path.relative_to(media.parent).as_posix()
            blocks.append(f"![{meta.get('caption', '')}]({rel}){{width=100% fig-alt=\"{alt}\"}}")
    return "\n\n".join(blocks)


def expand(body: str, base: Path, to: str, media: Path, raw: list[str] | None = None) -> str:
    counter = [0]
    body = EMBED.sub(lambda m: embed_outputs(base / m.group(1), m.group(2), to, media, counter, raw), body)
    return PAGEBREAK.sub("" if to == "html" else "```{=typst}\n#pagebreak()\n```", body)


# Pandoc's Typst writer drops an image's alt text; PDF/UA-1 needs it on every figure. This filter writes each
# figure with an image as a Typst figure with `alt:` from `fig-alt` (as Quarto does), keeping its label.
TYPST_FIGURES = r"""
local function str(s) return '"' .. (s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\n', ' ')) .. '"' end
function Figure(fig)
  local img
  fig.content:walk({Image = function(i) img = img or i end})
  if not img then return nil end
  local alt = img.attributes['fig-alt'] or img.attributes['alt'] or pandoc.utils.stringify(img.caption)
  local width = img.attributes['width'] or '100%'
  local caption = pandoc.write(pandoc.Pandoc(fig.caption.long), 'typst'):gsub('%s+$', '')
  local label = fig.identifier ~= '' and (' <' .. fig.identifier .. '>') or ''
  return pandoc.RawBlock('typst', '#figure(image(' .. str(img.src) .. ', width: ' .. width .. ', alt: '
    .. str(alt) .. '),\n  caption: [' .. caption .. '])' .. label)
end
"""
HEAD_MARK = "<!-- analysis: include-in-header -->"
SCRIPT_SRC = re.compile(r'<script\s+src="([^":]+)"\s*>\s*</script>')


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=4)
def _script_bytes(path: str, mtime_ns: int, size: int) -> bytes:
    """A script inlined in the HTML (plotly.js, ≈ 4,6 MB), read once per batch (keyed by path, time and size;
    each year's reports share one ``_assets`` folder) and kept as the bytes written: each report's page is
    written around it, never copied into one string with it (≈ 45 ms a report when it was)."""
    return Path(path).read_bytes()


def _header(opts: dict, work: Path, inline_scripts: bool) -> list[bytes]:
    """The ``include-in-header`` entries (``text:`` or a file relative to the document) as the parts of one
    UTF-8 text; with ``inline_scripts`` local ``<script src>`` files are inlined (self-contained HTML without
    pandoc's slow ``--embed-resources``)."""
    parts = []
    for item in _as_list(opts.get("include-in-header")):
        if isinstance(item, dict) and "text" in item:
            parts.append(str(item["text"]))
        else:
            parts.append((work / (item["file"] if isinstance(item, dict) else item)).read_text(encoding="utf-8"))
    text = "\n".join(parts)
    if not inline_scripts:
        return [text.encode("utf-8")]
    out, last = [], 0
    for m in SCRIPT_SRC.finditer(text):
        path = work / m.group(1)
        if not path.is_file():
            raise AnalysisError(f"include-in-header: {m.group(1)} finns inte (sökt från {work})")
        out += [text[last:m.start()].encode("utf-8"), b"<script>", _script_bytes(str(path.resolve()), *_stamp(path)),
                b"</script>"]
        last = m.end()
    return out + [text[last:].encode("utf-8")]


def _date(meta: dict, fmt_name: str | None) -> None:
    """Quarto's ``date-format: long`` for an ISO ``date`` (pandoc prints dates as they are)."""
    import datetime as dt

    from analysis.present import fmt

    value = meta.get("date")
    if fmt_name and value:
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            return
        meta["date"] = fmt.date_long(day)


def render(qmd: Path, to: str, project_root: Path | None = None) -> Path:
    """Render ``qmd`` to ``rapport.html`` (to="html") or ``rapport.pdf`` (to="typst") beside it.

    Every option comes from the document's own front matter (as with ``quarto render`` of the file):
    top-level options, overridden by ``format: <to>:``. ``project_root`` is not read (kept for callers).
    """
    qmd = Path(qmd)
    front, body = split_front_matter(qmd.read_text(encoding="utf-8"))
    formats = front.get("format") or {}
    opts = {k: v for k, v in front.items() if k != "format"}
    if isinstance(formats.get(to), dict):
        opts.update(formats[to])
    meta = {k: v for k, v in opts.items() if k in ("title", "subtitle", "date", "lang", "author", "abstract")}
    _date(meta, opts.get("date-format"))
    work = qmd.parent
    raw: list[str] = []  # HTML outputs (plotly charts, tables): pandoc carries markers, not ≈ 1 MB of HTML
    md = expand(body, work, to, work / "media", raw if to == "html" else None)
    own_cover = to == "typst" and "#show: report.with(" in md
    if own_cover:  # the brand's cover carries title, publisher, dates and the contents (analysis.present.brand)
        for key in ("title", "subtitle", "date", "author"):
            meta.pop(key, None)
        opts["toc"] = False
    src = work / f".{qmd.stem}.{to}.md"
    src.write_text("---\n" + yamlio.dump(meta, allow_unicode=True) + "---\n" + md, encoding="utf-8")
    header = work / f".{qmd.stem}.{to}.header"
    lua = work / f".{qmd.stem}.figures.lua"
    # Pipe tables take their column widths from the separator's dashes, as in Quarto: the dashes follow the
    # content and never give a column less than its longest word (analysis.present.display.separator_dashes).
    # Typst's automatic widths squeeze a column below its longest word, and a header ran 2 pt into the next
    # column or two cells printed as one word (tests/publish/test_pdfcheck.py finds both).
    args = [pypandoc.get_pandoc_path(), str(src.name), "-f", "markdown", "-s", "--columns=40"]
    if opts.get("toc"):
        args += ["--toc", f"--toc-depth={opts.get('toc-depth', 3)}"]
    if opts.get("toc-title"):
        args += ["-M", f"toc-title={opts['toc-title']}"]
    try:
        head = _header(opts, work, inline_scripts=to == "html" and bool(opts.get("embed-resources")))
        # HTML: pandoc copies the header verbatim, so it gets a marker and the header (fonts, plotly.js: ≈ 5 MB)
        # goes in afterwards, as the HTML outputs do
        header.write_bytes(HEAD_MARK.encode("utf-8") if to == "html" else b"".join(head))
        args += ["-H", header.name]
        if to == "html":
            out = work / f"{qmd.stem}.html"
            args += ["-t", "html5", "--section-divs", "-o", out.name]
            _pandoc(args, work)
            page = out.read_text(encoding="utf-8")
            if page.count(HEAD_MARK) != 1 or sorted(map(int, RAW_MARKS.findall(page))) != list(range(len(raw))):
                raise AnalysisError(f"pandoc: markeringarna för sidhuvudet eller HTML-utdata saknas i {out.name}")
            before, after = RAW_MARKS.sub(lambda m: raw[int(m.group(1))], page).split(HEAD_MARK, 1)
            with out.open("wb") as f:  # the header (plotly.js) written between the page's two halves
                f.writelines([before.encode("utf-8"), *head, after.encode("utf-8")])
        elif to == "typst":
            typ = work / f"{qmd.stem}.typ"
            lua.write_text(TYPST_FIGURES, encoding="utf-8")
            args += ["-t", "typst", "--lua-filter", lua.name, "-o", typ.name]
            templates = Path(project_root or config.project_root()) / "reports" / "templates"
            if own_cover:  # no pandoc title block or page set-up; callouts as the brand's boxes
                args += ["--template", str(templates / "pandoc.typst"), "--lua-filter", str(templates / "callout.lua")]
            if opts.get("papersize"):
                args += ["-V", f"papersize={opts['papersize']}"]
            _pandoc(args, work)
            out = work / f"{qmd.stem}.pdf"
            standards = [str(x) for x in _as_list(opts.get("pdf-standard"))]
            fonts = [str(work / d) for d in _as_list(opts.get("font-paths"))] or [str(d) for d in brand.font_dirs()]
            typst_pdf(typ, out, work, fonts, standards)
            if not opts.get("keep-typ"):
                typ.unlink()
        else:
            raise AnalysisError(f"okänt utdataformat {to!r} (html eller typst)")
    finally:
        for tmp in (src, header, lua):
            tmp.unlink(missing_ok=True)
    return out


# One compile per process: the typst binding keeps its caches for the life of the process (about 25 MB per
# report), so a worker compiling hundreds of reports in-process grew past 1,5 GB.
TYPST_CODE = """
import json, sys
import typst
a = json.loads(sys.argv[1])
try:
    typst.compile(a["src"], output=a["out"], root=a["root"], font_paths=a["fonts"], sys_inputs=a["inputs"],
                  **({"pdf_standards": a["standards"]} if a["standards"] else {}))
except RuntimeError as exc:
    sys.stderr.write(str(exc))
    sys.exit(1)
"""


#: typst 0.15.1 (PyPI `typst`) stops the PDF/UA export of some layouts with floating figures with this error
#: (seen 2026-12-05 on Västmanland's and Kalmar's county reports from the national benchmark's data; each float
#: alone compiles, six together do not); the document is then compiled again without floats.
FLOAT_TAGGING_BUG = "internal error: parent group"


def typst_pdf(typ: Path, out: Path, root: Path, fonts: list[str], standards: list[str]) -> None:
    """Compile ``typ`` to the PDF ``out`` with the typst binding, in a short-lived process of its own."""
    import json
    import sys

    def compile_with(inputs: dict[str, str]) -> subprocess.CompletedProcess:
        args = json.dumps({"src": str(typ), "out": str(out), "root": str(root), "fonts": fonts,
                           "standards": standards, "inputs": inputs})
        return subprocess.run([sys.executable, "-c", TYPST_CODE, args], capture_output=True, text=True)

    proc = compile_with({})
    if proc.returncode != 0 and FLOAT_TAGGING_BUG in proc.stderr:  # typst's bug, not the document's: the same
        proc = compile_with({"floats": "nej"})  # report with its charts in place (brand.typst_header)
    if proc.returncode != 0:
        raise AnalysisError(f"typst misslyckades ({', '.join(standards) or 'PDF'}): {proc.stderr.strip()[:2000]}")


def _as_list(value) -> list:
    return [] if value is None else (value if isinstance(value, list) else [value])


#: GHC runtime options for pandoc: its build suggests a 64 MB heap (-H64m); a report needs far less. Measured on
#: Ronneby's report: peak RSS 172 -> 123 MB, and no slower.
PANDOC_RTS = ["+RTS", "-H16m", "-A4m", "-RTS"]


def _pandoc(args: list[str], cwd: Path) -> None:
    proc = subprocess.run([args[0], *PANDOC_RTS, *args[1:]], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AnalysisError(f"pandoc misslyckades ({proc.returncode}): {proc.stderr.strip()[:2000]}")
