"""Publish reads a report only through its model (analysis.present.model) and the notebooks it displays:
every text in rapport.qmd comes from the model, and no publish module reads a side file."""
import ast
import datetime as dt
from pathlib import Path

import analysis.publish
from analysis.present import model as m
from analysis.publish.pandoc_render import split_front_matter
from analysis.publish.qmd import report_source

PUBLISH = Path(analysis.publish.__file__).parent


def model_with(texts: dict[str, str]) -> m.ReportModel:
    return m.ReportModel(
        kind="kommun", code="1081", year=2024, title=texts["title"], subtitle=texts["subtitle"],
        publisher=texts["publisher"], flags=m.Flags(example_data=False, real_data=True),
        sections=[m.Section("inledning", "", [m.Text(texts["intro"])]),
                  m.Section("s", texts["heading"], [m.Text(texts["body"]), m.Cell("arbete", "fokus-mal"),
                                                    m.PageBreak()])])


def test_every_text_of_rapport_qmd_comes_from_the_model(root):
    texts = {"title": "En helt annan titel", "subtitle": "Annan undertitel", "publisher": "Någon utgivare",
             "intro": "Inledning som bara finns i modellen.", "heading": "Påhittad rubrik",
             "body": "Brödtext som bara finns i modellen."}
    meta, body = split_front_matter(report_source(model_with(texts), root, date=dt.date(2026, 1, 2)))
    assert (meta["title"], meta["subtitle"], meta["author"]) == (texts["title"], texts["subtitle"], texts["publisher"])
    for key in ("intro", "body"):
        assert texts[key] in body
    assert "## Påhittad rubrik" in body and "{{< embed notebooks/arbete.ipynb#fokus-mal >}}" in body
    assert "{{< pagebreak >}}" in body
    # nothing but the model's texts and the placements: remove them and no word is left
    rest = body
    for text in [texts["intro"], texts["body"], "## " + texts["heading"], "{{< embed notebooks/arbete.ipynb#fokus-mal >}}",
                 "{{< pagebreak >}}"]:
        rest = rest.replace(text, "")
    assert rest.strip() == ""


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom) and n.module:
            names |= {n.module} | {f"{n.module}.{a.name}" for a in n.names}
        elif isinstance(n, ast.Import):
            names |= {a.name for a in n.names}
    return names


def test_no_publish_module_reads_table_descriptions_or_composes_the_reports_front_texts():
    """The side channel is gone: no publish module globs JSON files, and the modules that write the report
    (render, qmd) import none of present's text composers (the model carries their texts)."""
    for path in sorted(PUBLISH.glob("*.py")):
        assert not [s for s in _string_constants(path) if "*.json" in s], path.name
    composers = {"analysis.present.reportmeta", "analysis.present.narrative", "analysis.present.brand.typst_cover",
                 "analysis.present.escape", "analysis.present.fmt", "analysis.data.provenance"}
    for name in ("render.py", "qmd.py"):
        imported = _imports(PUBLISH / name)
        assert not imported & composers, (name, imported & composers)
        assert not [s for s in _string_constants(PUBLISH / name) if "callout-warning" in s or "Exempeldata" in s]


def test_the_index_takes_the_example_flag_from_the_model(tmp_path):
    from analysis.publish.render import _has_example_data

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.json").write_text('{"example": true}', encoding="utf-8")  # an old side file: ignored
    assert _has_example_data(tmp_path) is False  # no model
    model = model_with({k: "x" for k in ("title", "subtitle", "publisher", "intro", "heading", "body")})
    m.write(model, tmp_path)
    assert _has_example_data(tmp_path) is False
    m.write(m.ReportModel(**{**m.to_dict(model), "flags": m.Flags(True, False), "sections": []}), tmp_path)
    assert _has_example_data(tmp_path) is True
