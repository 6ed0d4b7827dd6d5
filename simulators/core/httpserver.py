"""The HTTP server under every HTTP simulator and the admin API: cheroot, with the bench's guards.

cheroot (the CherryPy server) is a maintained, threaded HTTP/1.1 WSGI server: a fixed pool of worker
threads, idle keep-alive connections parked in a selector (they hold no thread), bounded request
lines and headers. On top of it this module adds what a bench facing hostile clients needs:

- the TLS handshake runs in a worker thread under a deadline, never in the accept loop (cheroot's own
  TLS adapter handshakes in its accept loop, where one silent client stalls every other one);
- one deadline per request for the request line and headers, then one for the body: a client that
  stalls, sends headers a byte at a time or promises more body than it sends is cut when the deadline
  passes (the read side is shut, so the worker thread is freed and may still answer);
- the body is read and de-chunked here, in bounded pieces, within `max_body_bytes`, before the app
  runs; a framing error (bad chunk size, short body, body over the limit, Content-Length together with
  chunked) is handed to the app in `environ[BODY_ERROR_KEY]` as (status, French message) so the
  service answers in its own protocol's shape (SOAP Fault, OperationOutcome, JSON problem...);
- `environ[SOCKET_KEY]` is the connection's socket, so the fault injector can drop a connection.
"""

from __future__ import annotations

import contextlib
import io
import logging
import select
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from cheroot import errors as cheroot_errors
from cheroot import wsgi as cheroot_wsgi
from cheroot.server import HTTPConnection, HTTPRequest
from cheroot.workers import threadpool
from simulators.core.balance import counted_close
from simulators.core.httpbody import FramingError, TimedReader, read_chunked, read_exact
from simulators.core.sockfile import SocketWriter, make_file

log = logging.getLogger("socle_bench.server")

BODY_ERROR_KEY = "socle.body_error"
SOCKET_KEY = "socle.socket"
_LINGER_S = 0.005  # how long a worker waits for the next request of its keep-alive connection
_MAX_SERVED_IN_A_ROW = 64  # then the connection goes back to the selector: no connection hogs a worker


@dataclass(frozen=True)
class HttpLimits:
    """Bounds every HTTP server of the bench applies (configuration table `[server]`)."""

    max_body_bytes: int = 50 * 1024 * 1024
    handshake_timeout_s: float = 10.0  # TLS handshake, from the first byte
    header_timeout_s: float = 10.0  # request line + headers, from when the request starts arriving
    body_timeout_s: float = 60.0  # the whole body, after the headers
    idle_timeout_s: float = 75.0  # keep-alive connection with no request (parked, holds no thread)
    threads: int = 48  # worker threads per server (a request waiting on an injected timeout holds one)
    max_header_bytes: int = 64 * 1024

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, max_body_bytes: int | None = None) -> HttpLimits:
        """From the `[server]` options (unknown keys are left to their owners); values are checked."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in options:
                value = options[f.name]
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                    raise ValueError(f"[server] {f.name} must be a positive number, got {value!r}")
                values[f.name] = int(value) if f.type in ("int", int) else float(value)
        if max_body_bytes is not None:
            values["max_body_bytes"] = int(max_body_bytes)
        return cls(**values)


class _Deadlines:
    """Cuts the read side of connections whose current phase (handshake, headers, body) overran.

    Arming and disarming are a dict store and pop on the request path; one thread per server checks
    four times a second. Shutting the read side wakes a worker blocked in recv (it sees end of
    stream) and leaves the write side open for an answer."""

    PERIOD_S = 0.25

    def __init__(self, name: str) -> None:
        self._armed: dict[int, tuple[float, Any]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"deadlines-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def arm(self, conn: Any, seconds: float) -> None:
        conn.deadline_passed = False
        self._armed[id(conn)] = (time.monotonic() + seconds, conn)

    def disarm(self, conn: Any) -> None:
        self._armed.pop(id(conn), None)

    def _run(self) -> None:
        while not self._stop.wait(self.PERIOD_S):
            now = time.monotonic()
            for key, (deadline, conn) in list(self._armed.items()):
                if deadline <= now and self._armed.pop(key, None) is not None:
                    conn.deadline_passed = True
                    # the plain socket's method: an SSLSocket's would drop its TLS object under the reader
                    with contextlib.suppress(OSError):
                        socket.socket.shutdown(conn.socket, socket.SHUT_RD)


class _DeferredTls:
    """cheroot SSL adapter that only wraps at accept time; `_Connection` handshakes in its worker."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context

    def bind(self, sock: socket.socket) -> socket.socket:
        return sock

    def wrap(self, sock: socket.socket) -> tuple[ssl.SSLSocket, dict]:
        try:
            return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), {}
        except OSError as exc:
            raise cheroot_errors.FatalSSLAlert(*exc.args) from exc

    def makefile(self, sock: socket.socket, mode: str = "r", bufsize: int = io.DEFAULT_BUFFER_SIZE) -> Any:
        return make_file(sock, mode, bufsize)


def _tls_environ(sock: ssl.SSLSocket) -> dict[str, str]:
    """What the apps read of the TLS layer, computed once per connection."""
    cipher = sock.cipher() or ("", "", 0)
    env = {"wsgi.url_scheme": "https", "HTTPS": "on", "SSL_PROTOCOL": cipher[1] or "", "SSL_CIPHER": cipher[0] or "",
           "SSL_CLIENT_VERIFY": "NONE"}
    der = sock.getpeercert(binary_form=True)
    if der:
        env["SSL_CLIENT_VERIFY"] = "SUCCESS"  # the context verified it (chain, and CRL when configured)
        env["SSL_CLIENT_CERT"] = ssl.DER_cert_to_PEM_cert(der).strip()
    return env


class _Connection(HTTPConnection):
    deadline_passed = False
    RequestHandlerClass = None  # set below, once `_Request` exists

    def __init__(self, server: Any, sock: Any, makefile: Any = make_file) -> None:
        # the bench's socket files whatever cheroot passes (its own are built on the pure-Python io)
        super().__init__(server, sock, make_file)
        self.tls_pending = isinstance(sock, ssl.SSLSocket)

    def close(self) -> None:
        counted_close(self)  # the balanced count of `serve --workers` (balance.py), when it was counted
        super().close()

    def communicate(self) -> bool:
        deadlines: _Deadlines = self.server.deadlines
        limits: HttpLimits = self.server.limits
        if self.tls_pending and not self._handshake(deadlines, limits.handshake_timeout_s):
            return False
        for _ in range(_MAX_SERVED_IN_A_ROW):
            deadlines.arm(self, limits.header_timeout_s)
            try:
                if not super().communicate():
                    return False
            except (ssl.SSLError, OSError) as exc:  # answering a client that was cut or went away
                log.debug("connection ended: %s", exc)
                return False
            finally:
                deadlines.disarm(self)
            if not self._next_request_soon():
                break
        return True

    def _next_request_soon(self) -> bool:
        """A keep-alive client usually sends its next request at once: serving it in this thread
        saves the round trip through the selector and the pool's queue (two thread switches)."""
        sock = self.socket
        if self.rfile.has_data() or (isinstance(sock, ssl.SSLSocket) and sock.pending()):
            return True
        try:
            readable, _, _ = select.select([sock], [], [], _LINGER_S)
        except (OSError, ValueError):
            return False
        return bool(readable)

    def _handshake(self, deadlines: _Deadlines, timeout_s: float) -> bool:
        deadlines.arm(self, timeout_s)
        try:
            self.socket.do_handshake()
        except (ssl.SSLError, OSError) as exc:  # refused certificate, plain HTTP, reset, stalled: the client's
            log.debug("TLS handshake failed: %s", exc)
            return False
        finally:
            deadlines.disarm(self)
        self.tls_pending = False
        self.ssl_env = _tls_environ(self.socket)
        return True


# An over-limit body announced by Content-Length is answered 413 at once; the client is usually still
# sending it, and a close in the middle of its upload makes it see a reset instead of the answer. So the
# rest is read and discarded (lingering close, RFC 9112 §9.6), within a bound in bytes and time.
DRAIN_MAX_BYTES = 16 * 1024 * 1024
DRAIN_MAX_S = 2.0


class _Request(HTTPRequest):
    body_error: tuple[int, str] | None = None
    unread: int = 0  # bytes of an over-limit body still on the wire after the 413

    def respond(self) -> None:
        limits: HttpLimits = self.server.limits
        deadline = time.monotonic() + limits.body_timeout_s
        # the timed reader answers 408 at the deadline; the watchdog cuts whoever still trickles past it
        self.server.deadlines.arm(self.conn, limits.body_timeout_s + 1.0)
        reader = TimedReader(self.conn.rfile, self.conn.socket, deadline)
        try:
            body = self._read_body(reader, limits.max_body_bytes)
        except FramingError as exc:
            body = b""
            self.body_error = (exc.status, exc.message)
            self.close_connection = True  # what is left on the wire is not a request
        except (OSError, ValueError) as exc:
            log.debug("request body not read: %s", exc)
            self.close_connection = True
            return
        finally:
            self.server.deadlines.disarm(self.conn)
            reader.restore(limits.idle_timeout_s)
        self.rfile = io.BytesIO(body)
        self.inheaders[b"Content-Length"] = str(len(body)).encode("ascii")
        self.chunked_read = False
        wfile = self.conn.wfile
        corked = isinstance(wfile, SocketWriter)
        if corked:
            wfile.cork()  # the status line, the headers and the body leave in one send
        aborted = False
        try:
            try:
                self.server.gateway(self).respond()
            except ConnectionAbortedError:  # the fault injector dropped the connection
                aborted = self.close_connection = True
                return
            if self.ready:
                self.ensure_headers_sent()
            if self.chunked_write:
                wfile.write(b"0\r\n\r\n")
        finally:
            if corked and aborted:
                wfile.discard()  # a dropped connection answers nothing
            elif corked:
                wfile.uncork()
        self._drain()

    def _read_body(self, rfile: TimedReader, limit: int) -> bytes:
        if self.chunked_read:
            if b"Content-Length" in self.inheaders:
                raise FramingError(400, "Content-Length et Transfer-Encoding: chunked ensemble : requête ambiguë")
            return read_chunked(rfile, limit)
        raw = self.inheaders.get(b"Content-Length")
        if raw is None:
            return b""
        raw = raw.strip()
        if not raw.isdigit():
            raise FramingError(400, "en-tête Content-Length invalide")
        length = int(raw)
        if length > limit:
            self.unread = length
            raise FramingError(413, f"requête trop volumineuse (limite {limit} octets)")
        return read_exact(rfile, length)

    def _drain(self) -> None:
        """Discard what the client still sends of a refused body, so it reads the answer (bounded)."""
        if not self.unread or self.unread > DRAIN_MAX_BYTES:
            return
        try:
            self.conn.wfile.flush()
            reader = TimedReader(self.conn.rfile, self.conn.socket, time.monotonic() + DRAIN_MAX_S)
            left = self.unread
            while left > 0:
                chunk = reader.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
        except (OSError, FramingError):
            pass


_Connection.RequestHandlerClass = _Request  # type: ignore[assignment]  # cheroot's stub types this attribute None


class _Gateway(cheroot_wsgi.Gateway_10):
    def get_environ(self) -> dict:  # type: ignore[override]  # cheroot's stub says None; it returns the environ
        env = super().get_environ()
        req = self.req
        env[SOCKET_KEY] = req.conn.socket
        if req.body_error is not None:
            env[BODY_ERROR_KEY] = req.body_error
        return env


class _ThreadPool(threadpool.ThreadPool):
    """cheroot's pool, without waiting for its new threads to run: cheroot polls each one's `ready` flag
    every 100 ms, which cost `serve` a tenth of a second per server at start (seven servers: 0.7 s of
    sleeping). A thread that is started but not yet running loses nothing: connections wait in the pool's
    queue until a thread takes them."""

    def grow(self, amount: int) -> None:
        threads: list = self._threads  # type: ignore[attr-defined]  # cheroot's own state; its stub omits it
        spawn = self._spawn_worker  # type: ignore[attr-defined]  # idem
        threads.extend(spawn() for _ in range(min(amount, max(self.max - len(threads), 0))))


class BenchHttpServer(cheroot_wsgi.Server):
    """cheroot's WSGI server with the bench's connection, request and gateway classes."""

    ConnectionClass = _Connection

    def __init__(self, app: Any, host: str, port: int, tls: ssl.SSLContext | None, limits: HttpLimits,
                 name: str) -> None:
        super().__init__((host, port), app, numthreads=limits.threads, server_name=f"socle-bench {name}".strip(),
                         request_queue_size=256, timeout=limits.idle_timeout_s,  # type: ignore[arg-type]  # stub says int; socket.settimeout takes a float
                         shutdown_timeout=2)
        self.requests.__class__ = _ThreadPool  # same state, quicker start (see _ThreadPool)
        self.gateway = _Gateway
        self.limits = limits
        self.deadlines = _Deadlines(name or str(port))
        self.max_request_header_size = limits.max_header_bytes
        self.max_request_body_size = 0  # the body is read by `_Request`, which answers in the app's shape
        self.keep_alive_conn_limit = 4096
        self.ssl_adapter = _DeferredTls(tls) if tls is not None else None
        self._stopped = False

    def prepare(self) -> None:
        super().prepare()
        self.deadlines.start()

    def error_log(self, msg: str = "", level: int = 20, traceback: bool = False) -> None:
        log.log(logging.DEBUG if level < logging.ERROR else logging.WARNING, "%s", msg, exc_info=traceback)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.deadlines.stop()
        super().stop()


def build_server(app: Any, host: str, port: int, tls: ssl.SSLContext | None, limits: HttpLimits,
                 *, name: str = "") -> BenchHttpServer:
    """Build and bind (the port is known on return; `serve()` then runs the accept loop)."""
    server = BenchHttpServer(app, host, port, tls, limits, name)
    server.prepare()
    return server
