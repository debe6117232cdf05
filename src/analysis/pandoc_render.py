"""Render a Quarto report source without Quarto: pandoc (pypandoc-binary) for HTML, pandoc + Typst for PDF.

Handles the subset of Quarto the report sources use: YAML front matter merged over ``_quarto.yml``'s
``format`` options, ``{{< embed notebook.ipynb#label >}}`` (stored outputs of the cell tagged or
``#| label:``-ed with that label), ``{{< pagebreak >}}``, callout divs and pandoc markdown.
Output choice per format follows Quarto: HTML takes ``text/html`` (interactive plotly), the PDF takes
``image/png`` for charts and ``text/markdown`` for tables.
"""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path

import nbformat
import pypandoc
import typst
import yaml

from .errors import AnalysisError

EMBED = re.compile(r"\{\{<\s*embed\s+([^#\s>]+)#([\w-]+)[^>]*>\}\}")
PAGEBREAK = re.compile(r"\{\{<\s*pagebreak\s*>\}\}")
FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def split_front_matter(text: str) -> tuple[dict, str]:
    m = FRONT.match(text)
    if not m:
        return {}, text
    return yaml.safe_load(m.group(1)) or {}, text[m.end():]


def _find_cell(nb, label: str, path: Path):
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if label in cell.metadata.get("tags", []) or re.search(
            rf"^#\|\s*label:\s*{re.escape(label)}\s*$", cell.source, re.M
        ):
            return cell
    raise AnalysisError(f"{path}: no cell labelled {label!r} to embed")


def embed_outputs(nb_path: Path, label: str, to: str, media: Path, counter: list[int]) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    cell = _find_cell(nb, label, nb_path)
    blocks = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            raise AnalysisError(f"{nb_path.name}#{label}: the cell failed: {out.get('ename')}: {out.get('evalue')}")
        data = out.get("data", {})
        meta = out.get("metadata", {}).get("image/png", {})
        if to == "html" and "text/html" in data:
            blocks.append("```{=html}\n" + "".join(data["text/html"]) + "\n```")
        elif to != "html" and "image/png" in data:
            counter[0] += 1
            media.mkdir(parents=True, exist_ok=True)
            png = media / f"figur-{counter[0]}.png"
            png.write_bytes(base64.b64decode(data["image/png"]))
            alt, caption = meta.get("alt", "Diagram"), meta.get("caption", "")
            rel = png.relative_to(media.parent).as_posix()
            if to == "typst":  # pandoc's Typst writer drops alt text; PDF/UA needs it on every image
                blocks.append("```{=typst}\n"
                              f"#figure(image({_typst_str(rel)}, width: 100%, alt: {_typst_str(alt)}),\n"
                              f"  caption: {_typst_str(caption)})\n```")
            else:
                alt = alt.replace("[", "(").replace("]", ")")
                blocks.append(f"![{caption}]({rel}){{width=100% fig-alt=\"{alt}\" alt=\"{alt}\"}}")
        elif "text/markdown" in data:
            blocks.append("".join(data["text/markdown"]))
        elif to == "html" and "image/png" in data:
            blocks.append(f"![](data:image/png;base64,{data['image/png']}){{width=100%}}")
    return "\n\n".join(blocks)


def _typst_str(text: str) -> str:
    """A Typst string literal."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def expand(body: str, base: Path, to: str, media: Path) -> str:
    counter = [0]
    body = EMBED.sub(lambda m: embed_outputs(base / m.group(1), m.group(2), to, media, counter), body)
    return PAGEBREAK.sub("" if to == "html" else "```{=typst}\n#pagebreak()\n```", body)


def _format_options(project: dict, front: dict, fmt: str) -> dict:
    opts = dict((project.get("format") or {}).get(fmt) or {})
    doc = (front.get("format") or {}).get(fmt)
    if isinstance(doc, dict):
        opts.update(doc)
    return opts


def render(qmd: Path, to: str, project_root: Path) -> Path:
    """Render ``qmd`` to ``rapport.html`` (to="html") or ``rapport.pdf`` (to="typst") beside it."""
    qmd = Path(qmd)
    project = yaml.safe_load((project_root / "_quarto.yml").read_text(encoding="utf-8")) or {}
    front, body = split_front_matter(qmd.read_text(encoding="utf-8"))
    opts = _format_options(project, front, to)
    meta = {k: v for k, v in front.items() if k != "format"}
    meta.setdefault("lang", project.get("lang", "sv"))
    work = qmd.parent
    md = expand(body, work, to, work / "media")
    src = work / f".{qmd.stem}.{to}.md"
    src.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + md, encoding="utf-8")
    # --columns: keep pipe tables at automatic column widths (no relative widths from long lines)
    args = [pypandoc.get_pandoc_path(), str(src.name), "-f", "markdown", "-s", "--columns=1000"]
    if opts.get("toc", meta.get("toc")):
        args += ["--toc", f"--toc-depth={opts.get('toc-depth', 2)}"]
    if opts.get("toc-title"):
        args += ["-M", f"toc-title={opts['toc-title']}"]
    try:
        if to == "html":
            out = work / f"{qmd.stem}.html"
            args += ["-t", "html5", "--section-divs", "-o", out.name]
            for inc in _as_list(opts.get("include-in-header")):
                args += ["-H", str(project_root / inc)]
            _pandoc(args, work)
        elif to == "typst":
            typ = work / f"{qmd.stem}.typ"
            args += ["-t", "typst", "-o", typ.name]
            if opts.get("papersize"):
                args += ["-V", f"papersize={opts['papersize']}"]
            for inc in _as_list(opts.get("include-in-header")):
                args += ["-H", str(project_root / inc)]
            _pandoc(args, work)
            out = work / f"{qmd.stem}.pdf"
            standards = [str(x) for x in _as_list(opts.get("pdf-standard"))]
            try:
                typst.compile(str(typ), output=str(out), root=str(work),
                              **({"pdf_standards": standards} if standards else {}))
            except RuntimeError as exc:
                raise AnalysisError(f"typst failed ({', '.join(standards) or 'PDF'}): {str(exc)[:2000]}") from None
            if not opts.get("keep-typ"):
                typ.unlink()
        else:
            raise AnalysisError(f"unknown output format {to!r} (html or typst)")
    finally:
        src.unlink(missing_ok=True)
    return out


def _as_list(value) -> list:
    return [] if value is None else (value if isinstance(value, list) else [value])


def _pandoc(args: list[str], cwd: Path) -> None:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AnalysisError(f"pandoc failed ({proc.returncode}): {proc.stderr.strip()[:2000]}")
