"""Accessibility checks of rendered reports (DOS-lagen: EN 301 549 / WCAG 2.1 AA).

HTML: axe-core (from npm, ``tests/a11y``) runs inside headless Chromium on a copy of the report that loads
axe after the page; the violations are read back from the dumped DOM. No browser driver is needed.
PDF: the structure PDF/UA-1 asks for (tagged, title, language, alt text on every figure), read with pikepdf.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import AnalysisError

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_DIR = Path("tests/a11y")
RESULT = re.compile(r'<pre id="axe-results"[^>]*>(.*?)</pre>', re.DOTALL)

_RUNNER = """<script src="{axe}"></script>
<script>
window.addEventListener('load', function () {{
  function done(obj) {{
    var p = document.createElement('pre'); p.id = 'axe-results'; p.hidden = true;
    p.textContent = JSON.stringify(obj); document.body.appendChild(p);
  }}
  axe.run(document, {{runOnly: {{type: 'tag', values: {tags}}}, resultTypes: ['violations']}})
    .then(function (r) {{
      done({{violations: r.violations.map(function (v) {{
        return {{id: v.id, impact: v.impact, help: v.help, tags: v.tags, nodes: v.nodes.length,
                targets: v.nodes.slice(0, 5).map(function (n) {{ return n.target.join(' '); }})}};
      }}), passes: r.passes.length}});
    }})
    .catch(function (e) {{ done({{error: String(e)}}); }});
}});
</script>
"""


@dataclass(frozen=True)
class Violation:
    id: str
    impact: str
    help: str
    nodes: int
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.id} ({self.impact}, {self.nodes} element): {self.help} – t.ex. {', '.join(self.targets[:2])}"


def find_browser() -> str:
    for name in (os.environ.get("BROWSER_PATH"), "chromium", "chromium-browser", "google-chrome"):
        if name and (path := shutil.which(name)):
            return path
    raise AnalysisError("Ingen Chromium/Chrome hittades (installera Debians chromium eller sätt BROWSER_PATH).")


def find_axe(root: Path) -> Path:
    """axe.min.js from tests/a11y/node_modules, installed with ``npm ci`` on first use."""
    folder = root / AXE_DIR
    axe = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.is_file():
        npm = shutil.which("npm")
        if not npm:
            raise AnalysisError("axe-core saknas och npm finns inte (installera nodejs och npm, eller kör make system-deps).")
        proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=folder, capture_output=True, text=True,
                              check=False)
        if proc.returncode != 0 or not axe.is_file():
            raise AnalysisError(f"npm ci i {folder} misslyckades: {proc.stderr.strip()[-800:]}")
    return axe


def axe_violations(page: Path, root: Path, timeout: float = 180) -> list[Violation]:
    """Every WCAG 2.1 A/AA violation axe-core finds in a rendered HTML page."""
    axe = find_axe(root)
    text = page.read_text(encoding="utf-8")
    if "</body>" not in text:
        raise AnalysisError(f"{page}: ingen </body> att lägga axe-core före")
    probe = page.with_name(f".axe-{page.name}")  # same folder: relative assets (plotly.js) still load
    runner = _RUNNER.format(axe=axe.resolve().as_uri(), tags=json.dumps(WCAG_TAGS))
    probe.write_text(text.replace("</body>", runner + "</body>", 1), encoding="utf-8")
    try:
        proc = subprocess.run(
            [find_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
             "--virtual-time-budget=60000", "--dump-dom", probe.resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    finally:
        probe.unlink(missing_ok=True)
    match = RESULT.search(proc.stdout)
    if not match:
        raise AnalysisError(f"axe-core gav inget resultat för {page} (Chromium avslutades med {proc.returncode}).")
    result = json.loads(html.unescape(match.group(1)))
    if "error" in result:
        raise AnalysisError(f"axe-core misslyckades på {page}: {result['error']}")
    return [Violation(v["id"], v["impact"], v["help"], v["nodes"], tuple(v["targets"])) for v in result["violations"]]


# --------------------------------------------------------------------------- PDF/UA


def pdf_ua_problems(pdf: Path) -> list[str]:
    """What a PDF lacks of PDF/UA-1's basics: tags, title shown, language, alt text on every figure."""
    import pikepdf

    problems = []
    with pikepdf.open(pdf) as doc:
        root = doc.Root
        if "/StructTreeRoot" not in root:
            problems.append("StructTreeRoot saknas (inte taggad)")
        if not ("/MarkInfo" in root and bool(root.MarkInfo.get("/Marked", False))):
            problems.append("MarkInfo /Marked saknas")
        lang = str(root.get("/Lang", ""))
        if lang != "sv-SE":
            problems.append(f"/Lang är {lang!r}, inte sv-SE")
        title = str(doc.docinfo.get("/Title", "")) if doc.docinfo else ""
        with doc.open_metadata() as meta:
            title = title or str(meta.get("dc:title", ""))
            ua = meta.get("pdfuaid:part")
        if not title.strip():
            problems.append("dokumenttitel saknas")
        if "/ViewerPreferences" not in root or not bool(root.ViewerPreferences.get("/DisplayDocTitle", False)):
            problems.append("ViewerPreferences /DisplayDocTitle saknas")
        if str(ua) != "1":
            problems.append(f"XMP pdfuaid:part är {ua!r}, inte 1")
        figures = list(_struct_elems(root.get("/StructTreeRoot"), "/Figure"))
        missing_alt = [f for f in figures if not str(f.get("/Alt", "")).strip()]
        if missing_alt:
            problems.append(f"{len(missing_alt)} av {len(figures)} figurer saknar /Alt")
    return problems


def pdf_figures(pdf: Path) -> list[str]:
    """The /Alt text of every Figure structure element."""
    import pikepdf

    with pikepdf.open(pdf) as doc:
        return [str(f.get("/Alt", "")) for f in _struct_elems(doc.Root.get("/StructTreeRoot"), "/Figure")]


def _struct_elems(node, role: str, depth: int = 0):
    import pikepdf

    if node is None or depth > 200:
        return
    if isinstance(node, pikepdf.Array):
        for item in node:
            yield from _struct_elems(item, role, depth + 1)
        return
    if not isinstance(node, pikepdf.Dictionary):
        return
    if node.get("/S") == role:
        yield node
    kids = node.get("/K")
    if kids is not None:
        yield from _struct_elems(kids, role, depth + 1)
