"""The benchmark's load client replays prepared requests in order and stops when they run out."""

from __future__ import annotations

import functools
import threading

from loadtests.common import http_load
from simulators.core.lifecycle import WsgiServer

PREPARED = [(f"/r/{n}?q={n}", {"X-N": str(n)}, f"body-{n}".encode()) for n in range(5)]


def _prepared(requests: list, n: int):
    return requests[n] if n < len(requests) else None


def test_prepared_requests_are_sent_once_each_then_the_run_ends() -> None:
    seen: list[tuple[str, str, bytes]] = []
    lock = threading.Lock()

    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with lock:
            seen.append((environ["PATH_INFO"] + "?" + environ["QUERY_STRING"], environ.get("HTTP_X_N", ""), body))
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    with WsgiServer(app, name="echo") as server:
        result = http_load(f"http://127.0.0.1:{server.port}/", threads=2, duration_s=30,
                           request_factory=functools.partial(_prepared, PREPARED))
    assert result.requests == 5 and result.errors == 0  # ended long before 30 s: the requests ran out
    assert sorted(seen) == sorted((path, headers["X-N"], body) for path, headers, body in PREPARED)
