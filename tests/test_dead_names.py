"""No dead names: every module-level function, class and constant of src/analysis is used somewhere in the project
(the package, the tests, the notebooks, the report templates, scripts or benchmarks) besides its definition.

Names registered by a decorator (CLI commands, pytest-style hooks) count as used; ``__all__``-style dunders and
private names used in their own module are checked like the rest."""
from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: where a use may be: code, notebooks, templates (a name used only in a README is still dead)
USES = ("src", "tests", "notebooks", "reports/templates", "scripts", "benchmarks", "mall")
SUFFIXES = {".py", ".ipynb", ".qmd", ".typ", ".lua", ".html", ".yml", ".sh"}


def _defined(tree: ast.Module) -> list[tuple[str, int]]:
    out = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if not node.decorator_list or isinstance(node, ast.ClassDef):
                out.append((node.name, node.lineno))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name) and not n.id.startswith("__"):
                        out.append((n.id, node.lineno))
    return out


def _words(root: Path) -> Counter:
    counts: Counter = Counter()
    for folder in USES:
        base = root / folder
        if not base.exists():
            continue
        for path in base.rglob("*"):
            if path.suffix in SUFFIXES and path.is_file() and "node_modules" not in path.parts:
                counts.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", path.read_text(encoding="utf-8", errors="replace")))
    return counts


def dead_names(root: Path = ROOT) -> list[str]:
    words = _words(root)
    dead = []
    for path in sorted((root / "src" / "analysis").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = Counter(name for name, _ in _defined(tree))
        for name, line in _defined(tree):
            if words[name] <= defined[name]:  # only its own definition(s)
                dead.append(f"{path.relative_to(root)}:{line} {name}")
    return dead


def test_no_dead_module_level_names():
    assert dead_names() == []


def test_the_check_finds_a_planted_dead_name(tmp_path):
    """In a small project: a constant and a function nobody uses are found; a used one and a decorated one not."""
    package = tmp_path / "src" / "analysis"
    package.mkdir(parents=True)
    (package / "mod.py").write_text(
        "DEAD_CONSTANT = 1\nUSED_CONSTANT = 2\n\n\ndef dead_function():\n    return USED_CONSTANT\n\n\n"
        "@app.command()\ndef a_command():\n    pass\n", encoding="utf-8")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "n.ipynb").write_text('{"source": ["USED_CONSTANT"]}', encoding="utf-8")
    assert dead_names(tmp_path) == ["src/analysis/mod.py:1 DEAD_CONSTANT", "src/analysis/mod.py:5 dead_function"]
