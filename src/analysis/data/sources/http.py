"""HTTP for the open-data APIs: retries with back-off (tenacity), Retry-After on 429, a call-rate limit,
an optional on-disk HTTP cache (requests-cache) and errors that name the source.

Every response is returned with its exact bytes so it can be kept as a raw snapshot.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urljoin

import requests
import tenacity

from analysis.errors import AnalysisError

USER_AGENT = "integrationsuppfoljning/0.1 (+https://github.com/; analysis fetch)"
#: Never wait longer than this for one Retry-After, whatever the server asks.
MAX_RETRY_AFTER = 120.0


class FetchError(AnalysisError):
    """A source answered with something we cannot use (bad status, malformed JSON, changed schema)."""

    def __init__(self, source: str, message: str, url: str | None = None):
        self.source = source
        self.url = url
        super().__init__(f"{source}: {message}" + (f" ({url})" if url else ""))


class SourceUnavailable(FetchError):
    """The source could not be reached (network down, timeouts, throttled or 5xx after every retry)."""


class SchemaChanged(FetchError):
    """A response lacks a field we rely on: the API changed, so nothing from it is used."""

    def __init__(self, source: str, field: str, url: str | None = None, detail: str = ""):
        self.field = field
        super().__init__(
            source,
            f"svaret saknar fältet '{field}'{detail} — API:ets format har ändrats; inget av svaret används",
            url,
        )


class _Transient(Exception):
    """A failure worth retrying; ``wait`` is the server's Retry-After in seconds, if it gave one."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.wait = wait


@dataclass
class Response:
    url: str
    method: str
    query: dict | None
    content: bytes
    data: Any
    retrieved: str
    from_cache: bool = False


@dataclass
class RateLimiter:
    """At most ``max_calls`` calls in any ``window`` seconds (sliding window)."""

    max_calls: int
    window: float
    sleep: Callable[[float], None] = time.sleep
    _calls: deque = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self) -> None:
        if self.max_calls <= 0 or self.window <= 0:
            return
        with self._lock:
            now = time.monotonic()
            while self._calls and now - self._calls[0] >= self.window:
                self._calls.popleft()
            if len(self._calls) >= self.max_calls:
                self.sleep(self.window - (now - self._calls[0]))
                self._calls.popleft()
            self._calls.append(time.monotonic())


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def make_session(cache_path: Path | None, expire_hours: float = 24) -> requests.Session:
    """A plain session, or a requests-cache session storing responses in ``cache_path`` (SQLite)."""
    if cache_path is None:
        session = requests.Session()
    else:
        from requests_cache import CachedSession

        cache_path.parent.mkdir(parents=True, exist_ok=True)
        session = CachedSession(
            str(cache_path),
            backend="sqlite",
            expire_after=timedelta(hours=expire_hours),
            allowable_methods=("GET", "POST"),
            allowable_codes=(200,),
        )
    session.headers["User-Agent"] = USER_AGENT
    return session


class ApiClient:
    """JSON over HTTP for one source, with retries, back-off and rate limiting."""

    def __init__(
        self,
        source: str,
        base_url: str,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        limiter: RateLimiter | None = None,
        cache_path: Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
    ):
        self.source = source
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.limiter = limiter
        self.session = make_session(cache_path)
        self.sleep = sleep
        self.on_wait = on_wait
        self.calls = 0

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else urljoin(self.base_url, path.lstrip("/"))

    def get(self, path: str, params: dict | None = None) -> Response:
        return self._request("GET", self.url(path), params=params)

    def post(self, path: str, body: dict, params: dict | None = None) -> Response:
        return self._request("POST", self.url(path), params=params, body=body)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = getattr(exc, "wait", None)
        if asked is not None:
            return min(asked, MAX_RETRY_AFTER)
        return min(self.backoff * 2 ** (state.attempt_number - 1), 30.0)

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        if self.on_wait and state.outcome is not None and state.next_action is not None:
            exc = state.outcome.exception()
            self.on_wait(f"{self.source}: {exc}; nytt försök om {state.next_action.sleep:.1f} s")

    def _request(self, method: str, url: str, params: dict | None, body: dict | None = None) -> Response:
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Transient),
            wait=self._wait,
            stop=tenacity.stop_after_attempt(self.retries + 1),
            sleep=self.sleep,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            http = retrying(self._send, method, url, params, body)
        except _Transient as exc:
            raise SourceUnavailable(
                self.source, f"kunde inte hämtas efter {self.retries + 1} försök: {exc}", url
            ) from None
        try:
            data = json.loads(http.content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FetchError(self.source, f"svaret är inte giltig JSON ({exc})", http.url) from None
        from_cache = bool(getattr(http, "from_cache", False))
        created = getattr(http, "created_at", None) if from_cache else None
        retrieved = (created or datetime.now(timezone.utc)).astimezone(timezone.utc)
        return Response(
            url=http.url,
            method=method,
            query=body,
            content=http.content,
            data=data,
            retrieved=retrieved.isoformat(timespec="seconds"),
            from_cache=from_cache,
        )

    def _send(self, method: str, url: str, params: dict | None, body: dict | None) -> requests.Response:
        if self.limiter is not None:
            self.limiter.wait()
        self.calls += 1
        try:
            http = self.session.request(method, url, params=params, json=body, timeout=self.timeout)
        except requests.Timeout:
            raise _Transient(f"inget svar inom {self.timeout:g} s") from None
        except requests.ConnectionError as exc:
            raise _Transient(f"ingen förbindelse ({type(exc).__name__})") from None
        if http.status_code == 429:
            raise _Transient("för många anrop (HTTP 429)", retry_after_seconds(http.headers.get("Retry-After")))
        if http.status_code >= 500:
            raise _Transient(f"serverfel HTTP {http.status_code}", retry_after_seconds(http.headers.get("Retry-After")))
        if http.status_code >= 400:
            raise FetchError(self.source, f"HTTP {http.status_code}: {_problem(http)}", http.url)
        return http


def _problem(http: requests.Response) -> str:
    """The human part of an error response (RFC 7807 problem+json where the API sends one)."""
    try:
        body = http.json()
    except ValueError:
        return (http.text or http.reason or "").strip()[:200]
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("title", "detail", "message", "error") if body.get(k)]
        if parts:
            return " – ".join(parts)
    return str(body)[:200]
