"""Search results kept for their paging links (HAPI keeps a search for its `_getpages` / `_page`
links): a bounded LRU with a time to live, looked up with the session so a page token never crosses
sessions. Stores any object with a `session` attribute (the servers' own snapshot records)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from typing import Generic, Protocol, TypeVar


class HasSession(Protocol):
    session: str


T = TypeVar("T", bound=HasSession)


class PageCache(Generic[T]):
    def __init__(self, capacity: int = 256, ttl_s: float = 1800.0) -> None:
        self.capacity = capacity
        self.ttl_s = ttl_s
        self._items: OrderedDict[str, tuple[float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, snapshot: T) -> str:
        token = uuid.uuid4().hex
        with self._lock:
            self._items[token] = (time.monotonic(), snapshot)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return token

    def get(self, session: str, token: str) -> T | None:
        with self._lock:
            item = self._items.get(token)
            if item is None or item[1].session != session:
                return None
            if time.monotonic() - item[0] > self.ttl_s:
                del self._items[token]
                return None
            self._items.move_to_end(token)
            return item[1]

    def drop_session(self, session: str) -> None:
        with self._lock:
            for token in [t for t, (_at, s) in self._items.items() if s.session == session]:
                del self._items[token]
