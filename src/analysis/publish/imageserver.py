"""One browser for the static charts of a whole batch.

Each kernel used to start its own kaleido/Chromium (≈ 440 MB PSS per browser with its GPU, network, zygote
and web-UI processes, growing with every chart). A batch now starts one image server: a process with one
kaleido (one Chromium, one tab: an SVG takes ≈ 0,07 s, so one tab keeps up with two workers) that draws the
charts the kernels send it over a Unix socket, and replaces its browser when it has grown too big. A kernel finds it through the
environment variable :data:`ENV`; without it (a notebook run by an analyst, a single ``run_job``) the kernel
draws with its own kaleido as before (:func:`analysis.present.display.start_browser`).

Protocol, per request on one connection: 4 bytes big-endian length + JSON ``{"fig": …, "opts": {format, width,
height, scale}}``; the answer is 1 status byte (0 ok, 1 error) + 4 bytes length + the image (or the error
text). ``python -m analysis.publish.imageserver SOCKET TABS`` runs the server; it prints ``ready`` once it listens.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import struct
import sys
import threading
import time
import warnings

ENV = "ANALYSIS_IMAGE_SERVER"
#: how long a kernel waits for the server to listen (its browser starts in parallel with the kernels)
CONNECT_TIMEOUT = 90.0


def _frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


#: the browser's processes may hold this much (PSS, MB) before it is replaced by a fresh one (≈ 430 MB when
#: fresh, with one tab, measured here): Chromium's page
#: grows by ≈ 1–2 MB per chart drawn and does not give it back, not even on a reload
BROWSER_LIMIT_MB = 520
#: how often (in charts) the browser's memory is looked at
CHECK_EVERY = 20


def _pss(p) -> int:
    """A process's PSS in bytes from /proc/<pid>/smaps_rollup (psutil's full smaps walk took ≈ 50 ms per
    Chromium process); its RSS where that file is missing."""
    try:
        with open(f"/proc/{p.pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return p.memory_info().rss


def _tree_mb(pid: int) -> float:
    import psutil

    total = 0
    for p in psutil.Process(pid).children(recursive=True):
        try:
            total += _pss(p)
        except psutil.Error:
            pass
    return total / 2**20


#: how many recent charts are kept to answer a repeat without drawing: a län-level chart (a figure the source
#: has only for the län) is the same in every kommun report of that län
CACHE_SIZE = 64


class _Browser:
    """One kaleido (one tab) for every request, replaced when its memory passes :data:`BROWSER_LIMIT_MB`.
    A chart asked for again (the same figure and options, byte for byte) is answered from a small cache."""

    def __init__(self, tabs: int):
        self.tabs, self.k, self.images, self.restarts = max(1, tabs), None, 0, 0
        self.lock = asyncio.Lock()
        self.cache: dict[bytes, bytes] = {}
        self.hits = 0

    async def open(self) -> None:
        import kaleido

        self.k = kaleido.Kaleido(n=self.tabs, mathjax=False)
        await self.k.open()

    async def close(self) -> None:
        if self.k is not None:
            k, self.k = self.k, None
            await k.close()

    def summary(self) -> str:
        return f"{self.images + self.hits} diagram, {self.hits} ur cachen, {self.restarts} nya webbläsare"

    async def image(self, fig: dict, opts: dict, key: bytes | None = None) -> bytes:
        if (self.images + self.hits) % 100 == 99:  # the run ends with a SIGKILL: the log says it as it goes
            print(self.summary(), flush=True)
        if key is not None and key in self.cache:
            self.hits += 1
            self.cache[key] = self.cache.pop(key)  # most recently used last
            return self.cache[key]
        image = await self._draw(fig, opts)
        if key is not None:
            self.cache[key] = image
            if len(self.cache) > CACHE_SIZE:
                self.cache.pop(next(iter(self.cache)))
        return image

    async def _draw(self, fig: dict, opts: dict) -> bytes:
        async with self.lock:
            if self.images and self.images % CHECK_EVERY == 0 and _tree_mb(os.getpid()) > BROWSER_LIMIT_MB:
                t = time.perf_counter()
                await self.close()
                t_close = time.perf_counter() - t
                await self.open()
                self.restarts += 1
                print(f"ny webbläsare efter {self.images} diagram (nr {self.restarts}): stängd på {t_close:.1f} s, "
                      f"öppen på {time.perf_counter() - t - t_close:.1f} s", flush=True)
            self.images += 1
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return await self.k.calc_fig(fig, opts=opts)


async def _serve(path: str, tabs: int) -> None:
    from analysis.present.brand import use_brand_fonts_in_chromium
    from analysis.publish.kaleido_tabs import reuse_kaleido_tabs

    use_brand_fonts_in_chromium()
    reuse_kaleido_tabs()
    browser = _Browser(tabs)
    await browser.open()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    (size,) = struct.unpack(">I", await reader.readexactly(4))
                    raw = await reader.readexactly(size)
                    request = json.loads(raw)
                except asyncio.IncompleteReadError:
                    break
                try:
                    key = hashlib.sha256(raw).digest()
                    image, status = await browser.image(request["fig"], request["opts"], key), 0
                except Exception as exc:  # noqa: BLE001 - the kernel reports it in the report
                    image, status = (str(exc).splitlines() or [type(exc).__name__])[0].encode(), 1
                writer.write(bytes([status]) + _frame(image))
                await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_unix_server(handle, path)
    print("ready", flush=True)
    try:
        async with server:
            await server.serve_forever()
    finally:
        print(browser.summary(), flush=True)
        await browser.close()


class Client:
    """A kernel's connection to the image server (opened on first use, reopened after a failure)."""

    def __init__(self, path: str):
        self.path = path
        self.sock: socket.socket | None = None
        self.lock = threading.Lock()  # one request at a time on the connection (charts drawn ahead, or now)

    def _connect(self) -> socket.socket:
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.path)
                return s
            except OSError:
                s.close()
                failed = failure_file(self.path)
                if os.path.exists(failed):  # the server could not start (no Chrome, …): say why, at once
                    with open(failed, encoding="utf-8") as f:
                        raise RuntimeError(f.read().strip() or "bildservern kunde inte starta") from None
                if time.monotonic() > deadline:
                    raise RuntimeError("bildservern svarar inte") from None
                time.sleep(0.1)

    def _read(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise RuntimeError("bildservern stängde anslutningen")
            buf.extend(chunk)
        return bytes(buf)

    def image(self, fig_json: str, opts: dict) -> bytes:
        request = _frame(('{"fig": ' + fig_json + ', "opts": ' + json.dumps(opts) + "}").encode())
        with self.lock:
            return self._ask(request)

    def _ask(self, request: bytes) -> bytes:
        for attempt in (1, 2):
            try:
                if self.sock is None:
                    self.sock = self._connect()
                self.sock.sendall(request)
                status = self._read(1)[0]
                (size,) = struct.unpack(">I", self._read(4))
                payload = self._read(size)
                break
            except (OSError, RuntimeError):
                if self.sock is not None:
                    self.sock.close()
                self.sock = None
                if attempt == 2:
                    raise
        if status != 0:
            raise RuntimeError(payload.decode(errors="replace"))
        return payload


_client: Client | None = None


def client() -> Client | None:
    """The image server's client in this process, or None when no server is set (:data:`ENV`)."""
    global _client
    path = os.environ.get(ENV)
    if not path:
        return None
    if _client is None or _client.path != path:
        _client = Client(path)
    return _client


def failure_file(path: str) -> str:
    """Where a server that could not start writes why (read by :class:`Client`)."""
    return path + ".fel"


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - run as a process by the engine
    from analysis.orphans import die_with_parent

    die_with_parent()  # its run killed (even with kill -9): the server and its Chromium end too
    argv = sys.argv[1:] if argv is None else argv
    path, tabs = argv[0], int(argv[1]) if len(argv) > 1 else 1
    try:
        asyncio.run(_serve(path, tabs))
    except Exception as exc:  # noqa: BLE001 - the kernels report it in the reports instead of waiting
        with open(failure_file(path), "w", encoding="utf-8") as f:
            f.write((str(exc).splitlines() or [type(exc).__name__])[0])
        raise SystemExit(1) from exc


if __name__ == "__main__":  # pragma: no cover
    main()
