"""Free text (file names, producer, title, URL, source) on its way into Markdown (→ HTML and Typst via pandoc
or Quarto) and into spreadsheets (CSV/XLSX downloads).

* :func:`md_text` backslash-escapes the characters that mean something in pandoc's Markdown, which it then
  reads as literal characters: no emphasis, links, raw HTML (``<img onerror=…>``), raw Typst or shortcodes,
  and no "smart" typography: straight quotes, ``--`` and ``...`` stay exactly as written (a strategy text is
  quoted, not typeset; only Typst still draws ``...`` as an ellipsis in the PDF).
* :func:`md_code` makes an inline code span that the text cannot close (the fence is longer than any run of
  backticks in it); pandoc escapes ``<`` and ``&`` inside code for HTML and Typst.
* :func:`html_text` for text placed straight into HTML (an element's text or an attribute value).
* :func:`typst_text` for text placed straight into Typst markup (``#``, ``$``, ``@``, ``<``, ``*``, ``_``, ``//``
  … stay characters), :func:`typst_string` for a Typst string literal (``"…"``).
* :func:`cell_text` neutralises spreadsheet formulas: a text cell starting with ``=``, ``+``, ``-``, ``@``
  (or a tab/carriage return) gets a leading apostrophe, so Excel and LibreOffice show it as text instead of
  evaluating it (OWASP "CSV injection").
"""

from __future__ import annotations

import html
import re

#: Characters with a meaning in pandoc/Quarto Markdown inline text (emphasis, code, links, raw HTML/Typst
#: attributes, shortcodes, citations, math, tables, entities, and the straight quotes that pandoc's `smart`
#: extension - on by default in pandoc and Quarto - would turn into curly ones); "/", "," and the like stay.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|~^$@=&!\"'])")
#: `smart` also makes "--"/"---" dashes and "..." an ellipsis: those runs are escaped character by character
#: (pandoc then writes them as they are in every format). Typst itself still reads "..." in the PDF's markup
#: as an ellipsis; pandoc's Typst writer does not escape dots, so the PDF shows "…" there (known limit).
_SMART_RUN = re.compile(r"-{2,}|\.{3,}")
_BLOCK_START = re.compile(r"^(\s*)([-+]|\d+(?=[.)]))")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _clean(text: object) -> str:
    """No control characters and no line breaks (a name is one line)."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", str(text))


def md_text(text: object, inline: bool = False) -> str:
    """Literal text for pandoc Markdown (``inline``: never at the start of a line, e.g. a table cell or a
    caption, so a leading "1." or "-" needs no escape)."""
    text = _SPECIAL.sub(r"\\\1", _clean(text))
    text = _SMART_RUN.sub(lambda m: "".join("\\" + c for c in m.group(0)), text)
    if inline:
        return text
    # a leading "-", "+" or "1." would start a list where the text begins a line
    return _BLOCK_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if not m.group(2).isdigit()
                                                    else m.group(2) + "\\"), text, count=1)


def md_code(text: object, in_table: bool = False) -> str:
    """An inline code span holding ``text`` literally (``in_table``: a ``|`` is escaped so that it does not
    end a pipe-table cell)."""
    text = _clean(text)
    if "{{" in text:  # Quarto expands shortcodes even in code; escaped text cannot form one
        return md_text(text)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


def html_text(text: object) -> str:
    """Literal text for HTML (element content or a quoted attribute value)."""
    return html.escape(_clean(text), quote=True)


#: Characters with a meaning in Typst markup (functions, math, references, labels, emphasis, raw, lists,
#: headings, comments, escapes, smart quotes, non-breaking space, shorthand).
_TYPST_SPECIAL = re.compile(r"([\\#$@<>*_`\[\]~'\"=+\-/])")


def typst_text(text: object) -> str:
    """Literal text for Typst markup: every character with a meaning backslash-escaped (``@word`` is no
    reference, ``#set`` no code, ``//`` no comment)."""
    return _TYPST_SPECIAL.sub(r"\\\1", _clean(text))


def typst_string(text: object) -> str:
    """A Typst string literal holding ``text``."""
    return '"' + _clean(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def cell_text(value: object) -> object:
    """A spreadsheet cell: text that would start a formula gets a leading apostrophe; other values as is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
