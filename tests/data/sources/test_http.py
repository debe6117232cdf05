"""The HTTP layer against a real server on 127.0.0.1 (pytest-httpserver)."""

import time

import pytest
from werkzeug import Response

from analysis.data.sources.http import (
    ApiClient,
    FetchError,
    RateLimiter,
    SourceUnavailable,
    retry_after_seconds,
)


@pytest.fixture()
def waits():
    return []


def client(httpserver, waits, **kw):
    kw.setdefault("retries", 3)
    return ApiClient("Testkälla", httpserver.url_for("/api"), sleep=waits.append, **kw)


def test_429_waits_as_long_as_retry_after_says(httpserver, waits):
    httpserver.expect_ordered_request("/api/x").respond_with_data("", status=429, headers={"Retry-After": "7"})
    body = '{"ok":  1, "namn": "Sölvesborg"}'.encode()
    httpserver.expect_ordered_request("/api/x").respond_with_data(body, content_type="application/json")
    resp = client(httpserver, waits).get("x")
    assert resp.data == {"ok": 1, "namn": "Sölvesborg"}
    assert waits == [7.0]
    assert resp.content == body  # the exact bytes are kept for the snapshot


def test_5xx_then_success_backs_off_and_returns_the_answer(httpserver, waits):
    httpserver.expect_ordered_request("/api/x").respond_with_data("fel", status=503)
    httpserver.expect_ordered_request("/api/x").respond_with_data("fel", status=500)
    httpserver.expect_ordered_request("/api/x").respond_with_json({"values": []})
    api = client(httpserver, waits, backoff=0.5)
    assert api.get("x").data == {"values": []}
    assert waits == [0.5, 1.0]  # exponential back-off
    assert api.calls == 3


def test_persistent_5xx_gives_source_unavailable_naming_the_source(httpserver, waits):
    httpserver.expect_request("/api/x").respond_with_data("fel", status=502)
    with pytest.raises(SourceUnavailable, match=r"Testkälla: kunde inte hämtas efter 3 försök: serverfel HTTP 502"):
        client(httpserver, waits, retries=2).get("x")


def test_timeout_is_retried_then_reported(httpserver, waits):
    def slow(request):
        time.sleep(0.6)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/api/slow").respond_with_handler(slow)
    api = client(httpserver, waits, timeout=0.2, retries=1)
    with pytest.raises(SourceUnavailable, match=r"inget svar inom 0.2 s"):
        api.get("slow")
    assert api.calls == 2


def test_malformed_json_is_a_clear_error_not_retried(httpserver, waits):
    httpserver.expect_request("/api/x").respond_with_data('{"values": [', content_type="application/json")
    api = client(httpserver, waits)
    with pytest.raises(FetchError, match=r"Testkälla: svaret är inte giltig JSON") as exc:
        api.get("x")
    assert not isinstance(exc.value, SourceUnavailable)
    assert api.calls == 1


def test_client_error_shows_the_problem_details(httpserver, waits):
    httpserver.expect_request("/api/tables/TAB0/data").respond_with_json(
        {"type": "x", "title": "Bad request", "status": 400, "detail": "Okänd variabel Foo"}, status=400
    )
    with pytest.raises(FetchError, match="HTTP 400: Bad request – Okänd variabel Foo"):
        client(httpserver, waits).post("tables/TAB0/data", {"selection": []})


def test_http_cache_answers_a_repeated_request(httpserver, waits, tmp_path):
    httpserver.expect_oneshot_request("/api/x").respond_with_json({"n": 1})
    api = client(httpserver, waits, cache_path=tmp_path / "http.sqlite")
    first, second = api.get("x"), api.get("x")
    assert first.data == second.data == {"n": 1}
    assert not first.from_cache and second.from_cache


def test_retry_after_as_http_date_and_garbage():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("soon") is None


def test_rate_limiter_waits_when_the_window_is_full():
    slept = []
    limiter = RateLimiter(max_calls=3, window=10.0, sleep=slept.append)
    for _ in range(4):
        limiter.wait()
    assert len(slept) == 1 and 9.0 < slept[0] <= 10.0
