"""The report model: one typed description of a report, JSON round trip, built from the layout and the
executed notebooks' outputs (no side files)."""
import dataclasses
import json

import pandas as pd
import pytest

from analysis.present import model as m
from analysis.present.display import PART_KEY, Chart, Download, Table, Text
from analysis.present.downloads import TableNotes
from analysis.present.reportbuild import from_layout


def full_model() -> m.ReportModel:
    """A model with every kind of part."""
    table = m.Table("Tabell 1.", "tbl-x", ["År", "Värde"], [["2023", "1,5 %"], ["2024", ".."]], "1081-x")
    figure = m.Figure("Diagram 1.", "fig-x", "Linjediagram över …", {"kind": "line", "series": []}, "1081-x")
    cell = m.Cell("arbete", "fokus-indikatorer", [m.Headline("arbetsloshet", "**Arbetslöshet 2024:** 5 %"),
                                                   figure, table, m.Text("*Källa: SCB.*")])
    return m.ReportModel(
        kind="kommun", code="1081", year=2024, title="Integrationsuppföljning 2024: Ronneby kommun",
        subtitle="Ronneby kommun i Blekinge län", publisher="Länsstyrelsen Blekinge",
        flags=m.Flags(example_data=True, real_data=True, provenance="Data t.o.m. 2024; …", data_file="d.csv",
                      data_sha="abc"),
        sections=[m.Section("inledning", "", [m.Text("```{=typst}\n#cover\n```")]),
                  m.Section("arbete", "Arbete", [cell, m.PageBreak()])],
        downloads=[m.Download(slug="1081-x", csv="data/1081-x.csv", xlsx="data/1081-x.xlsx", title="Tabell 1.", source="SCB", example=True,
                              extra=["not"], sheet="X", order=[3, 1])],
        workbook="rapport-tabeller.xlsx")


def test_round_trip_through_json(tmp_path):
    model = full_model()
    assert m.from_json(m.to_json(model)) == model
    m.write(model, tmp_path)
    assert m.read(tmp_path) == model
    assert json.loads((tmp_path / m.MODEL_FILE).read_text(encoding="utf-8"))["schema"] == m.SCHEMA_VERSION
    assert [type(p).__name__ for p in model.parts()] == ["Text", "Cell", "Headline", "Figure", "Table", "Text",
                                                         "PageBreak"]
    assert model.download("1081-x").sheet == "X" and model.download("nej") is None


def test_another_schema_version_or_a_broken_file_is_refused_in_swedish(tmp_path):
    data = m.to_dict(full_model())
    with pytest.raises(m.ModelError, match="schemaversion 0.*bygg rapporten igen"):
        m.from_dict({**data, "schema": 0})
    with pytest.raises(m.ModelError, match="okänd del"):
        m.from_dict({**data, "sections": [{"id": "x", "heading": "", "parts": [{"type": "video"}]}]})
    with pytest.raises(m.ModelError, match="saknar"):
        m.from_dict({k: v for k, v in data.items() if k != "flags"})
    with pytest.raises(m.ModelError, match="kan inte läsas"):
        m.read(tmp_path)
    (tmp_path / m.MODEL_FILE).write_text("{", encoding="utf-8")
    with pytest.raises(m.ModelError, match="inte giltig JSON"):
        m.read(tmp_path)


def test_every_table_note_reaches_the_model():
    """A table's description travels whole: every TableNotes field is a Download field (one definition), and a
    described download read back through the model keeps each of them."""
    notes = TableNotes("Tabell", "SCB", definition="Andel", unit="procent", example=True, extra=["not"], sheet="S")
    links = Download("1081-t", lambda: {"csv": "data/1081-t.csv", "xlsx": "data/1081-t.xlsx"}, notes=notes)
    back = m.download_from_dict(links.described())
    assert {f.name for f in dataclasses.fields(TableNotes)} <= {f.name for f in dataclasses.fields(m.Download)}
    assert all(getattr(back, f.name) == getattr(notes, f.name) for f in dataclasses.fields(TableNotes))


def test_outputs_carry_their_model_part():
    """What a notebook output carries in its metadata is a model part (the builder reads nothing else)."""
    notes = TableNotes("Tabell", "SCB", example=True)
    links = Download("1081-t", lambda: {"csv": "data/1081-t.csv", "xlsx": "data/1081-t.xlsx"}, notes=notes,
                     order=(2, 1))
    _data, meta = Table(pd.DataFrame({"År": [2024], "Värde": [None]}), "Tabell.", links=links).bundle()
    part = meta[PART_KEY]
    assert part["type"] == "table" and part["columns"] == ["År", "Värde"] and part["rows"] == [["2024", ".."]]
    download = m.Download(**part.pop("download"))
    assert download.example and download.order == [2, 1] and download.csv == "data/1081-t.csv"
    assert m.Table(**{**part, "download": download.slug}).label == "tbl-1081-t"
    figures = {"indicator": "arbetsloshet", "area": "1081", "year": 2024, "unit": "procent",
               "figures": {"utrikes": (12.5, ""), "inrikes": (float("nan"), ".."), "gap": None}}
    data, meta = Text("**Rubrik**", headline=figures).bundle()
    part = meta[PART_KEY]  # markdown: the output's own; NaN -> None, tuples -> lists (plain JSON)
    assert part == {"type": "headline", "indicator": "arbetsloshet", "area": "1081", "year": 2024, "unit": "procent",
                    "figures": {"utrikes": [12.5, ""], "inrikes": [None, ".."], "gap": None}}
    json.dumps(part, allow_nan=False)
    assert data["text/markdown"] == "**Rubrik**" and Text("x").bundle()[1][PART_KEY] == {"type": "text"}


def test_a_chart_carries_its_spec_while_the_figure_is_the_one_made_from_it():
    from analysis.present import chartspec

    spec = chartspec.ChartSpec(kind="line", series=[chartspec.Series("A", [2023, 2024], [1.0, float("nan")],
                                                                     "#0072B2")], alt="Alt.")
    chart = Chart(chartspec.to_plotly(spec), "Diagram.", "Alt.", static=False, spec=spec)
    part = chart.bundle()[1][PART_KEY]
    assert part["spec"]["kind"] == "line" and part["spec"]["series"][0]["y"] == [1.0, None]  # JSON: NaN -> None
    json.dumps(part, allow_nan=False)
    chart.figure.update_layout(title="ändrad")  # an analyst changed the figure: the spec no longer describes it
    assert chart.bundle()[1][PART_KEY]["spec"] is None


def _notebook(path, cells: dict[str, list[dict]]):
    nb = {"cells": [{"cell_type": "code", "source": [f"#| label: {label}\n", "x"], "outputs": outs,
                     "metadata": {}} for label, outs in cells.items()]}
    path.write_text(json.dumps(nb), encoding="utf-8")


def test_the_layout_becomes_sections_with_every_text_and_the_cells_parts(root, tmp_path):
    table = {"type": "table", "caption": "T.", "label": "tbl-t", "columns": ["a"], "rows": [["1"]],
             "download": {"slug": "1081-t", "csv": "data/1081-t.csv", "xlsx": "data/1081-t.xlsx", "title": "T.",
                          "source": "SCB", "order": [0, 1]}}
    figure = {"type": "figure", "caption": "F.", "label": "fig-t", "alt": "A.", "spec": None,
              "download": table["download"]}  # the chart and its table link the same files
    _notebook(tmp_path / "sammanfattning.ipynb", {
        "sammanfattning-mal": [{"output_type": "display_data", "data": {"text/markdown": ["**Rubrik:** ", "5 %"]},
                                "metadata": {PART_KEY: {"type": "headline", "indicator": "x"}}},
                               {"output_type": "display_data", "data": {"text/markdown": "x"},
                                "metadata": {PART_KEY: figure}},
                               {"output_type": "display_data", "data": {}, "metadata": {PART_KEY: table}},
                               {"output_type": "stream", "text": "ignored"}]})
    values = {"year": "2024", "official_name": "Ronneby kommun", "strategy_name": "Strategin", "code": "1081",
              "focus_sections": "## Arbete\n\n{{< embed notebooks/arbete.ipynb#fokus-mal >}}\n",
              "methods": "Metodtext.", "colophon": "Kolofontext.", "publisher": "Länsstyrelsen"}
    model = from_layout(root / "reports" / "templates" / "kommun.qmd", values, "kommun", "1081", 2024,
                        m.Flags(False, True), tmp_path)
    assert model.title == "Integrationsuppföljning 2024: Ronneby kommun" and model.publisher == "Länsstyrelsen"
    assert [s.heading for s in model.sections] == ["", "Sammanfattning", "Arbete", "Källor och metod", "Kolofon"]
    summary = model.sections[1]
    assert "Rapporten följer upp Strategin för Ronneby kommun (kommunkod 1081)" in summary.parts[0].markdown
    cell = next(p for p in summary.parts if isinstance(p, m.Cell) and p.cell == "sammanfattning-mal")
    assert [type(p).__name__ for p in cell.parts] == ["Headline", "Figure", "Table"]
    assert cell.parts[0] == m.Headline("x", "**Rubrik:** 5 %") and cell.parts[2].download == "1081-t"
    assert [d.slug for d in model.downloads] == ["1081-t"] and model.workbook  # once, though linked twice
    arbete = model.sections[2]
    assert arbete.parts[0] == m.Cell("arbete", "fokus-mal", [])  # its notebook did not run here: no parts
    assert any(isinstance(p, m.PageBreak) for s in model.sections for p in s.parts)
    assert model.sections[3].parts == [m.Text("Metodtext.")]
    assert m.from_json(m.to_json(model)) == model
    assert dataclasses.asdict(model)["schema"] == m.SCHEMA_VERSION


def test_a_layout_with_document_options_in_its_head_is_refused(tmp_path):
    from analysis.errors import AnalysisError

    layout = tmp_path / "kommun.qmd"
    layout.write_text("---\ntitle: T\ntoc: false\n---\n\nText.\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="kommun.qmd har toc i sitt huvud"):
        from_layout(layout, {}, "kommun", "1081", 2024, m.Flags(False, True))
    layout.write_text("---\ntitle: T ${year}\n---\n\nText ${year}.\n", encoding="utf-8")
    built = from_layout(layout, {"year": "2024"}, "kommun", "1081", 2024, m.Flags(False, True))
    assert built.title == "T 2024" and built.sections == [m.Section("inledning", "", [m.Text("Text 2024.")])]
    assert built.workbook == "" and built.downloads == []


def test_parts_from_newer_or_broken_metadata():
    assert m.part_from_dict({"type": "text", "markdown": "x", "later_field": 1}) == m.Text("x")  # extra keys: left out
    with pytest.raises(m.ModelError, match="del 'table' saknar"):
        m.part_from_dict({"type": "table", "caption": "T."})
    with pytest.raises(m.ModelError, match="nedladdning"):
        m.download_from_dict({"slug": "x"})
