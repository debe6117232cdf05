"""Stages that hold: domain → data → compute → present → publish, imports only downward (or within a stage).

An AST walk over ``src/analysis`` (every ``import``/``from … import``, also those inside functions: a lazy import
is a dependency all the same). The top-level modules: ``config``, ``errors``, ``yamlio``, ``text`` (and the
package's ``__init__``) are the base every stage may import, and import only each other; ``cli`` is the command on
top: it may import any stage and nothing imports it.

There are no backward imports (issue 24, point 2: the last ones, in ``domain/handlingsplan.py`` and
``data/sources/kolada_groups.py``, were removed by splitting the handlingsplan by stage and by moving
``ComparisonGroup`` to domain, Kolada's parser to data and ``slugify`` to the base). :data:`ALLOWED` is empty and
should stay so; an entry put there (with why) while a fix is under way fails the test once its import is gone.
The walk is shown to find a planted backward import, both in a synthetic tree and in a copy of the real one.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
STAGES = ("domain", "data", "compute", "present", "publish")
BASE = {"analysis", "analysis.config", "analysis.errors", "analysis.yamlio", "analysis.text"}
TOP = {"analysis.cli", "analysis.clihelp"}  # the command line and its help chrome: may use every stage

#: (importing module, imported module) -> why it is still there. Empty: 0 backward imports.
ALLOWED: dict[tuple[str, str], str] = {}


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


def stale(allowed, found) -> list[str]:
    """The entries of ``allowed`` whose import is no longer among ``found`` ((module, target) pairs)."""
    return [f"{m} -> {t}" for m, t in allowed if not any(fm == m and (ft == t or ft.startswith(t + "."))
                                                         for fm, ft in found)]


def test_every_allowed_backward_import_is_still_needed():
    found = {(m, t) for m, _line, t in backward()}
    gone = stale(ALLOWED, found)
    assert not gone, "remove from ALLOWED (the import is gone): " + ", ".join(gone)


def test_there_are_no_backward_imports_and_none_allowed():
    assert ALLOWED == {} and backward() == []


def test_a_stale_allowed_entry_is_reported():
    found = {("analysis.domain.x", "analysis.present.fmt")}
    assert stale({("analysis.domain.x", "analysis.present"): "why"}, found) == []
    assert stale({("analysis.domain.y", "analysis.data.limits"): "why"}, found) == ["analysis.domain.y -> analysis.data.limits"]


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


@pytest.mark.parametrize("module, planted, target", [
    ("domain/handlingsplan.py", "from analysis.present import fmt\n", "analysis.present.fmt"),  # the old ones
    ("data/sources/kolada_groups.py", "def f():\n    from analysis.compute.groups import Grouping\n",
     "analysis.compute.groups"),
    ("compute/coverage.py", "from ..present.downloads import slugify\n", "analysis.present.downloads"),
])
def test_a_backward_import_planted_in_a_copy_of_the_real_tree_is_found(tmp_path, module, planted, target):
    shutil.copytree(SRC / "analysis", tmp_path / "analysis", ignore=shutil.ignore_patterns("__pycache__"))
    assert backward(tmp_path) == []  # the copy holds as the tree does
    path = tmp_path / "analysis" / module
    path.write_text(path.read_text(encoding="utf-8") + "\n" + planted, encoding="utf-8")
    found = backward(tmp_path)
    name = "analysis." + module.removesuffix(".py").replace("/", ".")
    assert [(m, t) for m, _line, t in found] == [(name, target)], found
    new = [f"{m}:{line} imports {t}" for m, line, t in found if not _allowed(m, t)]
    assert len(new) == 1 and new[0].startswith(f"{name}:"), new  # what test_no_import_runs_backwards reports
