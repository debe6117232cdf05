"""Output formats are a registry: a format registered here renders through the same path as html and pdf."""
import dataclasses

import pytest

from analysis.errors import AnalysisError
from analysis.present import model as m
from analysis.publish import formats
from analysis.publish.formats import FORMATS, OutputFormat, register, unregister


@pytest.fixture
def dummy():
    calls = []

    def render(qmd, job):
        calls.append(qmd.name)
        out = qmd.with_name("rapport.txt")
        out.write_text(qmd.read_text(encoding="utf-8"), encoding="utf-8")
        return out

    register(OutputFormat("txt", render, label="text"))
    yield calls
    unregister("txt")
    assert "txt" not in FORMATS


def _work(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    m.write(m.ReportModel("kommun", "1081", 2024, "Titel från modellen", "Undertitel", "Utgivare",
                          m.Flags(False, True), [m.Section("s", "Rubrik", [m.Text("Text från modellen.")])]), work)
    return work


def test_html_and_pdf_are_entries_and_the_cli_offers_the_registry():
    assert list(FORMATS)[:2] == ["html", "pdf"] and FORMATS["pdf"].static_images and not FORMATS["html"].static_images
    from analysis import cli

    assert cli._OUTPUT_FORMATS is FORMATS


def test_a_registered_format_renders_through_the_same_path(dummy, out_config, tmp_path):
    from analysis.publish.render import _render, plan

    [job] = plan(["1081"], None, 2024, ("txt",), config=out_config)  # accepted: it is registered
    work = _work(tmp_path)
    waits = []
    [out] = _render(job, work, before_pdf=lambda: waits.append(1))
    assert dummy == ["rapport.qmd"] and out.name == "rapport.txt"
    assert "Titel från modellen" in out.read_text(encoding="utf-8")  # from the model, like html and pdf
    assert waits == []  # a format without static images does not wait for chart files


def test_unknown_format_is_refused_with_the_registered_names(out_config):
    from analysis.publish.render import plan

    with pytest.raises(AnalysisError, match="välj bland html, pdf"):
        plan(["1081"], None, 2024, ("docx",), config=out_config)
    with pytest.raises(AnalysisError, match="välj bland"):
        formats.get("docx")


def test_static_image_formats_come_last_and_wait_once(dummy, out_config, tmp_path):
    from analysis.publish.render import _render, _static_images, plan

    order = []
    register(OutputFormat("bild1", lambda q, j: order.append("bild1") or q, static_images=True))
    register(OutputFormat("bild2", lambda q, j: order.append("bild2") or q, static_images=True))
    try:
        [job] = plan(["1081"], None, 2024, ("bild2", "txt", "bild1"), config=out_config)
        assert _static_images(job.formats) and not _static_images(("txt", "html"))
        waits = []
        _render(dataclasses.replace(job), _work(tmp_path), before_pdf=lambda: waits.append(len(order)))
        assert order == ["bild2", "bild1"] and dummy == ["rapport.qmd"]
        assert waits == [0]  # once, after the txt and before the first static-image format
    finally:
        unregister("bild1")
        unregister("bild2")


def test_the_index_links_every_registered_format(dummy, tmp_path):
    from analysis.publish.index import _report_links

    for name in ("rapport.html", "rapport.pdf", "rapport.txt", "rapport.docx"):
        (tmp_path / "1081").mkdir(exist_ok=True)
        (tmp_path / "1081" / name).write_text("x", encoding="utf-8")
    assert _report_links(tmp_path, "1081") == [("1081/rapport.html", "webbsida"), ("1081/rapport.pdf", "PDF"),
                                               ("1081/rapport.txt", "text")]  # docx: not registered
