"""The generated rapport.qmd carries every option itself (Quarto renders it as a single file)."""
import datetime as dt
import re

import pytest
import yaml

from analysis.present import model as m
from analysis.present.reportbuild import from_layout
from analysis.publish.pandoc_render import split_front_matter
from analysis.publish.qmd import (CALLOUT_FILTER, FLOATS_FILTER, HEADER, TYPST_SHOW, document_options, kit_files, report_source,
                                  write_kit)


def layout_model(root, kind: str, values: dict) -> m.ReportModel:
    """A report model from the layout with ``values`` (no notebooks): what present hands publish."""
    return from_layout(root / "reports" / "templates" / f"{kind}.qmd", values, kind, "1081", 2024,
                       m.Flags(example_data=False, real_data=True))


@pytest.fixture(scope="module", params=["kommun", "lan"])
def front(request, root):
    text = report_source(layout_model(root, request.param,
                                      {"year": "2024", "name": "Ronneby", "official_name": "Ronneby kommun"}),
                         root, date=dt.date(2026, 12, 1))
    meta, body = split_front_matter(text)
    return meta


def test_document_options(front):
    assert front["title"] == "Integrationsuppföljning 2024: Ronneby kommun"
    assert front["lang"] == "sv-SE"
    assert front["date"] == dt.date(2026, 12, 1) and front["date-format"] == "long"  # never free text
    assert front["toc"] is True and front["toc-title"] == "Innehåll" and front["toc-depth"] == 2
    assert front["notebook-links"] is False and front["notebook-view"] is False and front["format-links"] is False
    html, typst = front["format"]["html"], front["format"]["typst"]
    assert html["embed-resources"] is True and html["toc-expand"] is True
    assert html["html-table-processing"] == "none"
    assert typst["papersize"] == "a4" and typst["pdf-standard"] == "ua-1"
    # the PDF's cover and contents are the report's own: no Quarto title page, contents or shifted headings
    assert typst["template-partials"] == [TYPST_SHOW]  # (so Quarto's `toc` has nothing to draw in the PDF)
    assert typst["shift-heading-level-by"] == 0
    assert typst["filters"] == [{"path": CALLOUT_FILTER, "at": "pre-ast"}, {"path": FLOATS_FILTER, "at": "post-render"}]


def test_headers_are_files_in_the_report_folder(front, root):
    for fmt in ("html", "typst"):
        assert front["format"][fmt]["include-in-header"] == [{"file": HEADER[fmt]}]
    kit = kit_files(root)
    html = kit[HEADER["html"]]
    assert re.findall(r'<script src="([^"]+)"', html) == ["../_assets/plotly.min.js"]  # beside the report folders
    assert "cdn" not in re.sub(r"url\(data:[^)]*\)", "", html).lower()  # (embedded fonts are base64)
    assert html.index("--brand-primary") < html.index("max-width: 60em")  # the brand first, then head.html
    head_typ = (root / "reports" / "templates" / "head.typ").read_text(encoding="utf-8")
    typ = kit[HEADER["typst"]]
    assert typ.rstrip().endswith(head_typ.strip())
    # the brand (_brand.yml) comes first in both formats, so Quarto and the pandoc+Typst path share it
    assert typ.index("#let report(") < typ.index(head_typ.strip()) and "Source Sans Pro" in typ


def test_no_text_value_over_64_kb(root):
    """Quarto hands `text:` includes (and metadata) to pandoc in one environment variable; Linux refuses any
    single argument or environment string over 128 KiB ("Argument list too long", issue 21: the inlined fonts
    were ≈ 0,9 MB). Nothing in the front matter may come near that."""
    for template in ("kommun", "lan"):
        text = report_source(layout_model(root, template, {"year": "2024", "name": "Ronneby", "colophon": "x" * 1000}),
                             root)
        meta, _ = split_front_matter(text)

        def walk(value, where):
            if isinstance(value, dict):
                if "text" in value and where.endswith("include-in-header"):
                    assert len(str(value["text"]).encode()) <= 64 * 1024, where
                for k, v in value.items():
                    walk(v, f"{where}/{k}")
            elif isinstance(value, list):
                for v in value:
                    walk(v, where)
            else:
                assert len(str(value).encode()) <= 64 * 1024, where

        walk(meta, "")
        assert len(text.split("\n---\n", 1)[0].encode()) < 64 * 1024  # the whole front matter, too


# Every top-level name Quarto's Typst template defines or imports (quarto-dev/quarto-cli v1.10.18,
# src/resources/formats/typst/pandoc/quarto/{definitions,numbering,typst-template,page}.typ: `#let NAME` at the
# start of a line, and `#import "@preview/marginalia:0.3.1" as marginalia: note, notefigure, wideblock`).
# Our header comes after these in Quarto's template.typ, so a definition with one of these names replaces
# Quarto's: `#let callout(kind:, body)` broke every PDF ("the argument `body` is positional", issue 21).
QUARTO_TYPST_NAMES = {
    "article", "block_with_new_content", "callout", "callout-numbering", "column-body-outset",
    "column-page-inset", "column-screen-inset", "column-screen-inset-shaded", "column-sidenote",
    "content-to-string", "empty", "endnote", "equation-numbering", "horizontalrule", "quarto_super",
    "quartosubfloatcounter", "side-pad", "subfloat-numbering", "theorem-inherited-levels", "theorem-numbering",
    "theorem-render", "marginalia", "note", "notefigure", "wideblock",
}


def test_our_typst_header_defines_no_name_of_quartos_template(root):
    kit = kit_files(root)
    ours = set()
    for text in (kit[HEADER["typst"]], kit[TYPST_SHOW]):
        ours |= set(re.findall(r"^#let\s+([A-Za-z_][\w-]*)", text, re.M))
    assert {"brand-callout", "report", "brand-color"} <= ours
    assert not ours & QUARTO_TYPST_NAMES
    # and what we call: the callout filter and the cover use our name
    assert "#brand-callout(" in kit[CALLOUT_FILTER] and "#callout(" not in kit[CALLOUT_FILTER]


def test_front_matter_sets_font_paths_relative_to_the_report_folder(root, tmp_path):
    folder = tmp_path / "reports" / "2024" / "1081"
    folder.mkdir(parents=True)
    meta, _ = split_front_matter(report_source(layout_model(root, "kommun", {}), root, folder=folder))
    paths = meta["format"]["typst"]["font-paths"]
    assert paths and all(not p.startswith("/") for p in paths)  # Quarto joins even an absolute path to the folder
    assert any((folder / p / "SourceSansPro-Regular.ttf").is_file() for p in paths)


def test_kit_is_written_beside_the_report(root, tmp_path):
    write_kit(root, tmp_path)
    assert (tmp_path / HEADER["html"]).stat().st_size > 128 * 1024  # the fonts: fine in a file
    assert yaml.safe_load((tmp_path / "_quarto.yml").read_text(encoding="utf-8")) == {"project": {"type": "default"}}
    assert "#let" not in (tmp_path / TYPST_SHOW).read_text(encoding="utf-8")  # no article(), no title page
    assert (tmp_path / CALLOUT_FILTER).read_text(encoding="utf-8") == (
        root / "reports" / "templates" / "callout.lua").read_text(encoding="utf-8")


def test_only_project_section_stays_behind(root):
    project = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8"))
    assert set(document_options(root)) == set(project) - {"project"}


def test_template_values_are_substituted(root):
    text = report_source(layout_model(root, "kommun", {"year": "2024", "name": "Ronneby"}), root)
    assert "${year}" not in text and "${name}" not in text
    assert text.startswith("---\ntitle:")


def test_quarto_leftovers_are_removed(tmp_path):
    from analysis.publish.qmd import remove_quarto_leftovers

    for d in (".quarto/idx", "rapport_files/libs", "notebooks/arbete_files"):
        (tmp_path / d).mkdir(parents=True)
    for f in ("notebooks/arbete.out.ipynb", "notebooks/arbete.html", "rapport.html", "notebooks/arbete.ipynb"):
        (tmp_path / f).write_text("x")
    removed = remove_quarto_leftovers(tmp_path)
    assert sorted(removed) == [".quarto", "notebooks/arbete.html", "notebooks/arbete.out.ipynb",
                               "notebooks/arbete_files", "rapport_files"]
    assert (tmp_path / "rapport.html").exists() and (tmp_path / "notebooks/arbete.ipynb").exists()


CDN_PAGES = {
    # cdnjs: the form the clean-up first knew; cdn.jsdelivr.net: Quarto 1.10.18 (widgets.ts,
    # includesForJupyterWidgetDependencies), seen when real Quarto rendered our reports
    "cdnjs": (
        '<head>\n<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js" '
        'integrity="sha512-x" crossorigin="anonymous"></script>\n'
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/jquery/3.5.1/jquery.min.js" integrity="sha512-y" '
        'crossorigin="anonymous" data-relocate-top="true"></script>\n'
        '<script type="application/javascript" data-relocate-top="true">define(\'jquery\', [],function() '
        '{return window.jQuery;})</script>\n<script>/* plotly.js v4 */</script>\n</head>',
        "<head>\n<script>/* plotly.js v4 */</script>\n</head>"),
    "jsdelivr": (
        '<head>\n<script src="https://cdn.jsdelivr.net/npm/requirejs@2.3.6/require.min.js" integrity="sha384-c9c" '
        'crossorigin="anonymous"></script>\n'
        '<script src="https://cdn.jsdelivr.net/npm/jquery@3.5.1/dist/jquery.min.js" integrity="sha384-Zv" '
        'crossorigin="anonymous" data-relocate-top="true"></script>\n'
        '<script type="application/javascript">define(\'jquery\', [],function() {return window.jQuery;})</script>\n'
        '<script src="data:application/javascript;base64,AA=="></script>\n</head>',
        '<head>\n<script src="data:application/javascript;base64,AA=="></script>\n</head>'),
}


@pytest.mark.parametrize("cdn", sorted(CDN_PAGES))
def test_widget_cdn_scripts_are_removed(tmp_path, cdn):
    """Quarto's widget dependencies (require.js, jQuery and its define shim) from a CDN: all three go, the
    inlined plotly stays."""
    from analysis.publish.qmd import remove_widget_cdn

    before, after = CDN_PAGES[cdn]
    page = tmp_path / "rapport.html"
    page.write_text(before, encoding="utf-8")
    assert remove_widget_cdn(page) == 3
    assert page.read_text(encoding="utf-8") == after


def test_quarto_renderer_gets_the_document_and_leaves_a_clean_folder(out_config, tmp_path, monkeypatch):
    """With a stand-in `quarto` on PATH (the real CLI cannot be installed here): the command renders the
    generated rapport.qmd, and Quarto's leftovers and CDN scripts do not reach the report folder."""
    import dataclasses
    import os
    import stat

    from analysis.publish.render import _render, plan

    fake = tmp_path / "bin" / "quarto"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\n# quarto render rapport.qmd --to html\n'
                    'echo "$@" > args.txt\nmkdir -p .quarto/idx notebooks\n'
                    'touch notebooks/arbete.out.ipynb\n'
                    'printf \'<script src="https://cdnjs.cloudflare.com/ajax/libs/jquery/3.5.1/jquery.min.js" '
                    'crossorigin="anonymous"></script>ok\' > rapport.html\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    [job] = plan(["1081"], None, 2024, ("html",), config=out_config)
    job = dataclasses.replace(job, renderer="quarto")
    work = tmp_path / "work"
    work.mkdir()
    from analysis.present import reportbuild

    m.write(reportbuild.build(job), work)  # what the notebooks' step leaves: the report model
    [out] = _render(job, work)
    args = (work / "args.txt").read_text().split()
    assert args[0] == "render" and args[1].endswith("rapport.qmd") and args[2:] == ["--to", "html"]
    meta, _ = split_front_matter((work / "rapport.qmd").read_text(encoding="utf-8"))
    assert meta["lang"] == "sv-SE" and meta["format"]["html"]["embed-resources"] is True
    assert out.read_text(encoding="utf-8") == "ok"  # CDN script removed
    assert not (work / ".quarto").exists() and not (work / "notebooks" / "arbete.out.ipynb").exists()
