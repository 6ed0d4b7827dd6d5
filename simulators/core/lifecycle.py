"""Server lifecycle shared by the CLI, pytest fixtures, locust and the dashboard.

`WsgiServer` runs a WSGI app on cheroot, a production threaded HTTP/1.1 server (keep-alive; idle
keep-alive connections wait in a selector, not in a worker thread), with optional TLS. The bench adds
what a test bench facing hostile or clumsy clients needs on top of it (see `httpserver`): the TLS
handshake in a worker thread under a deadline (never in the accept loop), a whole-request deadline
for headers and body (a client that stalls or lies about Content-Length is cut after a bounded,
configurable time), the request body read and de-chunked by the server within the body limit before
the app runs, and errors of framing handed to the app so it answers in its protocol's own shape.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from .balance import PortBalance, share
from .httpserver import HttpLimits, build_server


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


class WsgiServer:
    """Lifecycle of one WSGI app on one port (0 = ephemeral, bound and resolved at construction)."""

    def __init__(self, app, *, name: str = "", host: str = "127.0.0.1", port: int = 0,
                 ssl_context: ssl.SSLContext | None = None, configure: str = "",
                 path: str = "", limits: HttpLimits | None = None, port_name: str = "",
                 shared: bool = False) -> None:
        self.name = name
        self.port_name = port_name or name  # the configuration's key for this port (`[ports]`)
        self.shared = shared  # served by every process of `serve --workers` (`share()` before `start`)
        self.app = app
        self.host = host
        self.ssl_context = ssl_context
        self.configure = configure
        self.path = path
        self.limits = limits or HttpLimits()
        self._server = build_server(app, host, port, ssl_context, self.limits, name=name)
        self.port: int = self._server.bind_addr[1]
        self._thread: threading.Thread | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.ssl_context is not None else "http"

    @property
    def url(self) -> str:
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::") else self.host  # noqa: S104 - recognises a wildcard bind, binds nothing
        return f"{self.scheme}://{host}:{self.port}"

    def start(self, ready_timeout: float = 5.0) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._server.serve, name=f"server-{self.name or self.port}",
                                        daemon=True)
        self._thread.start()
        wait_for_port(self.host, self.port, ready_timeout)

    def share(self, port_balance: PortBalance, listening: socket.socket | None = None) -> None:
        """Accept in turn with the other serving processes (`balance.py`), on `listening` when given (the
        master's socket, inherited by a worker) instead of this server's own; before `start`."""
        share(self._server, port_balance, listening)
        if listening is not None:
            self.port = listening.getsockname()[1]

    @property
    def listening_socket(self) -> socket.socket:
        return self._server.socket

    def stop(self) -> None:
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint(self.name, self.url + self.path, self.configure)]

    def __enter__(self) -> WsgiServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_for_port(host: str, port: int, timeout: float = 5.0) -> None:
    """Block until a TCP connect succeeds (the server is accepting) or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    target = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)  # noqa: S104 - recognises a wildcard bind, binds nothing
    while True:
        try:
            with socket.create_connection((target, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{target}:{port} not ready after {timeout}s") from None
            time.sleep(0.02)
