"""Write-behind of the DMP access history: a read (ITI-18, ITI-43, patient services) no longer pays a
write transaction of its own.

Each access is published at once (live view) and queued; one flusher thread inserts everything queued
in one transaction, a few milliseconds later. Whoever reads the history (or counts, or drops a session)
flushes first and waits for a flush in progress, so the patient's history query always shows every
access already answered; `close()` (bench shutdown) flushes the rest. A `kill -9` can lose the accesses
of the last few milliseconds, never a document or a submission (those are written in their own
transaction, with their access records).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

LINGER_S = 0.02  # how long the flusher waits for company before writing


class AccessLog:
    def __init__(self, write: Callable[[list[dict[str, Any]]], None], *, linger_s: float = LINGER_S) -> None:
        self.write = write  # inserts rows in one transaction
        self.linger_s = linger_s
        self._rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()  # guards _rows
        self._flushing = threading.Lock()  # one flush at a time: a reader waits for the one in flight
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None
        self.write_errors = 0

    def add(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        with self._lock:
            self._rows.extend(rows)
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="dmp-access-log", daemon=True)
                self._thread.start()
        if self._closed:  # after shutdown: straight to the store
            self.flush()
        else:
            self._wake.set()

    def flush(self) -> None:
        with self._flushing:
            with self._lock:
                rows, self._rows = self._rows, []
            if rows:
                try:
                    self.write(rows)
                except Exception:
                    with self._lock:  # kept for the next flush rather than lost
                        self._rows[:0] = rows
                    self.write_errors += 1
                    raise

    def close(self) -> None:
        self._closed = True
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()
        self.flush()

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait()
            self._wake.clear()
            self._stop.wait(self.linger_s)  # company for the batch; close() cuts it short
            with contextlib.suppress(Exception):  # counted by flush(); retried with the next flush
                self.flush()
