"""The journaling WSGI middleware every HTTP simulator sits behind.

It selects the session from the `/s/<session>/` prefix, reads the request body within the size
limit, identifies the caller (TLS client certificate by default), lets the view decide and render
protocol faults, applies latency / dropped connection / timeout faults, turns any unexpected
exception into the service's own error shape, and records one `Exchange` per request.

Views reach the per-request `RequestContext` with `request_context(environ)` (Flask:
`request_context(flask.request.environ)`).
"""

from __future__ import annotations

import io
import json
import logging
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .exchange import Caller, Exchange
from .faults import NO_FAULT, FaultDecision, FaultEngine
from .httpserver import BODY_ERROR_KEY, SOCKET_KEY
from .journal import Journal
from .refusal import mark_injected, record_refusal
from .sessions import DEFAULT_SESSION, SessionError, SessionRegistry
import contextlib

log = logging.getLogger("socle_bench.service")

ENVIRON_KEY = "socle.ctx"
Identify = Callable[[dict], Caller | None]
# (status, French message, context) -> (status line int, headers, body)
ErrorRenderer = Callable[[int, str, "RequestContext | None"], tuple[int, list[tuple[str, str]], bytes]]

_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout", 409: "Conflict",
            413: "Payload Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Entity",
            500: "Internal Server Error", 503: "Service Unavailable"}


def plain_error(status: int, message: str, _ctx: RequestContext | None) -> tuple[int, list[tuple[str, str]], bytes]:
    return status, [("Content-Type", "text/plain; charset=utf-8")], message.encode("utf-8")


_OAUTH_ERRORS = {401: "invalid_client", 404: "invalid_request", 405: "invalid_request", 413: "invalid_request",
                 500: "server_error", 503: "temporarily_unavailable"}


def oauth_error(status: int, message: str, _ctx: RequestContext | None) -> tuple[int, list[tuple[str, str]], bytes]:
    """RFC 6749 §5.2 error body, for token endpoints."""
    body = {"error": _OAUTH_ERRORS.get(status, "invalid_request"), "error_description": message}
    return status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")], \
        json.dumps(body, ensure_ascii=False).encode("utf-8")


@dataclass
class RequestContext:
    session: str
    service: str
    caller: Caller
    faults: FaultEngine
    body: bytes = b""
    operation: str = "unknown"
    summary: dict[str, Any] = field(default_factory=dict)
    decision: FaultDecision | None = None
    fault_rendered: bool = False
    base_path: str = ""  # SCRIPT_NAME including the session prefix, for links the service builds
    decoded: dict[str, Any] = field(default_factory=dict)  # handed to `Exchange.decoded` (memory only)

    def fault(self, operation: str | None = None) -> FaultDecision:
        """Decide once the fault for this request. The view renders `error`/`fault` actions itself
        (and sets `fault_rendered`); latency, drop and timeout are applied by the middleware."""
        if operation:
            self.operation = operation
        if self.decision is None:
            self.decision = self.faults.decide(self.session, self.service, self.operation)
        return self.decision


def request_context(environ: dict) -> RequestContext:
    return environ[ENVIRON_KEY]


class ServiceMiddleware:
    def __init__(self, app, *, service: str, journal: Journal, sessions: SessionRegistry,
                 faults: FaultEngine, identify: Identify | None = None,
                 render_error: ErrorRenderer = plain_error, max_body_bytes: int = 50 * 1024 * 1024,
                 protocol: str = "http") -> None:
        self.app = app
        self.service = service
        self.journal = journal
        self.sessions = sessions
        self.faults = faults
        self.identify = identify
        self.render_error = render_error
        self.max_body_bytes = max_body_bytes
        self.protocol = protocol

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        started = time.time()
        t0 = time.perf_counter()
        session_name, path = split_session_prefix(environ.get("PATH_INFO", "") or "/")
        caller = self._identify(environ)
        ctx = RequestContext(session=DEFAULT_SESSION, service=self.service, caller=caller, faults=self.faults)
        exchange = Exchange(session=DEFAULT_SESSION, service=self.service, operation="unknown",
                            started_at=started, protocol=self.protocol, caller=caller,
                            method=environ.get("REQUEST_METHOD", ""), path=_full_path(environ),
                            request_headers=_request_headers(environ))
        try:
            ctx.session = self.sessions.resolve(session_name)
        except SessionError as exc:
            record_refusal(ctx.summary, "core.session_unknown", str(exc))
            return self._finish(environ, start_response, exchange, ctx, t0,
                                self.render_error(404, str(exc), None))
        exchange.session = ctx.session
        if caller.attributes.get("revoked"):
            return self._finish(environ, start_response, exchange, ctx, t0, self.render_error(
                403, f"certificat client révoqué : {caller.subject}", ctx))
        framing = environ.get(BODY_ERROR_KEY)
        if framing is not None:  # the server could not read the body: bad chunking, over the limit, stalled
            status, message = framing  # (status, French message), see httpserver
            return self._finish(environ, start_response, exchange, ctx, t0, self.render_error(status, message, ctx))
        body, too_large = _read_body(environ, self.max_body_bytes)
        exchange.request_body = body
        ctx.body = body
        if too_large:
            record_refusal(ctx.summary, "core.too_large", "requête trop volumineuse",
                           expected=f"au plus {self.max_body_bytes} octets", got="davantage")
            return self._finish(environ, start_response, exchange, ctx, t0, self.render_error(
                413, f"requête trop volumineuse (limite {self.max_body_bytes} octets)", ctx))
        if session_name is not None:
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + f"/s/{session_name}"
            environ["PATH_INFO"] = path
        ctx.base_path = environ.get("SCRIPT_NAME", "")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ[ENVIRON_KEY] = ctx
        try:
            response = _call_app(self.app, environ)
        except Exception as exc:  # never a stack trace to the client
            log.exception("%s: unhandled error", self.service)
            ctx.summary.setdefault("bench_error", repr(exc))
            ctx.summary.pop("refusal", None)  # whatever was recorded, the bench failed: not the DUI's fault
            record_refusal(ctx.summary, "core.internal", "erreur interne du simulateur", origin="bench")
            response = self.render_error(500, "erreur interne du simulateur", ctx)
        decision = ctx.decision if ctx.decision is not None else ctx.fault()
        if decision.action in ("error", "fault") and not ctx.fault_rendered:
            response = self.render_error(503 if decision.action == "error" else 500,
                                         f"défaut injecté: {decision.label}", ctx)
        if decision.action in ("error", "fault"):
            mark_injected(ctx.summary, decision.label)
        return self._finish(environ, start_response, exchange, ctx, t0, response, decision)

    def _identify(self, environ: dict) -> Caller:
        if self.identify is None:
            return Caller()
        try:
            return self.identify(environ) or Caller()
        except Exception:  # a certificate we cannot read is an anonymous caller, not a crash
            log.debug("cannot identify caller", exc_info=True)
            return Caller()

    def _finish(self, environ, start_response, exchange: Exchange, ctx: RequestContext, t0: float,
                response: tuple[int, list[tuple[str, str]], bytes],
                decision: FaultDecision = NO_FAULT) -> Iterable[bytes]:
        status, headers, body = response
        if decision.latency_s:
            self.faults.sleep(decision.latency_s)
        drop = decision.action in ("drop", "timeout")
        if decision.action == "timeout":
            self.faults.sleep(decision.timeout_s)
        exchange.operation = ctx.operation
        exchange.caller = ctx.caller
        exchange.summary = ctx.summary
        if ctx.decoded:
            exchange.decoded.update(ctx.decoded)
        exchange.fault = decision.label
        exchange.status = 0 if drop else status
        exchange.response_headers = {} if drop else dict(headers)
        exchange.response_body = b"" if drop else body
        exchange.duration_ms = (time.perf_counter() - t0) * 1000.0
        self.journal.record(exchange)
        if drop:
            _drop_connection(environ)
            raise ConnectionAbortedError("connection dropped by fault injection")
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(f"{status} {_REASONS.get(status, 'Status')}", headers)
        return [body]


def split_session_prefix(path: str) -> tuple[str | None, str]:
    """`/s/<session>/rest` -> (session, `/rest`); anything else -> (None, path)."""
    if path.startswith("/s/"):
        rest = path[3:]
        name, sep, tail = rest.partition("/")
        return name, "/" + tail if sep else "/"
    return None, path


def _full_path(environ: dict) -> str:
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def _request_headers(environ: dict) -> dict[str, str]:
    headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["Content-Length"] = environ["CONTENT_LENGTH"]
    return headers


def _read_body(environ: dict, limit: int) -> tuple[bytes, bool]:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b"", False
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        length = -1
    if length > limit:
        return b"", True
    if length >= 0:
        data = stream.read(length) if length else b""
    elif environ.get("wsgi.input_terminated"):
        data = stream.read(limit + 1)
    else:
        data = b""
    return (data[:limit], True) if len(data) > limit else (data, False)


def _call_app(app, environ: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
        captured["status"] = int(status.split(" ", 1)[0])
        captured["headers"] = list(headers)
        return lambda data: captured.setdefault("written", []).append(data)

    result = app(environ, start_response)
    try:
        chunks = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    body = b"".join(captured.get("written", [])) + chunks
    return captured["status"], captured["headers"], body


def _drop_connection(environ: dict) -> None:
    sock = environ.get(SOCKET_KEY)
    if sock is None:
        return
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
