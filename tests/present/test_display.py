"""The display layer: objects the analyst can change before they are shown, and the markup both renderers read."""
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.present import display
from analysis.present.display import (PLOTLY_MIME, Chart, Download, Parts, Table, Text, column_widths, pipe_table,
                              presents, show_markdown, show_table)
from analysis.present.params import ParameterError, check_code

REAL_IMAGE = display._image  # before the fixture below replaces it


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch, tmp_path):
    monkeypatch.setattr(display, "settings", display.Settings())
    monkeypatch.setattr(display, "_state", {"plotlyjs_sent": False})
    # no Chrome needed here
    monkeypatch.setattr(display, "_image", lambda fig, fmt="png", width=None: b"\x89PNG fake" if fmt == "png"
                        else b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    return tmp_path


def chart_table() -> pd.DataFrame:
    cols = [f"{a} – {g} födda" for a in ("Ronneby", "Region Blekinge", "Riket") for g in ("utrikes", "inrikes")]
    return pd.DataFrame([{"År": str(y), **{c: "52,1\u00a0%" for c in cols}} for y in range(2020, 2025)])


def test_column_widths_follow_content_not_header_length():
    df = chart_table()
    widths = column_widths(df)
    # the year column is as wide as a year, the value columns as wide as their longest word or value
    assert widths[0] == 4 + display.CELL_PAD
    longest_word = [max(len(w) for w in c.split()) for c in df.columns[1:]]
    assert widths[1:] == [max(6, n) + display.CELL_PAD for n in longest_word]  # "52,1 %" or e.g. "Blekinge"
    sep = pipe_table(df).splitlines()[1]
    dashes = [len(c.strip(":")) for c in sep.strip("|").split("|")]
    assert dashes[0] / sum(dashes) > 0.08  # not the 3 % that ran years into values ("202052,1 %")


def test_no_column_narrower_than_its_longest_word():
    df = pd.DataFrame({"Data": ["Exempeldata"], "Utveckling sedan 2022": ["? Kan inte bedömas (uppgift saknas "
                                                                           "eller är skyddad för 2022 och 2024)"]})
    widths = column_widths(df)
    assert widths[0] >= len("Exempeldata")  # "Data" is never hyphenated "Da-ta"
    assert widths[1] <= display.WRAP_AT + display.CELL_PAD  # long text wraps instead of squeezing the rest


def test_table_markdown_has_caption_and_label_and_html_the_same_label():
    t = Table(chart_table(), "Uppgifterna i diagrammet [totalt]", links=Download("1081-syss-diagram", lambda: None))
    md = t.markdown()
    assert t.label == "tbl-1081-syss-diagram"
    assert md.rstrip().endswith(r": Uppgifterna i diagrammet \[totalt\] {#tbl-1081-syss-diagram}")
    assert 'id="tbl-1081-syss-diagram"' in t.html() and "<caption>" in t.html()
    data, _ = t.bundle()
    assert set(data) == {"text/html", "text/markdown", "text/plain"}


def figure() -> go.Figure:
    return go.Figure(go.Scatter(x=[2020, 2024], y=[52.1, 59.2]))


def test_chart_for_a_report_writes_png_and_markdown_figure(tmp_path):
    display.configure(static_images=True, figures_dir=tmp_path / "figurer", include_plotlyjs=False)
    c = Chart(figure(), "Sysselsättningsgrad, Ronneby", 'Linjediagram: "utrikes" 52,1 % år 2020.',
              links=Download("1081-syss-diagram", lambda: None))
    data, _ = c.bundle()
    assert (tmp_path / "figurer" / "fig-1081-syss-diagram.svg").read_bytes().startswith(b"<svg")  # vector
    assert data["text/markdown"] == ("![Sysselsättningsgrad, Ronneby](figurer/fig-1081-syss-diagram.svg)"
                                     "{#fig-1081-syss-diagram width=100% fig-alt=\"Linjediagram: 'utrikes' 52,1 % år 2020.\"}")
    assert "image/png" not in data  # Quarto ignores image metadata: the PDF takes the markdown figure
    assert data[PLOTLY_MIME]["data"][0]["y"] == [52.1, 59.2]  # JupyterLab draws this
    html = data["text/html"]
    assert "plotly.js v" not in html  # the report page carries plotly.js once
    assert 'class="diagram-beskrivning visually-hidden"' in html and "<figcaption" in html


def test_chart_in_jupyterlab_fits_the_output_area():
    """JupyterLab's plotly renderer sizes the chart to its output area (no fixed width, responsive); before the
    area has a width (hidden tab) Plotly falls back to the layout's width: 480 px, not Plotly's 700 px. Checked
    in JupyterLab 4 with plotly's renderer (issue 21): a background notebook's charts were drawn 700 px wide in
    a 553 px output area before, 480 px after, and 553 px once shown."""
    from analysis.present.display import MIME_FALLBACK_WIDTH

    data, _ = Chart(figure(), "Sysselsättningsgrad", "Linjediagram.").bundle()
    mime = data[PLOTLY_MIME]
    assert "width" not in mime["layout"] and mime["config"]["responsive"] is True
    assert mime["layout"]["template"]["layout"]["width"] == MIME_FALLBACK_WIDTH < 700
    fixed = go.Figure(go.Scatter(x=[1], y=[1]), layout={"width": 900})
    assert Chart(fixed, "x", "y").bundle()[0][PLOTLY_MIME]["layout"]["width"] == 900  # a chosen width stays


def test_standalone_notebook_gets_plotlyjs_once_and_png_inside():
    display.configure(static_images=True, figures_dir=None, include_plotlyjs=True)
    first, _ = Chart(figure(), "A", "a").bundle()
    second, meta = Chart(figure(), "B", "b").bundle()
    assert "plotly.js v" in first["text/html"] and "plotly.js v" not in second["text/html"]
    assert second["image/png"] and meta["image/png"]["alt"] == "b"


def test_objects_can_be_changed_before_display(tmp_path):
    written = []
    dl = Download("x", lambda: written.append(1) or {"csv": "data/x.csv", "xlsx": "data/x.xlsx"})
    c = Chart(figure(), "Kort", "Lång beskrivning", links=dl)
    c.figure.update_layout(height=500)
    c.caption = "Ändrad"
    assert written == []  # nothing written before display
    data, _ = c.bundle()
    assert written == [1] and "Ändrad" in data["text/html"] and data[PLOTLY_MIME]["layout"]["height"] == 500
    Table(pd.DataFrame({"a": [1]}), "t", links=dl).bundle()
    assert written == [1]  # the chart and its table share one download


def test_presents_collects_and_nests():
    @presents
    def inner():
        show_markdown("inne")

    @presents
    def outer():
        show_markdown("först")
        inner()
        show_table(pd.DataFrame({"a": [1]}), "tabell")

    parts = outer()
    assert isinstance(parts, Parts)
    assert [type(p) for p in parts] == [Text, Text, Table]
    assert parts.table.caption == "tabell" and parts.figure is None


def test_integer_code_is_answered_with_one_line():
    with pytest.raises(ParameterError) as exc:
        check_code("municipality", 880)
    line = exc.value._render_traceback_()
    assert len(line) == 1 and "\n" not in line[0]
    assert "-r municipality 0880" in line[0] and "-y \"municipality: '0880'\"" in line[0]
    assert "-P \"municipality:'0880'\"" in line[0]
    assert check_code("county", "08") == "08"
    assert "-r county 08" in str(pytest.raises(ParameterError, check_code, "county", 8).value)


def test_labels_are_ascii():
    assert re.fullmatch(r"fig-[a-z0-9-]+", display.label_for("fig", "Sysselsättningsgrad, Örebro län"))


def test_unknown_choice_names_the_choices():
    from analysis.present.params import check_choice

    assert check_choice("focus_area", "arbete", {"arbete": "Arbete"}) == "arbete"
    with pytest.raises(ParameterError, match="välj ett av: arbete, halsa"):
        check_choice("focus_area", "jobb", {"arbete": "Arbete", "halsa": "Hälsa"})


def test_wide_tables_keep_every_column_as_wide_as_its_longest_word():
    """Too wide for the page: long text columns give way, no column gets less than its longest word."""
    df = pd.DataFrame([{"Område": "Region Blekinge", "Skillnad, procentenheter": "−17,2",
                        "Utveckling sedan 2022": "↑ bättre: skillnaden har minskat med 2,4 procentenheter " * 2,
                        "Kommentar": "lång kommentar om aktiviteten och dess uppföljning " * 3}])
    dashes = display.separator_dashes(df)
    assert sum(dashes) <= 101  # the text width
    share = [d / sum(dashes) * display.TEXT_WIDTH_CHARS for d in dashes]
    words = [len("Blekinge"), len("procentenheter"), len("procentenheter"), len("uppföljning")]
    assert all(s >= w + display.CELL_PAD - 0.5 for s, w in zip(share, words))


def test_given_widths_are_kept_unless_a_word_would_not_fit():
    df = pd.DataFrame({"Aktivitet": ["Lokalt jobbspår"], "Status": ["genomförd"]})
    assert display.separator_dashes(df, [3, 1]) == [75, 25]
    assert display.separator_dashes(df, [30, 1])[1] >= round((len("genomförd") + 2) * 100 / 90)


def test_no_break_space_joins_number_and_unit():
    df = pd.DataFrame({"Läge": ["skillnad −24,4\u00a0procentenheter"]})
    assert display._longest_word(df, "Läge") == len("−24,4\u00a0procentenheter")


@pytest.mark.e2e
def test_an_image_drawn_on_a_used_kaleido_page_equals_one_on_a_fresh_page():
    """kaleido reloads its page after each image; we reload every TAB_RELOAD_EVERY images instead."""
    assert REAL_IMAGE(figure()) is not None, display._kaleido_state.get("failed")  # the browser runs
    from analysis.publish.kaleido_tabs import reuse_kaleido_tabs

    assert reuse_kaleido_tabs(every=2)
    try:
        bars = go.Figure(go.Bar(x=["Ronneby", "Riket"], y=[59.2, 67.4]), layout={"title": "Ännu en"})
        drawn = [REAL_IMAGE(figure()), REAL_IMAGE(bars), REAL_IMAGE(bars)]
        # [0] on a fresh page, [1] on the page that drew [0] (then reloaded), [2] on the fresh page
        assert drawn[1] == drawn[2]
        assert drawn[0] != drawn[1]
    finally:
        reuse_kaleido_tabs()


def test_a_chart_drawn_ahead_is_written_once_drawn_and_one_that_failed_says_so(tmp_path):
    """In a batch the kernel does not wait for Chromium: the markdown figure is there at once, the file comes
    when the drawing does (wait_for_drawings before the PDF), and a failed drawing is an image saying so."""
    from concurrent.futures import Future

    import plotly.io as pio

    display.configure(static_images=True, figures_dir=tmp_path / "figurer", include_plotlyjs=False)
    drawn, failed = Future(), Future()
    charts = []
    for future, name in ((drawn, "a"), (failed, "b")):
        chart = Chart(figure(), f"Diagram {name}", "alt", links=Download(f"1081-{name}", lambda: None))
        chart._ahead = (pio.to_json(chart.figure.to_dict(), validate=False), future)  # as draw_ahead leaves it
        charts.append(chart)
    outputs = [c.bundle()[0]["text/markdown"] for c in charts]  # returns before anything is drawn
    assert outputs[0].startswith("![Diagram a](figurer/fig-1081-a.svg)")
    assert not list((tmp_path / "figurer").iterdir())
    drawn.set_result(b"<svg>a</svg>")
    failed.set_exception(RuntimeError("Chromium died"))
    display.wait_for_drawings(10)
    assert (tmp_path / "figurer" / "fig-1081-a.svg").read_bytes() == b"<svg>a</svg>"
    message = (tmp_path / "figurer" / "fig-1081-b.svg").read_text()
    assert message.startswith("<svg") and "kunde inte skapas som bild" in message
    assert sorted(p.name for p in (tmp_path / "figurer").iterdir()) == ["fig-1081-a.svg", "fig-1081-b.svg"]


def test_a_goal_number_in_a_cell_is_not_a_list():
    from analysis.present.display import pipe_table
    import pandas as pd

    md = pipe_table(pd.DataFrame({"Mål": ["3. Arbete"], "År": ["2024"]}))
    assert "| 3.\u00a0Arbete |" in md


def test_a_value_and_its_unit_stay_together_in_a_direct_label():
    from analysis.present.charts import wrap_words

    assert wrap_words("inrikes 5,2\u00a0%") == ["inrikes", "5,2\u00a0%"]


def test_new_notebook_resets_the_per_notebook_state():
    """The warm kernel's reset calls this one function (publish touches no private name of present)."""
    from analysis.publish.kernel import RESET_CODE

    display._state["plotlyjs_sent"] = True
    display._collectors.append(display.Parts())
    try:
        display.new_notebook()
        assert display._state["plotlyjs_sent"] is False and display._collectors == []
    finally:
        display._collectors.clear()
    assert "new_notebook()" in RESET_CODE and "._" not in RESET_CODE.replace("_m.", "")
