"""Phone-width layout of a rendered HTML report, measured in headless Chromium (no browser driver needed).

The page is loaded in a tab whose viewport is emulated at a phone's width (Chromium's DevTools protocol over
a pipe, :class:`Browser`) and measured by a script run in the page. What is measured:

* the page's ``scrollWidth`` against the viewport: any horizontal overflow of the page itself;
* elements that reach past the viewport's right edge without being inside a horizontal scroll region
  (``overflow-x: auto|scroll``: a wide table may scroll inside its own region, the page may not);
* plotly charts whose drawing (``svg.main-svg``) is wider than the figure that holds it (cut at the right) or
  reaches down over its caption;
* annotations (the EXEMPELDATA badge) and direct labels cut by the chart's edge;
* direct labels (annotations) that touch a line or a marker of their chart;
* captions (``caption``, ``figcaption``) that are not fully visible (cut by their scroll region).
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.publish.accessibility import find_browser

#: phone widths the reports must fit (smallest common phone to a large one)
PHONE_WIDTHS = (320, 390, 430)

_MEASURE = """(async function () {
  await new Promise(function (done) { setTimeout(done, 800); });  // plotly draws, then resizes to its container
  function describe(el) {
    var s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    var c = (el.getAttribute('class') || '').trim().split(/\\s+/).filter(Boolean).slice(0, 2);
    if (c.length) s += '.' + c.join('.');
    return s;
  }
  function scroller(el) {  // the nearest ancestor that scrolls horizontally (a table's region)
    for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      var o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll') return p;
    }
    return null;
  }
  function measure() {
    var vw = document.documentElement.clientWidth, out = {viewport: vw, innerWidth: window.innerWidth,
      scrollWidth: document.documentElement.scrollWidth, bodyScrollWidth: document.body.scrollWidth,
      overflowing: [], charts: [], clipped: [], captions: [], touching: []};
    var all = document.body.querySelectorAll('*');
    for (var i = 0; i < all.length; i++) {
      var el = all[i], r = el.getBoundingClientRect();
      if (!r.width || el.closest('.visually-hidden') || el.closest('svg')) continue;
      if (r.right > vw + 0.5 && !scroller(el)) {
        var parent = el.parentElement && el.parentElement.getBoundingClientRect();
        if (!parent || parent.right <= vw + 0.5) out.overflowing.push({el: describe(el), right: Math.round(r.right)});
      }
    }
    document.querySelectorAll('.js-plotly-plot').forEach(function (plot) {
      var svg = plot.querySelector('svg.main-svg'), fig = plot.closest('figure') || plot.parentElement;
      if (!svg) return;
      var box = plot.getBoundingClientRect(), s = svg.getBoundingClientRect(), f = fig.getBoundingClientRect();
      var cap = fig.querySelector('figcaption'), below = cap ? cap.getBoundingClientRect().top : null;
      var chart = {id: plot.id, plot: Math.round(box.width), svg: Math.round(s.width), figure: Math.round(f.width),
                   right: Math.round(s.right), bottom: Math.round(s.bottom),
                   caption: below === null ? null : Math.round(below)};
      out.charts.push(chart);
      // direct labels (annotations other than the example marks) that touch a line or a marker of the chart
      var marks = [];
      plot.querySelectorAll('g.points path.point').forEach(function (m) { marks.push(m.getBoundingClientRect()); });
      plot.querySelectorAll('g.lines path.js-line').forEach(function (l) {
        var len = l.getTotalLength(), ctm = l.getScreenCTM();
        for (var d = 0; d <= len; d += 2) {
          var pt = l.getPointAtLength(d).matrixTransform(ctm);
          marks.push({left: pt.x - 1, right: pt.x + 1, top: pt.y - 1, bottom: pt.y + 1});
        }
      });
      plot.querySelectorAll('g.annotation').forEach(function (a) {
        var text = (a.textContent || '').trim(), box = a.querySelector('g.annotation-text-g');
        if (!box || /^EXEMPELDATA/.test(text)) return;
        var r = box.getBoundingClientRect();
        var hit = marks.some(function (m) {
          return m.left < r.right && m.right > r.left && m.top < r.bottom && m.bottom > r.top; });
        if (hit) out.touching.push({chart: plot.id, text: text.slice(0, 60)});
      });
      plot.querySelectorAll('g.annotation, g.textpoint, g.legendtext, text.legendtext, g.ytick text, g.xtick text, g.infolayer g.g-gtitle text, text.bartext').forEach(function (t) {
        var r = t.getBoundingClientRect();
        if (!r.width) return;
        if (r.left < s.left - 0.5 || r.right > s.right + 0.5 || r.right > vw + 0.5 || r.left < -0.5)
          out.clipped.push({chart: plot.id, text: (t.textContent || '').trim().slice(0, 60),
                            left: Math.round(r.left), right: Math.round(r.right), svgRight: Math.round(s.right)});
      });
    });
    document.querySelectorAll('caption, figcaption').forEach(function (c) {
      var r = c.getBoundingClientRect(), sc = scroller(c), lim = sc ? sc.getBoundingClientRect() : null;
      var right = lim ? Math.min(lim.right, vw) : vw;
      if (r.right > right + 0.5 || r.left < (lim ? lim.left : 0) - 0.5)
        out.captions.push({text: c.textContent.trim().slice(0, 60), right: Math.round(r.right),
                           visibleRight: Math.round(right)});
    });
    return out;
  }
  return measure();
})()
"""


@dataclass
class Layout:
    """What :func:`measure_layout` found at one viewport width."""

    width: int
    viewport: int
    scroll_width: int
    overflowing: list[dict] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    clipped: list[dict] = field(default_factory=list)
    captions: list[dict] = field(default_factory=list)
    touching: list[dict] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Everything a reader at this width would see cut or would have to scroll sideways for."""
        out = []
        if self.scroll_width > self.viewport:
            out.append(f"sidan är {self.scroll_width} px bred i ett fönster på {self.viewport} px")
        out += [f"{o['el']} når till {o['right']} px (fönstret {self.viewport} px)" for o in self.overflowing]
        out += [f"diagrammet {c['id']} ritas {c['svg']} px brett i en figur på {c['figure']} px"
                for c in self.charts if c["svg"] > c["figure"] + 1 or c["right"] > self.viewport + 1]
        out += [f"diagrammet {c['id']} går ned över sin bildtext ({c['bottom']} px, bildtexten börjar vid "
                f"{c['caption']} px)" for c in self.charts if c.get("caption") is not None
                and c["bottom"] > c["caption"] + 1]
        out += [f"texten ”{c['text']}” i {c['chart']} skärs av ({c['left']}–{c['right']} px, diagrammet slutar "
                f"vid {c['svgRight']} px)" for c in self.clipped]
        out += [f"etiketten ”{t['text']}” i {t['chart']} ligger på en linje eller punkt" for t in self.touching]
        out += [f"rubriken ”{c['text']}” skärs av vid {c['visibleRight']} px (når {c['right']} px)"
                for c in self.captions]
        return out


class Browser:
    """A headless Chromium driven over its DevTools pipe (``--remote-debugging-pipe``: fd 3 in, fd 4 out, one
    JSON message per NUL-terminated chunk), with one tab whose viewport is emulated at a phone's width.

    ``--window-size`` is not enough: headless Chromium lays a page out at least 500 px wide, whatever the window
    (a screenshot "at 390 px" taken that way is a 500 px layout cut at 390). ``Emulation.setDeviceMetricsOverride``
    gives the page a real 390 px viewport, as a phone does (``mobile``: the viewport meta tag applies)."""

    def __init__(self, timeout: float = 60):
        self.timeout = timeout
        self._buf = b""
        self._id = 0
        self._dir = tempfile.TemporaryDirectory(prefix="layout-chromium-")
        cmd = [find_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
               "--allow-file-access-from-files", "--remote-debugging-pipe", f"--user-data-dir={self._dir.name}",
               "about:blank"]
        # the pipe's ends on the fds Chromium expects: our stdin → its fd 3, its fd 4 → our stdout
        self.proc = subprocess.Popen(["sh", "-c", 'exec "$@" 3<&0 4>&1 0</dev/null 1>/dev/null', "sh", *cmd],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     bufsize=0, start_new_session=True)
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.proc.stdin.write(json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" not in self._buf:
                ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
                chunk = self.proc.stdout.read(1 << 16) if ready else b""
                if not chunk:
                    raise AnalysisError(f"Chromium svarade inte på {method} (avslutad: {self.proc.poll()}).")
                self._buf += chunk
            raw, self._buf = self._buf.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise AnalysisError(f"Chromium: {method} misslyckades: {reply['error'].get('message')}")
                return reply.get("result", {})

    def tab(self, method: str, params: dict | None = None) -> dict:
        return self.send(method, params, self.session)

    def evaluate(self, expression: str):
        result = self.tab("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                               "returnByValue": True})
        if "exceptionDetails" in result:
            raise AnalysisError(f"Skriptet i sidan misslyckades: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def open(self, page: Path, width: int, height: int = 900) -> None:
        """Load ``page`` in a ``width`` × ``height`` CSS px phone viewport and wait until it has loaded."""
        self.tab("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                        "mobile": width < 800})
        self.tab("Page.navigate", {"url": Path(page).resolve().as_uri()})
        deadline = time.monotonic() + self.timeout
        while self.evaluate("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise AnalysisError(f"{page} laddades inte inom {self.timeout:.0f} s.")
            time.sleep(0.1)

    def screenshot(self, out: Path, clip: dict | None = None) -> Path:
        """A PNG of the whole page (``clip``: x, y, width, height in CSS px of the page)."""
        if clip is None:
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            clip = {"x": 0, "y": 0, "width": size[0], "height": size[1]}
        data = self.tab("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                   "clip": {**clip, "scale": 1}})["data"]
        out.write_bytes(base64.b64decode(data))
        return out

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # Chromium's helpers (zygote, crashpad) live in its session and may still write to the profile after the
        # main process has gone: end them too, then remove the profile (a file written meanwhile is retried).
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for attempt in range(5):
            try:
                self._dir.cleanup()
                return
            except OSError:
                time.sleep(0.2)
        shutil.rmtree(self._dir.name, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def measure_layout(page: Path, width: int = 390, height: int = 900, browser: Browser | None = None) -> Layout:
    """Load ``page`` at a ``width`` × ``height`` CSS px viewport and measure its layout."""
    own = browser is None
    browser = browser or Browser()
    try:
        browser.open(page, width, height)
        r = browser.evaluate(_MEASURE)
    finally:
        if own:
            browser.close()
    return Layout(width, r["viewport"], r["scrollWidth"], r["overflowing"], r["charts"], r["clipped"], r["captions"],
                  r["touching"])
