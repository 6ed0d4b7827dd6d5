"""A journal ticket: one submitted exchange, and the way to wait until it is committed."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

from .exchange import Exchange

COMMIT_WAIT_S = 30.0  # a stuck database must not hold a client forever; write_errors reports it


class JournalTicket:
    """One submitted exchange; `wait()` / `await committed()` return once it is in the store."""

    __slots__ = ("_callbacks", "_is_done", "_latch", "_lock", "durable", "exchange", "stored")

    def __init__(self, exchange: Exchange, durable: bool = True) -> None:
        self.exchange = exchange  # as recorded: what the live checks read
        self.stored = exchange  # what is stored and published: masked, maybe truncated (set by the writer)
        self.durable = durable
        # a held lock released once committed: a waiter blocks in C, without the Condition of an Event
        self._is_done = False
        self._latch = threading.Lock()
        self._latch.acquire()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    @property
    def done(self) -> bool:
        return self._is_done

    def wait(self, timeout: float = COMMIT_WAIT_S) -> bool:
        if self._is_done:
            return True
        if self._latch.acquire(timeout=timeout):
            self._latch.release()  # the next waiter of the same ticket, if any, passes too
            return True
        return self._is_done

    async def committed(self, timeout: float = COMMIT_WAIT_S) -> bool:
        """Wait without blocking the event loop; immediate when the journal is not `durable`."""
        if not self.durable:
            return self._is_done
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()

        def resolve() -> None:
            if not future.done():
                future.set_result(True)

        def wake() -> None:
            loop.call_soon_threadsafe(resolve)

        with self._lock:
            if self._is_done:
                return True
            self._callbacks.append(wake)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return False

    def _set(self) -> None:
        with self._lock:
            if self._is_done:
                return
            self._is_done = True
            self._latch.release()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            with contextlib.suppress(RuntimeError):  # the waiting loop is closed: nobody to wake
                callback()
