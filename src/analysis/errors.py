"""Errors the CLI shows as plain messages (no traceback)."""

import os
from pathlib import Path


class AnalysisError(Exception):
    """A problem the user can fix: bad input, unknown code, invalid data file."""


class UnknownAreaError(AnalysisError, KeyError):
    """A geography code or name that is not one of Sweden's kommuner, län or riket."""

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0] if self.args else ""


class DataValidationError(AnalysisError):
    """A data file that breaks the tidy data contract; carries every problem found."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem\n" + "\n".join(f"  - {p}" for p in problems))


def require_writable_folder(path: Path, what: str) -> None:
    """``path`` (or the nearest folder that exists above it, where it will be made) is a writable folder."""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise AnalysisError(f"{what} {path}: {probe} är inte en mapp")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise AnalysisError(f"{what} {path}: saknar behörighet att skriva i {probe}")
