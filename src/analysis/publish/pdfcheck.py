"""Layout check for rendered PDFs: no word may be printed over another, or touch it.

Reads every page's word boxes with poppler's ``pdftotext -bbox`` and reports

* each pair of words on the same page whose boxes overlap by more than a small tolerance (a row printed over
  another row, text over the page number);
* words on one line closer than :data:`MIN_GAP` (a table header that overruns its column into the next one by
  2 pt; a word space is ≈ 2 pt at 9 pt, a column gap 10 pt);
* words that run across the start of a table column (:func:`column_crossings`): two cells' texts printed with
  no gap, which pdftotext reads as one word ("Sysselsättningsgradskillnad").

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
#: the least gap in pt between two words on one line (a word space in 8–10 pt text is ≈ 1,8–2,5 pt)
MIN_GAP = 1.0
#: words that may touch the next one (a bracket or full stop set against a word in another font)
PUNCTUATION = re.compile(r"^[\W_]+$")
#: a gap in pt on a line that starts a new table cell (cell insets: 2 × 5 pt)
CELL_GAP = 6.0


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

    kind: str = "over"

    def __str__(self) -> str:
        what = {"over": "over", "gap": "touches", "crosses": "runs across the column of"}[self.kind]
        return (f"{self.pdf} page {self.page}: {self.a.text!r} ({self.a.x0:.0f},{self.a.y0:.0f}) {what} "
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
WATERMARK_HEIGHT = 1.7


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


def _same_line(a: Word, b: Word) -> bool:
    """Whether two words share a line: their boxes overlap by most of the smaller one's height."""
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return h > 0.6 * min(a.y1 - a.y0, b.y1 - b.y0)


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines (same line: :func:`_same_line` with the line's first word), left to right."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.y0, w.x0)):
        for line in lines[-8:]:
            if _same_line(line[0], w):
                line.append(w)
                break
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def column_crossings(words: list[Word]) -> list[tuple[Word, Word]]:
    """Words that run across the start of a table column: (the word, a word that starts the column).

    A column start is the left edge of a word that follows a cell gap (≥ :data:`CELL_GAP`) on its line and that
    at least two other lines of the page share (± 0,3 pt; a table's cells start at exactly the same place, a bar
    chart's value labels only when their values are equal): the columns of a table. A word on a line between
    a table row (a line with a cell gap) that starts at least a cell gap before the edge (in an earlier column;
    not a value label of a bar chart a few pt left of its neighbours), between those rows or up to 30 pt above them (the header; the running
    header above a table at the top of a page is further) whose box reaches more than 2 pt past such an edge was printed
    into the next column; pdftotext reads two cells printed without a gap as one word."""
    lines = _lines(words)
    rows = [line for line in lines if any(b.x0 - a.x1 >= CELL_GAP for a, b in zip(line, line[1:]))]
    starts = [b for line in rows for a, b in zip(line, line[1:]) if b.x0 - a.x1 >= CELL_GAP]
    starts.sort(key=lambda w: w.x0)
    # a cell's text starts where the cells of its column do: at a column start another row shares, or at the
    # table's left edge (the first word of its row, shared by another row); a bar chart's value label does not
    lefts = sorted([line[0] for line in rows] + starts, key=lambda w: w.x0)

    def at_a_column(w: Word) -> bool:
        return any(t is not w and abs(t.x0 - w.x0) <= 0.3 and not _same_line(t, w) for t in lefts)

    in_rows = [w for line in rows for w in line if at_a_column(w)]
    found = []
    for i, s in enumerate(starts):
        same = [t for t in starts[max(0, i - 20): i + 20] if t is not s and abs(t.x0 - s.x0) <= 0.3
                and not _same_line(t, s) and abs(t.y0 - s.y0) < 120]
        if len(same) < 2:
            continue
        top, bottom = min(t.y0 for t in [s, *same]) - 30, max(t.y1 for t in [s, *same]) + 12
        for w in in_rows:
            if w.x0 + CELL_GAP < s.x0 < w.x1 - 2 and top <= w.y0 <= bottom and (w, s) not in found:
                found.append((w, s))
    return found


def overlaps(pdf: Path, tolerance: float = TOLERANCE, min_gap: float = MIN_GAP) -> list[Overlap]:
    """Every pair of words in ``pdf`` printed over each other, closer than ``min_gap`` on one line, or one
    running across another's table column, the chart watermark's letters left out (:func:`_watermark_free`)."""
    found = []
    for number, words in enumerate(pages(Path(pdf)), start=1):
        words = sorted(_watermark_free(words), key=lambda w: w.y0)
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                if b.y0 >= a.y1:
                    break
                if _overlap(a, b) > tolerance:
                    found.append(Overlap(Path(pdf), number, a, b))
                elif _same_line(a, b) and not (PUNCTUATION.match(a.text) or PUNCTUATION.match(b.text)):
                    left, right = (a, b) if a.x0 <= b.x0 else (b, a)
                    if right.x0 - left.x1 < min_gap and right.x1 > left.x1:
                        found.append(Overlap(Path(pdf), number, left, right, "gap"))
        found += [Overlap(Path(pdf), number, w, s, "crosses") for w, s in column_crossings(words)]
    return found


#: the body of an A4 page in pt from the top (below the running header, above the footer)
BODY_TOP, BODY_BOTTOM = 62.0, 842.0 - 62.0
CAPTION = re.compile(r"^Tabell \d+:")


FIGURE = re.compile(r"^Figur (\d+):\s*(?:EXEMPELDATA\s*–\s*)?(.*)")


def _figures_above_their_heading(lines: list[list[Word]]) -> list[str]:
    """Charts that floated to the top of the page their section starts on, above the section's own heading (a
    heading: a line in words at least 1,15 times the page's usual height; the figure's own: its caption starts
    with the heading's words, e.g. "Figur 2: Kursdeltagare på sfi med godkänt betyg, Ronneby …")."""
    heights = sorted(w.y1 - w.y0 for line in lines for w in line)
    if not heights:
        return []
    median = heights[len(heights) // 2]
    headings = [(line[0].y0, " ".join(w.text for w in line)) for line in lines
                if min(w.y1 - w.y0 for w in line) >= 1.15 * median]
    found = []
    for line in lines:
        m = FIGURE.match(" ".join(w.text for w in line))
        if not m:
            continue
        caption = m.group(2).casefold()
        for y, text in headings:
            if y > line[0].y0 and caption.startswith(text.casefold()):
                found.append(f"figur {m.group(1)} står ovanför sin egen rubrik ”{text}”")
    return found


def page_flow(pdf: Path) -> list[str]:
    """What breaks the flow of the pages (Swedish messages, one per finding):

    * a table caption alone at the foot of a page (its table on the next);
    * a page less than half full before one that does not start a section (a heading: words at least 1,35
      times the page's usual height), e.g. a chart that did not fit, moved on and left half a page blank;
    * a chart that floated above its own section's heading (:func:`_figures_above_their_heading`)."""
    found = []
    all_pages = pages(Path(pdf))
    for number, words in enumerate(all_pages, start=1):
        body = [w for w in _watermark_free(words) if BODY_TOP < w.y0 < BODY_BOTTOM]
        if number == 1 or not body:
            continue
        lines = _lines(body)
        last = " ".join(w.text for w in lines[-1])
        if CAPTION.match(last) or (len(lines) > 1 and CAPTION.match(" ".join(w.text for w in lines[-2]))
                                   and not any(ch.isdigit() for ch in last[:4])):
            found.append(f"{pdf} sida {number}: tabellrubriken ”{last[:50]}” står ensam längst ned")
        found += [f"{pdf} sida {number}: {f}" for f in _figures_above_their_heading(lines)]
        if number < len(all_pages):
            nxt = sorted((w for w in all_pages[number] if BODY_TOP < w.y0 < BODY_BOTTOM), key=lambda w: w.y0)
            fill = (max(w.y1 for w in body) - BODY_TOP) / (BODY_BOTTOM - BODY_TOP)
            if nxt and fill < 0.5:
                heights = sorted(w.y1 - w.y0 for w in nxt)
                median = heights[len(heights) // 2]
                if nxt[0].y1 - nxt[0].y0 < 1.35 * median:
                    found.append(f"{pdf} sida {number}: bara {fill:.0%} av sidan används, och nästa sida "
                                 f"börjar inte ett nytt avsnitt (”{nxt[0].text}”)")
    return found


def check_folder(folder: Path) -> tuple[list[Path], list[Overlap]]:
    """The PDFs in ``folder`` (or the one PDF ``folder`` is) and the overlaps found in them."""
    folder = Path(folder)
    pdfs = [folder] if folder.is_file() else sorted(
        p for p in folder.rglob("*.pdf") if not any(part.startswith(".") for part in p.parts))
    return pdfs, [o for pdf in pdfs for o in overlaps(pdf)]


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.publish.pdfcheck [MAPP|PDF …]`` (default ``reports``): exit 1 when something is
    found, 2 for a path that does not exist."""
    argv = sys.argv[1:] if argv is None else argv
    missing = [a for a in argv if not Path(a).exists()]
    if missing:
        print(f"finns inte: {', '.join(missing)} (ange mappar eller PDF-filer; standard: reports)", file=sys.stderr)
        return 2
    total = 0
    for folder in argv or ["reports"]:
        pdfs, found = check_folder(Path(folder))
        n_pages = sum(len(pages(p)) for p in pdfs)
        for o in found:
            print(o)
        flow = [f for pdf in pdfs for f in page_flow(pdf)]
        print("\n".join(flow) + ("\n" if flow else ""), end="")
        print(f"{folder}: {len(pdfs)} PDF, {n_pages} sidor, {len(found)} ord som överlappar, nuddar eller går in "
              f"i nästa kolumn, {len(flow)} brott i sidflödet")
        total += len(found) + len(flow)
    return 1 if total else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
