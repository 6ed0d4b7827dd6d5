"""A journal ticket: one submitted exchange, and the way to wait until it is committed."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from .exchange import Exchange

COMMIT_WAIT_S = 30.0  # a stuck database must not hold a client forever; write_errors reports it


class JournalTicket:
    """One submitted exchange; `wait()` / `await committed()` return once it is in the store."""

    __slots__ = ("exchange", "stored", "durable", "_done", "_callbacks", "_lock")

    def __init__(self, exchange: Exchange, durable: bool = True) -> None:
        self.exchange = exchange  # as recorded: what the live checks read
        self.stored = exchange  # what is stored and published: masked, maybe truncated (set by the writer)
        self.durable = durable
        self._done = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float = COMMIT_WAIT_S) -> bool:
        return self._done.wait(timeout)

    async def committed(self, timeout: float = COMMIT_WAIT_S) -> bool:
        """Wait without blocking the event loop; immediate when the journal is not `durable`."""
        if not self.durable:
            return self._done.is_set()
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()

        def resolve() -> None:
            if not future.done():
                future.set_result(True)

        def wake() -> None:
            loop.call_soon_threadsafe(resolve)

        with self._lock:
            if self._done.is_set():
                return True
            self._callbacks.append(wake)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return False

    def _set(self) -> None:
        with self._lock:
            self._done.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            try:
                callback()
            except RuntimeError:  # the waiting loop is closed: nobody to wake
                pass
