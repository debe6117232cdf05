"""Errors the CLI shows as plain messages (no traceback)."""

import errno
import os
from pathlib import Path

#: Longest file name most file systems accept (bytes).
NAME_MAX = 255


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


def os_error_reason(exc: OSError) -> str:
    """What went wrong, in Swedish, without the path (``disken är full``)."""
    if exc.errno == errno.ENAMETOOLONG:
        return f"filnamnet är för långt (högst {NAME_MAX} tecken)"
    return {
        errno.ENOENT: "finns inte", errno.EACCES: "saknar behörighet", errno.EPERM: "saknar behörighet",
        errno.EISDIR: "är en mapp, inte en fil", errno.ENOTDIR: "en del av sökvägen är inte en mapp",
        errno.ENOSPC: "disken är full", errno.EROFS: "filsystemet är skrivskyddat",
        errno.EEXIST: "finns redan", errno.EDQUOT: "diskkvoten är slut", errno.EIO: "in- eller utmatningsfel",
        errno.EMFILE: "för många öppna filer", errno.ENOMEM: "minnet räcker inte",
    }.get(exc.errno, exc.strerror or str(exc))


def os_error_text(exc: OSError) -> str:
    """An OS error as one Swedish line naming the path (disk full, no permission, …)."""
    where = exc.filename or ""
    if exc.errno == errno.ENAMETOOLONG:
        return f"filnamnet är för långt (högst {NAME_MAX} tecken): {str(where)[:60]}…"
    what = os_error_reason(exc)
    return f"{where}: {what}" if where else what
