"""Server lifecycle shared by the CLI, pytest fixtures, locust and the dashboard.

`WsgiServer` runs a WSGI app on a threaded HTTP/1.1 server (keep-alive) with optional TLS. The TLS
handshake happens in the connection's own thread with a timeout, never in the accept loop, so a
client that connects and stays silent cannot stall the server.
"""

from __future__ import annotations

import io
import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

log = logging.getLogger("socle_bench.server")

HANDSHAKE_TIMEOUT_S = 10.0
MAX_BUFFERED_BODY = 64 * 1024 * 1024  # read up front (then keep-alive); larger bodies close the connection
IDLE_TIMEOUT_S = 75.0


@dataclass(frozen=True)
class Endpoint:
    """One line of the `serve` table: what a DUI must be configured with."""

    service: str
    url: str
    configure: str  # French hint shown to the vendor


class Lifecycle(Protocol):
    name: str

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def endpoints(self) -> list[Endpoint]: ...


class _QuietHandler(WSGIRequestHandler):
    timeout = IDLE_TIMEOUT_S
    disable_nagle_algorithm = True  # headers and body are written separately: no 40 ms ACK stalls

    def setup(self) -> None:
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.settimeout(HANDSHAKE_TIMEOUT_S)
            self.connection.do_handshake()
            self.connection.settimeout(self.timeout)

    def handle(self) -> None:
        try:
            super().handle()
        except (ssl.SSLError, OSError) as exc:  # refused certificates, resets: the client's problem
            log.debug("connection ended: %s", exc)

    def run_wsgi(self) -> None:
        """Serve one request with HTTP/1.1 keep-alive.

        werkzeug's own `run_wsgi` always closes the connection and then drains the socket (which would
        swallow the next request), so every call would pay a new mutual-TLS handshake. Here the
        connection stays open when the response has a length and the request body was read to its end
        (bodies up to MAX_BUFFERED_BODY are read up front, whatever the app reads); streamed responses
        (server-sent events) close the connection when they end.
        """
        if self.headers.get("Expect", "").lower().strip() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        body_read = _buffer_body(environ)
        response: dict = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):  # noqa: ANN001, ANN202
            if exc_info and response.get("sent"):
                raise exc_info[1].with_traceback(exc_info[2])
            response["status"], response["headers"] = status, headers
            return write

        def send_head() -> None:
            code, _, reason = response["status"].partition(" ")
            headers = response["headers"]
            names = {k.lower() for k, _ in headers}
            framed = ("content-length" in names or environ["REQUEST_METHOD"] == "HEAD"
                      or code in ("204", "304"))
            self.send_response(int(code), reason)
            for key, value in headers:
                self.send_header(key, value)
            if not (framed and body_read) or self.close_connection:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            response["sent"] = True

        def write(data: bytes) -> None:
            if not response.get("sent"):
                send_head()
            if data:
                self.wfile.write(data)

        try:
            result = self.server.app(environ, start_response)
            try:
                for chunk in result:
                    write(chunk)
                if not response.get("sent"):
                    send_head()
            finally:
                if hasattr(result, "close"):
                    result.close()
        except (ConnectionError, TimeoutError) as exc:
            self.close_connection = True
            log.debug("connection dropped: %s", exc)
        except Exception:
            self.close_connection = True
            log.exception("unhandled error serving %s", environ.get("PATH_INFO"))
            if not response.get("sent"):
                response["status"], response["headers"] = "500 Internal Server Error", [
                    ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "0")]
                try:
                    send_head()
                except OSError:
                    pass

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log_error(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.debug(format, *args)


class _Server(ThreadedWSGIServer):
    request_queue_size = 256

    def __init__(self, host: str, port: int, app, tls: ssl.SSLContext | None) -> None:  # noqa: ANN001
        super().__init__(host, port, app, handler=_QuietHandler)
        self.ssl_context = tls  # werkzeug reads it for wsgi.url_scheme; we wrap per connection

    def get_request(self):  # noqa: ANN201 - socketserver signature
        sock, addr = self.socket.accept()
        if self.ssl_context is not None:
            sock.settimeout(HANDSHAKE_TIMEOUT_S)
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        log.debug("error on connection from %s", client_address, exc_info=True)

    def log_startup(self) -> None:
        pass


def _buffer_body(environ: dict) -> bool:
    """Read the request body into memory when it is bounded; True when nothing is left unread."""
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):  # chunked: werkzeug de-chunks, the end is known
        data = stream.read(MAX_BUFFERED_BODY + 1)
        if len(data) > MAX_BUFFERED_BODY:
            environ["wsgi.input"] = io.BufferedReader(_Prefixed(data, stream))
            return False
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        return True
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    if length < 0 or length > MAX_BUFFERED_BODY:
        return False
    data = stream.read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(data)
    return len(data) == length


class _Prefixed(io.RawIOBase):
    """Bytes already read, then the rest of the stream (a chunked body over the buffering limit)."""

    def __init__(self, head: bytes, rest) -> None:  # noqa: ANN001
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


class WsgiServer:
    """Lifecycle of one WSGI app on one port (0 = ephemeral, resolved at construction)."""

    def __init__(self, app, *, name: str = "", host: str = "127.0.0.1", port: int = 0,  # noqa: ANN001
                 ssl_context: ssl.SSLContext | None = None, configure: str = "",
                 path: str = "") -> None:
        self.name = name
        self.app = app
        self.host = host
        self.ssl_context = ssl_context
        self.configure = configure
        self.path = path
        self._server = _Server(host, port, app, ssl_context)
        self.port: int = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.ssl_context is not None else "http"

    @property
    def url(self) -> str:
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::") else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def start(self, ready_timeout: float = 5.0) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"server-{self.name or self.port}", daemon=True)
        self._thread.start()
        wait_for_port(self.host, self.port, ready_timeout)

    def stop(self) -> None:
        if self._thread is None:
            self._server.server_close()
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._thread = None

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint(self.name, self.url + self.path, self.configure)]

    def __enter__(self) -> "WsgiServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_for_port(host: str, port: int, timeout: float = 5.0) -> None:
    """Block until a TCP connect succeeds (the server is accepting) or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    target = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)
    while True:
        try:
            with socket.create_connection((target, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{target}:{port} not ready after {timeout}s") from None
            time.sleep(0.02)
