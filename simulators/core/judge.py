"""The journal's judge: live checks run in their own thread, after the exchange is committed and answered.

The request path only records; the journal writer commits the exchange (the DUI gets its answer), then
hands it here. The judge runs the live checker and gives the judged exchanges back to the writer, which
stores their verdicts (and the refusal's requirement ids) in its next transaction and only then publishes
them: the dashboard shows each exchange once, with its verdicts, a few milliseconds after the answer.
A reader flushing the journal waits for the verdicts too, so it never sees an exchange half judged.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from .exchange import Exchange, Verdict
from .memory import settle

LiveChecker = Callable[[Exchange], list[Verdict]]


def judge_exchange(checker: LiveChecker, exchange: Exchange) -> None:
    """Add the checker's verdicts to the exchange; a broken check is an `error` verdict, never a loss."""
    try:
        exchange.verdicts.extend(checker(exchange))
    except Exception as exc:  # noqa: BLE001 - a broken check must never lose an exchange
        exchange.verdicts.append(Verdict(check="bench.live", outcome="error",
                                         message=f"erreur du banc: {exc!r}"))


class DeferredChecker:
    """A live checker built on first use, or a little after the bench serves (`load_in_background`).

    Building the shipped checker means importing the whole check registry (a few hundred milliseconds of
    CPU): `serve` answers without waiting for it, and the background build waits `delay_s` so it does not
    compete with the first requests of a client that starts as soon as the bench is healthy. Nothing goes
    unjudged: the judge thread's first call builds it (or waits for the build), so the exchanges recorded
    meanwhile get their verdicts when it is done. A build that fails is an `error` verdict on every
    exchange (the exchanges themselves are stored as always) and a degraded health."""

    def __init__(self, build: Callable[[], LiveChecker], *, delay_s: float = 2.0) -> None:
        self._build = build
        self.delay_s = delay_s
        self._lock = threading.Lock()
        self._checker: LiveChecker | None = None
        self._failure = ""
        self._loader: threading.Thread | None = None

    @property
    def state(self) -> str:
        """`ready`, `failed`, or `loading` (not built yet), for the health endpoint."""
        return "ready" if self._checker is not None else "failed" if self._failure else "loading"

    def load(self) -> LiveChecker | None:
        """Build once (thread-safe); the checker, or None when the build failed."""
        with self._lock:
            if self._checker is None and not self._failure:
                try:
                    self._checker = self._build()
                except Exception as exc:  # noqa: BLE001 - reported on every verdict, never a lost exchange
                    self._failure = f"{type(exc).__name__}: {exc}"
                else:
                    settle()  # the registry's objects join the long-lived heap the collector skips
        return self._checker

    def load_in_background(self) -> None:
        if self._loader is None:
            self._loader = threading.Thread(target=self._load_later, name="live-checks-load", daemon=True)
            self._loader.start()

    def _load_later(self) -> None:
        time.sleep(self.delay_s)
        self.load()

    def __call__(self, exchange: Exchange) -> list[Verdict]:
        checker = self._checker or self.load()  # built: no lock on the judge's path
        if checker is None:
            return [Verdict(check="bench.live", outcome="error",
                            message=f"vérifications en direct indisponibles : {self._failure}")]
        return checker(exchange)


def load_soon(checker: object) -> None:
    """Schedule the build of a deferred checker (any other checker is left as it is)."""
    if isinstance(checker, DeferredChecker):
        checker.load_in_background()


class Judged:
    """What the judge hands back to the writer: tickets whose exchanges now carry their verdicts."""

    __slots__ = ("tickets",)

    def __init__(self, tickets: list[Any]) -> None:
        self.tickets = tickets


class Judge:
    """One thread judging batches of journal tickets (`ticket.exchange`), delivering `Judged` batches."""

    _STOP = object()

    def __init__(self, checker: LiveChecker, deliver: Callable[[Judged], None], batch_size: int = 500) -> None:
        self.checker = checker
        self.deliver = deliver
        self.batch_size = batch_size
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="journal-judge", daemon=True)
            self._thread.start()

    def put(self, tickets: list[Any]) -> None:
        if tickets:
            self._queue.put(tickets)

    def stop(self) -> None:
        """Judge everything already handed over, deliver it, then end the thread."""
        if self._thread is not None:
            self._queue.put(self._STOP)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is self._STOP:
                return
            batch = list(item)
            stop = False
            while len(batch) < self.batch_size:  # whatever else is waiting goes in the same delivery
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is self._STOP:
                    stop = True
                    break
                batch.extend(more)
            for ticket in batch:
                judge_exchange(self.checker, ticket.exchange)
            self.deliver(Judged(batch))
            if stop:
                return
