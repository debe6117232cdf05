"""YAML through libyaml when PyYAML was built with it, else PyYAML's pure-Python classes (same results).

The report sources carry their inlined header files (≈ 0,9 MB) in the front matter: the pure-Python loader
took 0,6 s to read that once per output format, libyaml about 5 ms.

Only the safe loader is ever used: a tag such as ``!!python/object/apply:os.system`` is never executed, and
:func:`read` turns it (and any other YAML error) into one Swedish line naming the file and the line.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from analysis.errors import AnalysisError

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load(text: str, origin: str = "YAML"):
    try:
        return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise AnalysisError(yaml_error(origin, exc)) from None


def read(path: Path):
    """The YAML file at ``path`` (safe loader), or a one-line Swedish error."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise AnalysisError(f"{path}: är inte en textfil i UTF-8") from None
    except OSError as exc:
        raise AnalysisError(f"{path}: kan inte läsas ({exc.strerror or exc})") from None
    return load(text, str(path))


def yaml_error(origin: str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{origin}, rad {mark.line + 1}" if mark is not None else origin
    problem = str(getattr(exc, "problem", "") or "")
    if "python/" in problem or "could not determine a constructor for the tag" in problem:
        tag = problem.split("tag", 1)[-1].strip().strip("'").replace("tag:yaml.org,2002:", "!!") if "tag" in problem else "?"
        return (f"{where}: taggen {tag} är inte tillåten; filen får bara innehålla vanlig YAML (text, tal, listor "
                "och nycklar) och ingenting i den körs")
    return f"{where}: är inte giltig YAML ({problem or type(exc).__name__})"


def dump(data, **kwargs) -> str:
    return yaml.dump(data, Dumper=kwargs.pop("Dumper", SafeDumper), **kwargs)
