"""An asyncio server on its own loop thread, with the bench Lifecycle shape (start/stop/endpoints).

SMTP (aiosmtpd) and IMAP (pymap) are asyncio servers while the rest of the bench is threaded WSGI;
each gets a private loop in a daemon thread so a slow client of one never stalls the other.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from simulators.core.lifecycle import Endpoint, wait_for_port

log = logging.getLogger("socle_bench.mss")

ServerFactory = Callable[[asyncio.AbstractEventLoop], Awaitable[asyncio.base_events.Server]]


class AsyncServerThread:
    def __init__(self, name: str, factory: ServerFactory, *, host: str, port: int, scheme: str,
                 configure: str = "", on_loop: Callable[[asyncio.AbstractEventLoop], None] | None = None) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.scheme = scheme
        self.configure = configure
        self._factory = factory
        self._on_loop = on_loop
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        return self._loop

    def start(self, ready_timeout: float = 10.0) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=f"server-{self.name}", daemon=True)
        self._thread.start()
        if not self._ready.wait(ready_timeout):
            raise TimeoutError(f"{self.name} not started after {ready_timeout}s")
        if self._error is not None:
            raise RuntimeError(f"{self.name} failed to start: {self._error}") from self._error
        wait_for_port(self.host, self.port, ready_timeout)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            if self._on_loop is not None:
                self._on_loop(loop)
            self._server = loop.run_until_complete(self._factory(loop))
            sockets = self._server.sockets or []
            if sockets and not self.port:
                self.port = sockets[0].getsockname()[1]
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            try:
                loop.run_until_complete(self._server.wait_closed())
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.wait(pending, timeout=2))
            except Exception:
                log.debug("error closing %s", self.name, exc_info=True)
            loop.close()

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None

    def endpoints(self) -> list[Endpoint]:
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::") else self.host  # noqa: S104 - compared, not bound
        return [Endpoint(self.name, f"{self.scheme}://{host}:{self.port}", self.configure)]
