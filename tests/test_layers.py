"""Stages that hold: domain → data → compute → present → publish, imports only downward (or within a stage).

An AST walk over ``src/analysis`` (every ``import``/``from … import``, also those inside functions: a lazy import
is a dependency all the same). The top-level modules: ``config``, ``errors``, ``yamlio`` (and the package's
``__init__``) are the base every stage may import, and import only each other; ``cli`` is the command on top:
it may import any stage and nothing imports it.

Backward imports that are not fixed yet are listed in :data:`ALLOWED`, each with why; a new one fails the test, and
so does an entry that is no longer needed (remove it when its import is gone).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
STAGES = ("domain", "data", "compute", "present", "publish")
BASE = {"analysis", "analysis.config", "analysis.errors", "analysis.yamlio"}
TOP = {"analysis.cli", "analysis.clihelp"}  # the command line and its help chrome: may use every stage

#: (importing module, imported module) -> why it is still there. Not fixed this round:
ALLOWED = {
    # domain/handlingsplan.py does the work of four stages (declaration, XLSX import and validation, wording) and
    # is being changed on another branch now; it is to be split by stage (issue 24, point 2).
    ("analysis.domain.handlingsplan", "analysis.data.contract"): "handlingsplan: validation against the contract",
    ("analysis.domain.handlingsplan", "analysis.data.provenance"): "handlingsplan: the imported file's sidecar",
    ("analysis.domain.handlingsplan", "analysis.data.importer"): "handlingsplan: reading the filled-in XLSX",
    ("analysis.domain.handlingsplan", "analysis.data.limits"): "handlingsplan: the XLSX size and row limits",
    ("analysis.domain.handlingsplan", "analysis.present.fmt"): "handlingsplan: Swedish dates in its report texts",
    ("analysis.domain.handlingsplan", "analysis.present.escape"): "handlingsplan: literal Markdown of people's text",
    # Kolada's kommungrupper are fetched in data, but ComparisonGroup and its parser live in compute/groups.py
    # (belongs in domain with the SKR grouping's declaration), and the snapshot's file name uses present's slugify.
    ("analysis.data.sources.kolada_groups", "analysis.compute.groups"): "ComparisonGroup, parse_kolada_groups",
    ("analysis.data.sources.kolada_groups", "analysis.present.downloads"): "slugify for the snapshot's folder",
}


def module_name(path: Path, src: Path) -> str:
    rel = path.relative_to(src).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _targets(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:  # relative: from the module's package, one level up per dot after the first
            package = module.split(".") if is_package else module.split(".")[:-1]
            base = package[: len(package) - (node.level - 1)]
            origin = ".".join(base + ([node.module] if node.module else []))
        else:
            origin = node.module or ""
        # "from analysis.present import brand" imports the module analysis.present.brand
        return [f"{origin}.{a.name}" for a in node.names] if origin.count(".") <= 1 else [origin]
    return []


def imports(src: Path = SRC) -> list[tuple[str, int, str]]:
    """(module, line, imported module) for every import of the ``analysis`` package under ``src``."""
    out = []
    for path in sorted((src / "analysis").rglob("*.py")):
        module = module_name(path, src)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            for target in _targets(node, module, path.name == "__init__.py"):
                if target == "analysis" or target.startswith("analysis."):
                    out.append((module, node.lineno, target))
    return out


def layer(module: str) -> tuple[str, int]:
    """(kind, rank): base modules rank lowest, then the stages in order, then the command."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in STAGES:
        return "stage", 1 + STAGES.index(parts[1])
    if module in TOP or ".".join(parts[:2]) in TOP:
        return "top", len(STAGES) + 1
    return "base", 0


def backward(src: Path = SRC) -> list[tuple[str, int, str]]:
    """Every import from a later stage (or of the command, or of a stage by a base module)."""
    bad = []
    for module, line, target in imports(src):
        (_k, mine), (_t, theirs) = layer(module), layer(target)
        if theirs > mine:
            bad.append((module, line, target))
    return bad


def _allowed(module: str, target: str) -> bool:
    return any(module == m and (target == t or target.startswith(t + ".")) for m, t in ALLOWED)


def test_no_import_runs_backwards():
    new = [f"{m}:{line} imports {t}" for m, line, t in backward() if not _allowed(m, t)]
    assert not new, "imports from a later stage (domain → data → compute → present → publish):\n" + "\n".join(new)


def test_every_allowed_backward_import_is_still_needed():
    found = {(m, t) for m, _line, t in backward()}
    stale = [f"{m} -> {t}" for m, t in ALLOWED if not any(fm == m and (ft == t or ft.startswith(t + "."))
                                                          for fm, ft in found)]
    assert not stale, "remove from ALLOWED (the import is gone): " + ", ".join(stale)


@pytest.mark.parametrize("source, bad", [
    ("from analysis.publish import render\n", True),  # domain -> publish
    ("def f():\n    from analysis.present.fmt import number\n", True),  # lazy, still a dependency
    ("import analysis.compute.gaps\n", True),
    ("from ..present import fmt\n", True),  # relative
    ("from analysis.domain import catalogue\nfrom analysis import errors\n", False),  # same stage, base
])
def test_a_planted_backward_import_is_found(tmp_path, source, bad):
    pkg = tmp_path / "analysis"
    for folder in ("domain", "present", "publish", "compute"):
        (pkg / folder).mkdir(parents=True)
        (pkg / folder / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "domain" / "planted.py").write_text(source)
    found = [(m, t) for m, _line, t in backward(tmp_path)]
    assert bool(found) == bad, found
    if bad:
        assert found[0][0] == "analysis.domain.planted"


def test_the_command_is_imported_by_nobody_and_base_modules_import_no_stage(tmp_path):
    pkg = tmp_path / "analysis"
    (pkg / "publish").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "publish" / "__init__.py").write_text("")
    (pkg / "publish" / "x.py").write_text("from analysis.cli import app\n")
    (pkg / "config.py").write_text("from analysis.domain.geography import load_geography\n")
    found = {(m, t) for m, _line, t in backward(tmp_path)}
    assert found == {("analysis.publish.x", "analysis.cli.app"),
                     ("analysis.config", "analysis.domain.geography")}
