"""Publish waits for the chart files the report model names (no code sent to the kernel)."""
import threading
import time

import pytest

import analysis.publish
from analysis.errors import AnalysisError
from analysis.present import model as m
from analysis.publish.figurefiles import await_figure_files, await_files, figure_files


def _model(images: list[str]) -> m.ReportModel:
    figures = [m.Figure(f"Diagram {i}.", f"fig-{i}", "alt", image=image) for i, image in enumerate(images)]
    return m.ReportModel("kommun", "1081", 2024, "T", "U", "P", m.Flags(False, True),
                         [m.Section("s", "Rubrik", [m.Cell("arbete", "fokus-mal", figures[:1]), *figures[1:]])])


def test_the_model_names_the_files_of_its_figures_in_cells_and_sections():
    model = _model(["figurer/fig-a.svg", "", "figurer/fig-b.svg"])
    assert figure_files(model) == ["figurer/fig-a.svg", "figurer/fig-b.svg"]  # "" = no static image
    assert figure_files(m.from_json(m.to_json(model))) == ["figurer/fig-a.svg", "figurer/fig-b.svg"]


def test_waits_until_a_file_written_later_exists(tmp_path):
    (tmp_path / "figurer").mkdir()
    m.write(_model(["figurer/fig-a.svg", "figurer/fig-b.svg"]), tmp_path)
    (tmp_path / "figurer" / "fig-a.svg").write_text("<svg/>")

    def later():
        time.sleep(0.3)
        (tmp_path / "figurer" / "fig-b.svg").write_text("<svg/>")

    writer = threading.Thread(target=later)
    writer.start()
    start = time.monotonic()
    await_figure_files(tmp_path, alive=lambda: True, timeout=10)
    writer.join()
    assert time.monotonic() - start >= 0.25 and (tmp_path / "figurer" / "fig-b.svg").is_file()


def test_a_dead_kernel_or_a_file_that_never_comes_is_a_swedish_error(tmp_path):
    with pytest.raises(AnalysisError, match=r"^Python-kärnan dog innan diagrammens bilder skrevs \(saknas: x\.svg\)"):
        await_files(tmp_path, ["x.svg"], alive=lambda: False, timeout=10)
    with pytest.raises(AnalysisError, match=r"skrevs inte inom 0 s \(saknas: a, b, c och 1 till\)"):
        await_files(tmp_path, ["a", "b", "c", "d"], timeout=0.05)
    await_files(tmp_path, [], alive=lambda: False)  # nothing to wait for: no question asked


def test_a_chart_in_a_report_names_its_file_in_its_part(tmp_path, monkeypatch):
    import plotly.graph_objects as go

    from analysis.present import display
    from analysis.present.display import PART_KEY, Chart

    monkeypatch.setattr(display, "_image", lambda fig, fmt="png", **kw: b"<svg/>")  # no browser here
    display.configure(static_images=True, figures_dir=tmp_path / "figurer", include_plotlyjs=False)
    try:
        chart = Chart(go.Figure(go.Scatter(x=[1, 2], y=[1, 2])), "Diagram", "alt", label="fig-x")
        data, meta = chart.bundle()
        assert meta[PART_KEY]["image"] == "figurer/fig-x.svg" and (tmp_path / "figurer" / "fig-x.svg").is_file()
        assert "](figurer/fig-x.svg)" in data["text/markdown"]
        display.configure(static_images=False, figures_dir=None)
        assert Chart(chart.figure, "D", "alt", label="fig-y").bundle()[1][PART_KEY]["image"] == ""
    finally:
        display.configure()


def test_the_kernel_is_sent_no_code_about_drawings():
    source = (__import__("pathlib").Path(analysis.publish.__file__).parent / "kernel.py").read_text(encoding="utf-8")
    assert "wait_for_drawings" not in source and "finish_drawings" not in source
