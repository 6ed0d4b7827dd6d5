"""Bounded memo of pure functions of request bytes (CDA header reading, XAdES verification, signer
certificates): the simulator and the live checks of one exchange read the same bytes, and a DUI sends the
same certificate on every request. Keys are the exact inputs (bytes compared in full, never a digest), so
a hit is the answer the function would give again; only the most recent `size` keys are kept."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class BoundedMemo(Generic[T]):
    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value remembered for `key`, or `compute()` remembered (an exception is not remembered)."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = compute()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
