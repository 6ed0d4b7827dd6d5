"""The live feed: exchange events from the bus, batched into server-sent-event frames.

A browser cannot redraw 200 times a second, and one SSE frame per exchange would make the network
and the JSON parser the bottleneck; so the feed wakes every `interval_s`, drains what arrived and
sends one JSON array. Frames carry the id of their last exchange: on reconnection the browser's
`Last-Event-ID` lets the feed replay what was missed from the journal (from a second before, see
`rewind`) before going live again, and the subscription is opened *before* that replay so nothing
recorded in between is lost (duplicates are filtered by id, here and in the page).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from simulators.core.events import EventBus, Subscription
from simulators.core.journal import ExchangeQuery, Journal

from .rows import compact_row, exchange_row

ALL_SESSIONS = "*"
REPLAY_MARGIN_S = 1.0


def id_floor(epoch_s: float) -> str:
    """A synthetic exchange id sorting before every id created at or after `epoch_s`: ids start
    with their creation time in milliseconds (12 hex digits, see `new_exchange_id`)."""
    return f"{max(0, int(epoch_s * 1000)):012x}" + "0" * 20


def rewind(exchange_id: str, seconds: float = REPLAY_MARGIN_S) -> str:
    """Resume point `seconds` before an exchange id. An exchange gets its id when the request
    starts and is recorded when it ends, so one created just before the last exchange a browser saw
    may be recorded just after; replaying a short margin catches it, and the page drops the
    duplicates by id. Ids that do not start with a hex timestamp are returned unchanged."""
    try:
        ms = int(exchange_id[:12], 16)
    except ValueError:
        return exchange_id
    return min(exchange_id, id_floor(ms / 1000 - seconds))


@dataclass
class FeedSettings:
    interval_s: float = 0.15  # batching period: at most ~7 frames a second whatever the load
    max_batch: int = 5000  # exchanges per frame; the rest goes in the next frame
    heartbeat_s: float = 10.0  # comment line so proxies keep the connection and dead clients show up
    backfill_max: int = 5000  # beyond this the client is told to reload its history instead
    lifetime_s: float = 600.0  # the feed ends and the browser reconnects (frees threads of lost clients)
    retry_ms: int = 1500


@dataclass
class ExchangeFeed:
    """One browser's feed for one session (or every session with "*")."""

    bus: EventBus
    journal: Journal
    session: str
    after: str | None = None
    settings: FeedSettings = field(default_factory=FeedSettings)
    stop: threading.Event = field(default_factory=threading.Event)
    hidden: frozenset[str] = frozenset()  # protected sessions this browser may not see (with "*")
    sent: int = 0  # exchanges sent, for tests and diagnostics
    frames_sent: int = 0

    def frames(self) -> Iterator[str]:
        sub = self.bus.subscribe(maxsize=50_000)
        try:
            yield f"retry: {self.settings.retry_ms}\n\n"
            replayed: set[str] = set()
            if self.after:
                yield from self._backfill(replayed)
            yield from self._live(sub, replayed)
        finally:
            sub.close()

    def _backfill(self, replayed: set[str]) -> Iterator[str]:
        cursor = rewind(self.after) if self.after else None
        session = None if self.session == ALL_SESSIONS else self.session
        while len(replayed) < self.settings.backfill_max:
            page = self.journal.query(ExchangeQuery(session=session, after=cursor, limit=1000,
                                                    exclude_sessions=tuple(self.hidden)), bodies=False)
            if not page:
                return
            rows = [exchange_row(e) for e in page]
            replayed.update(r["id"] for r in rows)
            yield self._frame("exchanges", rows, rows[-1]["id"])
            cursor = rows[-1]["id"]
            if len(page) < 1000:
                return
        yield self._frame("reload", {"reason": "trop d'échanges manqués : rechargement de l'historique"})

    def _live(self, sub: Subscription, replayed: set[str]) -> Iterator[str]:
        started = last_sent = time.monotonic()
        dropped = 0
        while not self.stop.is_set():
            if self.stop.wait(self.settings.interval_s):
                return
            rows, others = self._drain(sub, replayed)
            now = time.monotonic()
            if sub.dropped != dropped:
                yield self._frame("overflow", {"dropped": sub.dropped - dropped})
                dropped = sub.dropped
            for topic, data in others:
                yield self._frame(topic, data)
            if rows:
                for start in range(0, len(rows), self.settings.max_batch):
                    chunk = rows[start:start + self.settings.max_batch]
                    yield self._frame("exchanges", chunk, chunk[-1]["id"])
                last_sent = now
            elif others:
                last_sent = now
            elif now - last_sent >= self.settings.heartbeat_s:
                yield ": ping\n\n"
                last_sent = now
            if now - started >= self.settings.lifetime_s:
                return

    def _drain(self, sub: Subscription, replayed: set[str]) -> tuple[list[dict], list[tuple[str, dict]]]:
        rows: list[dict] = []
        others: list[tuple[str, dict]] = []
        for event in sub.drain(max_items=100_000):
            if (self.session != ALL_SESSIONS and event.session != self.session) or event.session in self.hidden:
                continue
            if event.topic == "exchange":
                row = compact_row(event.data)
                if row["id"] in replayed:
                    continue
                rows.append(row)
            else:
                others.append((event.topic, {"session": event.session, **event.data}))
        return rows, others

    def _frame(self, event: str, data: Any, event_id: str | None = None) -> str:
        self.frames_sent += 1
        if event == "exchanges":
            self.sent += len(data)
        head = f"id: {event_id}\n" if event_id else ""
        return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"
