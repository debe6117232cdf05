"""The run's image server: kernels get the same chart as from their own kaleido; a grown browser is replaced."""
import asyncio
import subprocess
import sys

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from analysis.publish import imageserver



def figure(title: str = "Sysselsättningsgrad") -> dict:
    return go.Figure(go.Scatter(x=[2020, 2024], y=[52.1, 59.2]), layout={"title": title, "height": 300}).to_dict()


OPTS = {"format": "svg", "width": 640, "height": 300, "scale": 1}


def canonical(svg: bytes) -> tuple:
    """What the reader sees: every path's geometry and every text, in order.

    plotly gives each drawing fresh random ids (defs, clip paths, traces, in more than one shape), so the
    bytes of two drawings of one chart differ; their geometry and texts do not."""
    import re

    paths = tuple(re.findall(rb' d="([^"]*)"', svg))
    assert paths, "no drawing in the SVG"
    return re.search(rb'<svg[^>]* width="(\d+)" height="(\d+)"', svg).groups(), paths, \
        tuple(re.findall(rb">([^<>]+)</text>", svg))


@pytest.fixture()
def server(tmp_path, root):
    path = str(tmp_path / "s")
    proc = subprocess.Popen([sys.executable, "-m", "analysis.publish.imageserver", path, "1"], cwd=root,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield imageserver.Client(path)
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.e2e  # needs Chromium
def test_a_chart_from_the_server_is_the_chart_kaleido_draws(server):
    import kaleido

    drawn = server.image(pio.to_json(figure()), OPTS)
    assert drawn.startswith(b"<svg") and "Sysselsättningsgrad".encode() in drawn

    async def local():
        async with kaleido.Kaleido(n=1, mathjax=False) as k:
            return await k.calc_fig(figure(), opts=OPTS)

    assert canonical(asyncio.run(local())) == canonical(drawn)
    again = server.image(pio.to_json(figure("Ohälsotal")), OPTS)  # the same connection, a second chart
    assert "Ohälsotal".encode() in again and canonical(again) != canonical(drawn)


@pytest.mark.e2e  # needs Chromium
def test_a_broken_chart_is_an_error_not_a_hang(server):
    with pytest.raises(RuntimeError):
        server.image('{"data": [{"type": "no-such-trace"}], "layout": {"height": "tall"}}',
                     {"format": "nope", "width": 640, "height": 300, "scale": 1})
    assert server.image(pio.to_json(figure()), OPTS).startswith(b"<svg")  # and it goes on serving


@pytest.mark.e2e  # needs Chromium
def test_a_browser_over_its_memory_limit_is_replaced(monkeypatch):
    monkeypatch.setattr(imageserver, "BROWSER_LIMIT_MB", 1)  # every browser is too big
    monkeypatch.setattr(imageserver, "CHECK_EVERY", 2)

    async def run():
        browser = imageserver._Browser(1)
        await browser.open()
        try:
            images = [await browser.image(figure(), OPTS) for _ in range(5)]
        finally:
            await browser.close()
        return browser.restarts, images

    restarts, images = asyncio.run(run())
    assert restarts == 2  # after the 2nd and the 4th chart
    assert len({canonical(i) for i in images}) == 1



def test_a_server_that_cannot_start_is_reported_at_once(tmp_path, monkeypatch):
    import time

    async def no_browser(path, tabs):
        raise RuntimeError("Chrome finns inte")

    monkeypatch.setattr(imageserver, "_serve", no_browser)
    path = str(tmp_path / "s")
    with pytest.raises(SystemExit):
        imageserver.main([path, "1"])
    t = time.monotonic()
    with pytest.raises(RuntimeError, match="Chrome finns inte"):
        imageserver.Client(path).image(pio.to_json(figure()), OPTS)
    assert time.monotonic() - t < 5  # the reason at once, not after the 90 s wait for a server


@pytest.mark.e2e  # needs Chromium
def test_a_repeated_chart_is_answered_from_the_cache(monkeypatch):
    drawn = []

    async def run():
        browser = imageserver._Browser(1)
        original = browser._draw

        async def counting(fig, opts):
            drawn.append(fig["layout"]["title"]["text"])
            return await original(fig, opts)

        browser._draw = counting
        await browser.open()
        try:
            a = [await browser.image(figure(t), OPTS, key=t.encode()) for t in ("A", "B", "A", "A")]
        finally:
            await browser.close()
        return browser, a

    browser, images = asyncio.run(run())
    assert drawn == ["A", "B"] and browser.hits == 2
    assert images[0] is images[2] and canonical(images[0]) != canonical(images[1])


@pytest.mark.e2e  # needs Chromium
def test_a_chart_is_drawn_ahead_and_redrawn_if_changed_before_it_is_shown(server, tmp_path, monkeypatch):
    from analysis.present import display

    monkeypatch.setenv(imageserver.ENV, server.path)
    monkeypatch.setitem(display.hooks, "image_server", imageserver.client)  # as the warm kernel lends it
    display.configure(static_images=True, figures_dir=tmp_path / "figurer", include_plotlyjs=False)
    try:
        @display.presents
        def two_charts():  # a presentation method: its charts are shown by the caller, later
            display.show_figure(go.Figure(figure("Förvärvsfrekvens")), "alt", "Förvärvsfrekvens")
            display.show_figure(go.Figure(figure("Före")), "alt", "Före ändringen")

        kept, changed = two_charts().figures
        assert kept._ahead[1] is not None and changed._ahead[1] is not None  # sent to the server when made
        changed.figure.update_layout(title="Efter")  # an analyst changes the chart before showing it
        for chart in (kept, changed):
            data, _ = chart.bundle()
            assert "figurer/" in data["text/markdown"]
        display.wait_for_drawings(60)  # the kept chart's file is written by the drawing thread
        svg = {p.name: p.read_bytes() for p in (tmp_path / "figurer").iterdir()}
    finally:
        display.configure()
    assert len(svg) == 2
    kept_svg = next(v for k, v in svg.items() if k.startswith(kept.label))
    changed_svg = next(v for k, v in svg.items() if k.startswith(changed.label))
    assert "Förvärvsfrekvens".encode() in kept_svg
    assert b"Efter" in changed_svg and "Före".encode() not in changed_svg
