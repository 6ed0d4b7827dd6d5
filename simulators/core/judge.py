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
from collections.abc import Callable
from typing import Any

from .exchange import Exchange, Verdict

LiveChecker = Callable[[Exchange], list[Verdict]]


def judge_exchange(checker: LiveChecker, exchange: Exchange) -> None:
    """Add the checker's verdicts to the exchange; a broken check is an `error` verdict, never a loss."""
    try:
        exchange.verdicts.extend(checker(exchange))
    except Exception as exc:  # noqa: BLE001 - a broken check must never lose an exchange
        exchange.verdicts.append(Verdict(check="bench.live", outcome="error",
                                         message=f"erreur du banc: {exc!r}"))


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
