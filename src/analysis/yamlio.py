"""YAML through libyaml when PyYAML was built with it, else PyYAML's pure-Python classes (same results).

The report sources carry their inlined header files (≈ 0,9 MB) in the front matter: the pure-Python loader
took 0,6 s to read that once per output format, libyaml about 5 ms.
"""

from __future__ import annotations

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load(text: str):
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader


def dump(data, **kwargs) -> str:
    return yaml.dump(data, Dumper=kwargs.pop("Dumper", SafeDumper), **kwargs)
