"""The generated rapport.qmd carries every option itself (Quarto renders it as a single file)."""
import datetime as dt
import re

import pytest
import yaml

from analysis.publish.pandoc_render import split_front_matter
from analysis.publish.qmd import document_options, report_source


@pytest.fixture(scope="module", params=["kommun", "lan"])
def front(request, root):
    text = report_source(root / "reports" / "templates" / f"{request.param}.qmd",
                         {"year": "2024", "name": "Ronneby", "official_name": "Ronneby kommun"}, root,
                         date=dt.date(2026, 12, 1))
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


def test_includes_are_inlined_and_resolve_from_the_report_folder(front, root):
    for fmt in ("html", "typst"):
        includes = front["format"][fmt]["include-in-header"]
        assert includes and all(set(item) == {"text"} for item in includes)  # no path relative to elsewhere
    html = "".join(i["text"] for i in front["format"]["html"]["include-in-header"])
    assert re.findall(r'<script src="([^"]+)"', html) == ["../_assets/plotly.min.js"]  # beside the report folders
    assert "cdn" not in re.sub(r"url\(data:[^)]*\)", "", html).lower()  # (embedded fonts are base64)
    head_typ = (root / "reports" / "templates" / "head.typ").read_text(encoding="utf-8")
    typst_includes = [i["text"].strip() for i in front["format"]["typst"]["include-in-header"]]
    assert typst_includes[-1] == head_typ.strip()
    # the brand (_brand.yml) comes first in both formats, so Quarto and the pandoc+Typst path share it
    assert "#let report(" in typst_includes[0] and "Source Sans Pro" in typst_includes[0]
    assert "--brand-primary" in front["format"]["html"]["include-in-header"][0]["text"]


def test_only_project_section_stays_behind(root):
    project = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8"))
    assert set(document_options(root)) == set(project) - {"project"}


def test_template_values_are_substituted(root):
    text = report_source(root / "reports" / "templates" / "kommun.qmd", {"year": "2024", "name": "Ronneby"}, root)
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


def test_quartos_widget_cdn_scripts_are_removed(tmp_path):
    """What Quarto's widgets.ts puts into the head when a notebook has text/html outputs."""
    from analysis.publish.qmd import remove_widget_cdn

    page = tmp_path / "rapport.html"
    page.write_text(
        '<head>\n<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js" '
        'integrity="sha512-x" crossorigin="anonymous"></script>\n'
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/jquery/3.5.1/jquery.min.js" integrity="sha512-y" '
        'crossorigin="anonymous" data-relocate-top="true"></script>\n'
        '<script type="application/javascript" data-relocate-top="true">define(\'jquery\', [],function() '
        '{return window.jQuery;})</script>\n<script>/* plotly.js v4 */</script>\n</head>', encoding="utf-8")
    assert remove_widget_cdn(page) == 3
    assert page.read_text(encoding="utf-8") == "<head>\n<script>/* plotly.js v4 */</script>\n</head>"


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
    [out] = _render(job, work)
    args = (work / "args.txt").read_text().split()
    assert args[0] == "render" and args[1].endswith("rapport.qmd") and args[2:] == ["--to", "html"]
    meta, _ = split_front_matter((work / "rapport.qmd").read_text(encoding="utf-8"))
    assert meta["lang"] == "sv-SE" and meta["format"]["html"]["embed-resources"] is True
    assert out.read_text(encoding="utf-8") == "ok"  # CDN script removed
    assert not (work / ".quarto").exists() and not (work / "notebooks" / "arbete.out.ipynb").exists()
