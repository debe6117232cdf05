"""No absolute local path in a published report.

The executed notebooks record their parameters and papermill's metadata with the paths the run used
(``data_path``, ``results_path``, ``downloads_dir``, the input and output notebook …), all absolute: they would
publish the machine's folder layout (a user name, a project folder). Before a report is published every string
in its notebooks is rewritten: a path inside the report's temporary folder becomes relative to the report
(``data``, ``figurer``), a path inside the project relative to the project root (``data/tidy/integration.csv``,
``.cache/results/<key>``), and the data file, when it lies outside the project, its file name.

The published ``rapport.qmd`` keeps no ``font-paths`` (where the brand's fonts lie on the machine that rendered:
a path out of the report folder, through the user's folders when the reports are written outside the project);
``analysis render`` writes it anew for each render.
"""

from __future__ import annotations

import json
import re
from pathlib import Path


def replacements(work: Path, root: Path, data_path: Path | None = None) -> list[tuple[str, str]]:
    """(absolute prefix, what replaces it), longest first: the report's own folder, then the project."""
    pairs = [(str(Path(work).resolve()) + "/", ""), (str(Path(work).resolve()), "."),
             (str(Path(root).resolve()) + "/", ""), (str(Path(root).resolve()), ".")]
    if data_path is not None:
        data_path = Path(data_path).resolve()
        if not data_path.is_relative_to(Path(root).resolve()):
            pairs.insert(0, (str(data_path), data_path.name))
    return sorted(set(pairs), key=lambda p: -len(p[0]))


def _rewrite(value, pattern: re.Pattern, table: dict[str, str]):
    if isinstance(value, str):
        return pattern.sub(lambda m: table[m.group(0)], value)
    if isinstance(value, list):
        return [_rewrite(v, pattern, table) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite(v, pattern, table) for k, v in value.items()}
    return value


def _pattern(pairs: list[tuple[str, str]]) -> re.Pattern:
    # a prefix without its slash only as a whole path ("/x/proj", not "/x/project-2")
    return re.compile("|".join(re.escape(prefix) + ("" if prefix.endswith("/") else r"(?![\w.-])")
                               for prefix, _ in pairs))


def clean_notebook(nb, work: Path, root: Path, data_path: Path | None = None) -> dict:
    """An executed notebook (as papermill returns it) without absolute local paths, in the form nbformat writes
    (text split into lines, transient metadata dropped): a copy, the notebook itself is not changed."""
    import nbformat
    from nbformat.v4.rwbase import split_lines, strip_transient

    pairs = replacements(work, root, data_path)
    return strip_transient(split_lines(nbformat.from_dict(_rewrite(nb, _pattern(pairs), dict(pairs)))))


def write_notebook(path: Path, nb: dict) -> dict:
    """Write ``nb`` as the notebook nbformat would write (keys sorted, text as it is, a final newline), but in
    compact JSON, which Python's C encoder writes (nbformat's one-space indent takes the pure-Python encoder:
    8 against 2 ms for a notebook of charts, a file a third larger), and without validating it again (every
    output was checked as it came, :mod:`analysis.publish.outputs`); returns it."""
    Path(path).write_text(json.dumps(nb, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n",
                          encoding="utf-8")
    return nb


def strip_local_paths(work: Path, root: Path, data_path: Path | None = None) -> list[Path]:
    """Rewrite every executed notebook under ``work`` (``notebooks/*.ipynb``) without absolute local paths.
    Returns the notebooks changed."""
    pairs = replacements(work, root, data_path)
    table, pattern = dict(pairs), _pattern(pairs)
    changed = [qmd for qmd in [Path(work) / "rapport.qmd"] if qmd.is_file() and strip_font_paths(qmd)]
    for nb in sorted((Path(work) / "notebooks").glob("*.ipynb")):
        text = nb.read_text(encoding="utf-8")
        if not pattern.search(text):
            continue
        data = json.loads(text)
        clean = _rewrite(data, pattern, table)
        if clean != data:
            write_notebook(nb, clean)
            changed.append(nb)
    return changed


FONT_PATHS = re.compile(r"^(?P<indent>[ ]*)font-paths:[ ]*\n(?:(?P=indent)[ ]*- .*\n)*", re.M)


def strip_font_paths(qmd: Path) -> bool:
    """Remove the ``font-paths`` entry of ``qmd``'s front matter, in its place a comment that says why.
    Whether it was there."""
    text = qmd.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")  # the front matter ends at the first "---" line after the first
    new = FONT_PATHS.sub(lambda m: f"{m['indent']}# font-paths: the brand's fonts on the rendering machine "
                                   "(analysis render sets them)\n", head)
    if new == head:
        return False
    qmd.write_text(new + sep + body, encoding="utf-8")
    return True
