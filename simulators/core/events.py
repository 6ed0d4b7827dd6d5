"""In-process publish/subscribe: storage publishes, the dashboard (and tests) subscribe.

Subscribers get a bounded queue; a slow subscriber loses its oldest events rather than slowing the
publisher (the journal writer must never wait on a browser). The bus is per process: the worker
processes of `serve --workers` forward theirs to the master's bus while it has subscribers (`watch`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    topic: str  # e.g. "exchange", "session", "fault"
    session: str
    data: dict[str, Any]


class Subscription:
    def __init__(self, bus: EventBus, maxsize: int) -> None:
        self._bus = bus
        self.queue: queue.Queue[Event] = queue.Queue(maxsize=maxsize)
        self.dropped = 0

    def offer(self, event: Event) -> None:
        while True:
            try:
                self.queue.put_nowait(event)
                return
            except queue.Full:
                try:
                    self.queue.get_nowait()
                    self.dropped += 1
                except queue.Empty:
                    pass

    def get(self, timeout: float | None = None) -> Event | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def drain(self, max_items: int = 1000) -> list[Event]:
        items: list[Event] = []
        while len(items) < max_items:
            try:
                items.append(self.queue.get_nowait())
            except queue.Empty:
                break
        return items

    def close(self) -> None:
        self._bus.unsubscribe(self)


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscription] = []
        self._watchers: list[Callable[[bool], None]] = []

    def watch(self, callback: Callable[[bool], None]) -> None:
        """`callback(True)` when the bus gains its first subscriber, `callback(False)` when it loses its
        last: publishers in other processes then know whether anyone listens here."""
        self._watchers.append(callback)

    def subscribe(self, maxsize: int = 10_000) -> Subscription:
        sub = Subscription(self, maxsize)
        with self._lock:
            first = not self._subscribers
            self._subscribers = [*self._subscribers, sub]
        if first:
            self._tell_watchers(True)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            had = bool(self._subscribers)
            self._subscribers = [s for s in self._subscribers if s is not sub]
            last = had and not self._subscribers
        if last:
            self._tell_watchers(False)

    def _tell_watchers(self, listened: bool) -> None:
        for callback in list(self._watchers):
            callback(listened)

    @property
    def has_subscribers(self) -> bool:
        return bool(self._subscribers)

    def publish(self, event: Event) -> None:
        for sub in self._subscribers:  # copy-on-write list: no lock on the hot path
            sub.offer(event)
