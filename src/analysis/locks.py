"""One lock for each shared place a command writes: ``data`` (data/: the raw snapshots and the tidy table) and
``reports`` (a report folder, reports/ by default).

Every command that writes data/ (``import``, ``build-data``, ``fetch``, ``fetch-groups``,
``handlingsplan import``) holds the ``data`` lock exclusively while it writes; ``render`` holds the
``reports`` lock of its output folder exclusively and the ``data`` lock shared (it reads the data file, the
snapshots and the handlingsplan for its whole run, so an import waits until the reports are built rather than
change the data under them). A second run waits and says, in one Swedish line, who holds the lock (pid,
command, since when); after :data:`TIMEOUT_ENV` seconds (default :data:`DEFAULT_TIMEOUT`; ``0`` = do not
wait) it gives up with a clear error.

The locks are ``fcntl.flock`` locks on files under ``.cache/locks/``: the operating system releases them when
the holding process ends, however it ends (``kill -9`` included), so the lock of a dead run is never stale and
is taken over at once. Who holds a lock is written beside it (``<name>.<pid>.json``); such a note of a process
that no longer runs is removed by the next run that reads it. Locks are re-entrant within a process (an
import that rebuilds the data takes the ``data`` lock once).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from analysis.errors import AnalysisError
from analysis.orphans import pid_alive

TIMEOUT_ENV = "ANALYSIS_LOCK_TIMEOUT"
#: seconds a run waits for another run's lock before it gives up
DEFAULT_TIMEOUT = 900.0
POLL = 0.1

_held: dict[str, list] = {}  # lock file -> [fd, exclusive, depth]
_guard = threading.RLock()


def lock_dir(root: Path) -> Path:
    return Path(root) / ".cache" / "locks"


def command_line(argv: list[str] | None = None) -> str:
    """The running command as a user typed it (``analysis import fil.csv``), at most 120 characters."""
    argv = list(sys.argv if argv is None else argv)
    first = Path(argv[0]).name if argv else "python"
    words = ["analysis", *argv[1:]] if first in ("analysis", "__main__.py", "cli.py") else [first, *argv[1:]]
    text = " ".join(words)
    return text if len(text) <= 120 else text[:119] + "…"


def _since(text: str) -> str:
    try:
        when = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return "okänd tid"
    return when.strftime("%H:%M:%S") if when.date() == dt.date.today() else when.strftime("%Y-%m-%d %H:%M:%S")


def holders(path: Path) -> list[dict]:
    """Who holds the lock file ``path`` (notes of live processes); notes of dead processes are removed."""
    out = []
    for note in sorted(path.parent.glob(path.name + ".*.json")):
        pid = note.name[len(path.name) + 1: -len(".json")]
        if not pid.isdigit():
            continue
        if not pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                note.unlink()
            continue
        try:
            info = json.loads(note.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        out.append({"pid": int(pid), "command": str(info.get("command") or "okänt kommando"),
                    "since": _since(info.get("since"))})
    return out


def holder_text(path: Path) -> str:
    """``pid 123 ('analysis render -m 1081', sedan 08:45:12)`` for each holder, or ``en annan körning``."""
    for _ in range(5):  # a run that has just taken the lock writes its note a moment later
        found = [h for h in holders(path) if h["pid"] != os.getpid()]
        if found:
            break
        time.sleep(0.1)
    if not found:
        return "en annan körning"
    return " och ".join(f"pid {h['pid']} ('{h['command']}', sedan {h['since']})" for h in found)


def timeout_seconds() -> float:
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise AnalysisError(f"{TIMEOUT_ENV}={raw!r}: ange antal sekunder, t.ex. 600 (0 = vänta inte)") from None
    return max(0.0, value)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextlib.contextmanager
def hold(root: Path, name: str, what: str, *, shared: bool = False, command: str | None = None,
         timeout: float | None = None, say: Callable[[str], None] = _stderr) -> Iterator[Path]:
    """Hold the lock ``name`` of the project at ``root`` (exclusive, or ``shared`` with other readers).

    ``what`` names the locked place in the messages (``data/``). Waits up to ``timeout`` seconds (default:
    :func:`timeout_seconds`), saying once who holds it; then raises :class:`AnalysisError`."""
    folder = lock_dir(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AnalysisError(f"{folder}: kan inte skapa låsmappen ({exc.strerror or exc})") from None
    path = folder / f"{name}.lock"
    key = str(path.resolve())
    with _guard:
        entry = _held.get(key)
        nested = entry is not None and (entry[1] or shared)  # already held strongly enough by this process
        if nested:
            entry[2] += 1
    if nested:
        try:
            yield path
        finally:
            with _guard:
                entry[2] -= 1
        return
    if entry is not None:  # held shared here, wanted exclusive: convert the same lock (kept until released)
        _acquire(entry[0], path, what, exclusive=True, timeout=timeout, say=say)
        entry[1] = True
        yield path
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    note = path.with_name(f"{path.name}.{os.getpid()}.json")
    try:
        _acquire(fd, path, what, exclusive=not shared, timeout=timeout, say=say)
        holders(path)  # removes the notes of dead holders (a killed run's lock is taken over)
        try:
            note.write_text(json.dumps({"pid": os.getpid(), "command": command or command_line(),
                                        "since": dt.datetime.now().isoformat(timespec="seconds"),
                                        "shared": shared}, ensure_ascii=False), encoding="utf-8")
        except OSError:
            pass  # only the message of a waiting run is poorer
        with _guard:
            _held[key] = [fd, not shared, 1]
        try:
            yield path
        finally:
            with _guard:
                _held.pop(key, None)
            with contextlib.suppress(OSError):
                note.unlink()
    finally:
        os.close(fd)  # releases the lock


def _acquire(fd: int, path: Path, what: str, *, exclusive: bool, timeout: float | None,
             say: Callable[[str], None]) -> None:
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    limit = timeout_seconds() if timeout is None else max(0.0, timeout)
    start = time.monotonic()
    told = False
    while True:
        try:
            fcntl.flock(fd, mode)
            return
        except BlockingIOError:
            pass
        waited = time.monotonic() - start
        if waited >= limit:
            raise AnalysisError(
                f"{what} används av {holder_text(path)}"
                + (f"; gav upp efter {waited:.0f} s" if limit else "")
                + f". Försök igen när den körningen är klar (eller låt kommandot vänta: {TIMEOUT_ENV}=sekunder).")
        if not told and waited >= 0.3:  # a holder that just took the lock has written its note by now
            say(f"Väntar: {what} används av {holder_text(path)}; fortsätter när den är klar "
                f"(högst {limit:.0f} s).")
            told = True
        time.sleep(POLL)


def data_lock(root: Path, *, shared: bool = False, **kw):
    """The lock of the project's data/ (raw snapshots, tidy table, handlingsplan)."""
    return hold(root, "data", "data/", shared=shared, **kw)


def reports_lock(root: Path, out_root: Path, **kw):
    """The lock of one report folder (``reports/`` by default); several output folders may be built at once."""
    out_root = Path(out_root).resolve()
    try:
        shown = f"{out_root.relative_to(Path(root).resolve())}/"
    except ValueError:
        shown = f"{out_root.name}/"
    digest = hashlib.sha256(str(out_root).encode()).hexdigest()[:10]
    return hold(root, f"reports-{digest}", f"Rapportmappen {shown}", **kw)
