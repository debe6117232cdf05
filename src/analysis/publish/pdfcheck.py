"""Layout check for rendered PDFs: no word may be printed over another.

Reads every page's word boxes with poppler's ``pdftotext -bbox`` and reports each pair of words on the
same page whose boxes overlap by more than a small tolerance (glyph boxes of neighbouring words on one
line may touch; a row printed over another row, or text over the page number, overlaps by far more).

``python -m analysis.publish.pdfcheck reports/2024`` checks every PDF under a folder and exits non-zero on any
overlap.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)
#: share of the smaller box that may overlap (touching glyph boxes, italic overhang)
TOLERANCE = 0.15


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def area(self) -> float:
        return max(self.x1 - self.x0, 0.0) * max(self.y1 - self.y0, 0.0)


@dataclass(frozen=True)
class Overlap:
    pdf: Path
    page: int
    a: Word
    b: Word

    def __str__(self) -> str:
        return (f"{self.pdf} page {self.page}: {self.a.text!r} ({self.a.x0:.0f},{self.a.y0:.0f}) over "
                f"{self.b.text!r} ({self.b.x0:.0f},{self.b.y0:.0f})")


def pages(pdf: Path) -> list[list[Word]]:
    """The words of every page, as poppler sees them."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    result = []
    for page in PAGE.findall(out):
        result.append([Word(float(a), float(b), float(c), float(d), html.unescape(t))
                       for a, b, c, d, t in WORD.findall(page)])
    return result


def _overlap(a: Word, b: Word) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min(a.area, b.area) or 1.0
    return w * h / smaller


#: the letters of the watermark that charts.mark_example lays under a chart with example values
WATERMARK_LETTERS = frozenset("EXEMPELDATA")
#: … in a size far above the text's: how much taller than the page's median word its letters' boxes are
WATERMARK_HEIGHT = 2.5


def _watermark_free(words: list[Word]) -> list[Word]:
    """The words without the letters of the chart watermark.

    The watermark (large, tilted, 13 % opacity) is printed under the chart on purpose; in a vector chart each of
    its letters may be a word of its own. Only words made of the capitals of EXEMPELDATA whose boxes are at least
    ``WATERMARK_HEIGHT`` times as tall as the page's median word are left out."""
    if not words:
        return words
    heights = sorted(w.y1 - w.y0 for w in words)
    median = heights[len(heights) // 2]
    return [w for w in words if not (set(w.text) <= WATERMARK_LETTERS and w.y1 - w.y0 >= WATERMARK_HEIGHT * median)]


def overlaps(pdf: Path, tolerance: float = TOLERANCE) -> list[Overlap]:
    """Every pair of overlapping words in ``pdf`` (sweep over words sorted by their top edge), the chart
    watermark's letters left out (:func:`_watermark_free`)."""
    found = []
    for number, words in enumerate(pages(Path(pdf)), start=1):
        words = sorted(_watermark_free(words), key=lambda w: w.y0)
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                if b.y0 >= a.y1:
                    break
                if _overlap(a, b) > tolerance:
                    found.append(Overlap(Path(pdf), number, a, b))
    return found


def check_folder(folder: Path) -> tuple[list[Path], list[Overlap]]:
    pdfs = sorted(p for p in Path(folder).rglob("*.pdf") if not any(part.startswith(".") for part in p.parts))
    return pdfs, [o for pdf in pdfs for o in overlaps(pdf)]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    total = 0
    for folder in argv or ["reports"]:
        pdfs, found = check_folder(Path(folder))
        n_pages = sum(len(pages(p)) for p in pdfs)
        for o in found:
            print(o)
        print(f"{folder}: {len(pdfs)} PDF, {n_pages} sidor, {len(found)} överlappande ord")
        total += len(found)
    return 1 if total else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
