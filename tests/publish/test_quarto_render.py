"""The renderer choice and Quarto's errors, without Quarto (a stand-in `quarto` where one is needed)."""
import os
import stat

import pytest

from analysis.errors import AnalysisError
from analysis.publish.quarto_render import choose_renderer, first_error_line

# Quarto 1.10.18's stderr for the two failures of issue 21 (ANSI colours as Quarto prints them).
ARG_LIST_TOO_LONG = """\x1b[1mpandoc \x1b[22m
  to: html
  output-file: rapport.html
\x1b[91mERROR: Error executing '/opt/quarto/py/lib/python3.11/site-packages/pypandoc/files/pandoc': Failed to spawn '/opt/quarto/py/lib/python3.11/site-packages/pypandoc/files/pandoc': Argument list too long (os error 7)

Stack trace:
    at execProcess (file:///opt/quarto/src-1.10.18/src/core/process.ts:213:11)
    at async renderPandoc (file:///opt/quarto/src-1.10.18/src/command/render/render.ts:207:24)\x1b[39m
"""
TYPST_POSITIONAL = """[typst]: Compiling rapport.typ to rapport.pdf...
error: the argument `body` is positional
    ┌─ rapport.typ:212:1
    │
212 │ #callout(body: [Rapporten innehåller exempeldata.], title: [Varning])
\x1b[31mERROR: Typst compilation failed\x1b[39m
"""


def test_first_error_line_is_quartos_own():
    line = first_error_line(ARG_LIST_TOO_LONG)
    assert line.startswith("Error executing") and line.endswith("Argument list too long (os error 7)")
    assert "\n" not in line and "\x1b" not in line


def test_first_error_line_prefers_quarto_then_the_tool():
    assert first_error_line(TYPST_POSITIONAL) == "Typst compilation failed"
    assert first_error_line("[typst]: Compiling…\nerror: the argument `body` is positional\n") == \
        "the argument `body` is positional"
    assert first_error_line("") == "inget felmeddelande"
    assert len(first_error_line("ERROR: " + "x" * 5000)) == 300


def _fake_quarto(tmp_path, monkeypatch, script: str):
    fake = tmp_path / "bin" / "quarto"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}/usr/bin{os.pathsep}/bin")
    return fake


def test_renderer_choice(tmp_path, monkeypatch):
    monkeypatch.delenv("ANALYSIS_RENDERER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no quarto
    assert choose_renderer("auto") == "pandoc+typst"
    assert choose_renderer("pandoc") == "pandoc+typst"
    with pytest.raises(AnalysisError, match="quarto finns inte på PATH"):
        choose_renderer("quarto")
    with pytest.raises(AnalysisError, match="välj auto, quarto, pandoc"):
        choose_renderer("latex")
    _fake_quarto(tmp_path, monkeypatch, "exit 0\n")
    assert choose_renderer("auto") == "quarto" and choose_renderer("quarto") == "quarto"
    assert choose_renderer("pandoc") == "pandoc+typst"  # Quarto on PATH, not used
    monkeypatch.setenv("ANALYSIS_RENDERER", "pandoc+typst")
    assert choose_renderer("quarto") == "pandoc+typst"


def test_renderer_in_analysis_yml(project):
    from analysis.config import load_config

    assert project.renderer == "auto"
    path = project.root / "analysis.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("renderer: auto", "renderer: latex"), encoding="utf-8")
    load_config.cache_clear()
    with pytest.raises(AnalysisError, match="renderer: 'latex' finns inte"):
        load_config(project.root)


def test_failing_quarto_is_one_line_and_the_folder_stays_clean(out_config, tmp_path, monkeypatch):
    """A stand-in quarto that fails as Quarto 1.10.18 did: the error is one Swedish line with Quarto's first
    error line, and its working files do not stay behind."""
    import dataclasses

    from analysis.publish.render import _render, plan

    log = tmp_path / "quarto.log"
    log.write_text(ARG_LIST_TOO_LONG, encoding="utf-8")
    _fake_quarto(tmp_path, monkeypatch, f"mkdir -p .quarto rapport_files\ncat {log} >&2\nexit 1\n")
    [job] = plan(["1081"], None, 2024, ("html",), config=out_config, renderer="quarto")
    assert job.renderer == "quarto"
    work = tmp_path / "work"
    work.mkdir()
    from analysis.present import model, reportbuild

    model.write(reportbuild.build(job), work)  # what the notebooks' step leaves: the report model
    with pytest.raises(AnalysisError) as exc:
        _render(dataclasses.replace(job), work)
    message = str(exc.value)
    assert message.startswith("Quarto kunde inte göra HTML (quarto render --to html, kod 1): Error executing")
    assert "Argument list too long" in message and "\n" not in message and "Stack trace" not in message
    assert not (work / ".quarto").exists() and not (work / "rapport_files").exists()


def test_typst_float_bug_renders_again_with_figures_in_place(tmp_path, monkeypatch):
    """Typst 0.15.1's PDF/UA bug on floating figures (pandoc_render.FLOAT_TAGGING_BUG): Quarto passes Typst no
    --input, so the report folder's Typst header is set to figures in place and Quarto renders again. A stand-in
    quarto fails with the bug's message while the header lets figures float; any other failure stays one."""
    from analysis.present import brand
    from analysis.publish.pandoc_render import FLOAT_TAGGING_BUG
    from analysis.publish.qmd import HEADER
    from analysis.publish.quarto_render import render

    work = tmp_path / "work"
    header = work / HEADER["typst"]
    header.parent.mkdir(parents=True)
    header.write_text(brand.typst_header(), encoding="utf-8")
    qmd = work / "rapport.qmd"
    qmd.write_text("---\ntitle: x\n---\nText.\n", encoding="utf-8")
    runs = tmp_path / "runs"
    _fake_quarto(tmp_path, monkeypatch,
                 f'echo run >> {runs}\n'
                 f'if grep -qF \'{brand.FLOATS_ON}\' {HEADER["typst"]}; then\n'
                 f'  echo "error: {FLOAT_TAGGING_BUG}" >&2; echo "ERROR: Typst compilation failed" >&2; exit 1\n'
                 'fi\necho pdf > rapport.pdf\n')
    assert render(qmd, "typst") == work / "rapport.pdf"
    assert runs.read_text().count("run") == 2
    assert brand.FLOATS_OFF in header.read_text(encoding="utf-8")  # the folder renders on its own so

    # another Typst error: no second run, one Swedish line
    (work / "rapport.pdf").unlink()
    header.write_text(brand.typst_header(), encoding="utf-8")
    runs.unlink()
    _fake_quarto(tmp_path, monkeypatch, f'echo run >> {runs}\necho "error: något annat" >&2; exit 1\n')
    with pytest.raises(AnalysisError, match="Quarto kunde inte göra PDF .*något annat"):
        render(qmd, "typst")
    assert runs.read_text().count("run") == 1 and brand.FLOATS_ON in header.read_text(encoding="utf-8")
