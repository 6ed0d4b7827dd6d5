"""The exchange journal: every request every simulator receives, durable and queryable.

Recording is on each simulator's hot path: `record()` runs the live checks and enqueues, a single
writer thread inserts batches in one transaction each. With `durable` (the default), `record()` returns
only once the transaction holding the exchange is committed, so the answer the DUI sees is never ahead
of the evidence: a `kill -9` loses no acknowledged exchange. Throughput comes from group commit: the
writer does not linger while someone waits, and everything queued during one commit goes into the next.
Asynchronous servers use `submit()` and await the returned ticket instead of blocking their loop.
Reads flush the queue first, so a caller always reads its own writes. `close()` drains everything.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (Column, Float, Index, Integer, LargeBinary, String, Table, Text, delete,
                        func, select)

from .db import Database
from .events import Event, EventBus
from .exchange import Caller, Exchange, Verdict
from .redact import redact_exchange

LiveChecker = Callable[[Exchange], list[Verdict]]
log = logging.getLogger("socle_bench.journal")
COMMIT_WAIT_S = 30.0  # a stuck database must not hold a client forever; write_errors reports it


class JournalTicket:
    """One submitted exchange; `wait()` / `await committed()` return once it is in the store."""

    __slots__ = ("exchange", "durable", "_done", "_callbacks", "_lock")

    def __init__(self, exchange: Exchange, durable: bool = True) -> None:
        self.exchange = exchange
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

        def wake() -> None:
            loop.call_soon_threadsafe(lambda: future.done() or future.set_result(True))

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


def exchanges_table(db: Database) -> Table:
    if "exchanges" in db.metadata.tables:
        return db.metadata.tables["exchanges"]
    return Table(
        "exchanges", db.metadata,
        Column("id", String(40), primary_key=True),
        Column("session", String(64), nullable=False),
        Column("service", String(32), nullable=False),
        Column("operation", String(128), nullable=False),
        Column("protocol", String(16), nullable=False),
        Column("started_at", Float, nullable=False),
        Column("duration_ms", Float, nullable=False),
        Column("status", Integer, nullable=False),
        Column("fault", String(128), nullable=False),
        Column("method", String(16), nullable=False),
        Column("path", Text, nullable=False),
        Column("caller", Text, nullable=False),
        Column("request_headers", Text, nullable=False),
        Column("request_body", LargeBinary, nullable=False),
        Column("response_headers", Text, nullable=False),
        Column("response_body", LargeBinary, nullable=False),
        Column("request_size", Integer, nullable=False),
        Column("response_size", Integer, nullable=False),
        Column("summary", Text, nullable=False),
        Column("verdicts", Text, nullable=False),
        Index("ix_exchanges_session_time", "session", "started_at"),
        Index("ix_exchanges_session_service", "session", "service", "operation"),
    )


def _to_row(ex: Exchange) -> dict:
    return {
        "id": ex.id, "session": ex.session, "service": ex.service, "operation": ex.operation,
        "protocol": ex.protocol, "started_at": ex.started_at, "duration_ms": ex.duration_ms,
        "status": ex.status, "fault": ex.fault, "method": ex.method, "path": ex.path,
        "caller": json.dumps(ex.caller.__dict__, ensure_ascii=False, default=str),
        "request_headers": json.dumps(ex.request_headers, ensure_ascii=False),
        "request_body": ex.request_body,
        "response_headers": json.dumps(ex.response_headers, ensure_ascii=False),
        "response_body": ex.response_body,
        "request_size": ex.request_size, "response_size": ex.response_size,
        "summary": json.dumps(ex.summary, ensure_ascii=False, default=str),
        "verdicts": json.dumps([v.__dict__ for v in ex.verdicts], ensure_ascii=False),
    }


def _from_row(m: Mapping[str, Any]) -> Exchange:
    return Exchange(
        id=m["id"], session=m["session"], service=m["service"], operation=m["operation"],
        protocol=m["protocol"], started_at=m["started_at"], duration_ms=m["duration_ms"],
        status=m["status"], fault=m["fault"], method=m["method"], path=m["path"],
        caller=Caller(**json.loads(m["caller"])),
        request_headers=json.loads(m["request_headers"]),
        request_body=bytes(m.get("request_body") or b""),
        response_headers=json.loads(m["response_headers"]),
        response_body=bytes(m.get("response_body") or b""),
        summary=json.loads(m["summary"]),
        verdicts=[Verdict(**v) for v in json.loads(m["verdicts"])],
        request_size=m["request_size"], response_size=m["response_size"],
    )


@dataclass
class ExchangeQuery:
    session: str | None = None
    service: str | None = None
    operation: str | None = None
    since: float | None = None
    until: float | None = None
    after: str | None = None  # exchange id: strictly after it (ids sort by time)
    limit: int = 1000
    newest_first: bool = False
    exclude_sessions: tuple[str, ...] = ()  # protected sessions the reader may not see


class Journal:
    """Queue + batch writer over the `exchanges` table."""

    _STOP = object()

    def __init__(self, db: Database, *, events: EventBus | None = None,
                 live_checker: LiveChecker | None = None, batch_size: int = 500,
                 flush_interval_s: float = 0.05, queue_size: int = 20_000,
                 keep_bodies: bool = True, durable: bool = True, keep_secrets: bool = False) -> None:
        self.db = db
        self.table = exchanges_table(db)
        self.events = events
        self.live_checker = live_checker
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.keep_bodies = keep_bodies
        self.durable = durable
        self.keep_secrets = keep_secrets
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._pending = 0
        self._pending_lock = threading.Condition()
        self._writer: threading.Thread | None = None
        self.write_errors = 0
        self.last_error: str = ""

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.db.ensure_tables(self.table)
        if self._writer is None:
            self._writer = threading.Thread(target=self._run, name="journal-writer", daemon=True)
            self._writer.start()

    def close(self) -> None:
        if self._writer is not None:
            self._queue.put(self._STOP)
            self._writer.join()
            self._writer = None

    # --- writing ---------------------------------------------------------------------------
    def record(self, exchange: Exchange, *, wait: bool | None = None) -> Exchange:
        """Run the live checks, store and publish; with `durable` (or `wait=True`) return only once
        the exchange is committed. Blocks also when the queue is full."""
        ticket = self.submit(exchange)
        if (self.durable if wait is None else wait) and not ticket.wait():
            log.warning("journal commit still pending after %.0f s for %s", COMMIT_WAIT_S, exchange.id)
        return exchange

    def submit(self, exchange: Exchange) -> JournalTicket:
        """Run the live checks, enqueue and publish; the ticket says when the exchange is committed."""
        exchange.request_size = len(exchange.request_body)
        exchange.response_size = len(exchange.response_body)
        if self.live_checker is not None:
            try:
                exchange.verdicts.extend(self.live_checker(exchange))
            except Exception as exc:  # noqa: BLE001 - a broken check must never lose an exchange
                exchange.verdicts.append(Verdict(check="bench.live", outcome="error",
                                                 message=f"erreur du banc: {exc!r}"))
        if not self.keep_secrets:  # after the live checks, before anything is stored or published
            redact_exchange(exchange)
        if not self.keep_bodies:
            exchange.request_body = exchange.request_body[:4096]
            exchange.response_body = exchange.response_body[:4096]
        ticket = JournalTicket(exchange, self.durable)
        with self._pending_lock:
            self._pending += 1
        if self._writer is None:
            self._write_batch([ticket])
        else:
            self._queue.put(ticket)
        if self.events is not None and self.events.has_subscribers:
            self.events.publish(Event("exchange", exchange.session, exchange.to_json(bodies=False)))
        return ticket

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until everything recorded so far is committed."""
        deadline = time.monotonic() + timeout
        with self._pending_lock:
            while self._pending > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._pending_lock.wait(remaining)
        return True

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            batch = []
            stop = item is self._STOP
            if not stop:
                batch.append(item)
            # group commit: linger for company only when nobody waits for this commit
            linger = 0.0 if self.durable else self.flush_interval_s
            deadline = time.monotonic() + linger
            while not stop and len(batch) < self.batch_size:
                timeout = deadline - time.monotonic()
                try:
                    item = self._queue.get(timeout=max(timeout, 0)) if timeout > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is self._STOP:
                    stop = True
                    break
                batch.append(item)
            if batch:
                self._write_batch(batch)
            if stop:
                # drain whatever raced in after the stop marker
                rest = []
                while True:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is not self._STOP:
                        rest.append(item)
                if rest:
                    self._write_batch(rest)
                return

    def _write_batch(self, batch: list[JournalTicket]) -> None:
        try:
            self._insert([t.exchange for t in batch])
        except Exception:  # noqa: BLE001 - one bad row must not cost its batch-mates their evidence
            for ticket in batch:
                try:
                    self._insert([ticket.exchange])
                except Exception as exc:  # noqa: BLE001 - keep serving; the admin health endpoint reports it
                    self.write_errors += 1
                    self.last_error = repr(exc)
        finally:
            for ticket in batch:
                ticket._set()
            with self._pending_lock:
                self._pending -= len(batch)
                self._pending_lock.notify_all()

    def _insert(self, exchanges: list[Exchange]) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(self.table.insert(), [_to_row(ex) for ex in exchanges])

    # --- reading ---------------------------------------------------------------------------
    def query(self, q: ExchangeQuery, *, bodies: bool = True) -> list[Exchange]:
        self.flush()
        t = self.table
        cols = [c for c in t.columns] if bodies else [c for c in t.columns
                                                        if c.name not in ("request_body", "response_body")]
        stmt = select(*cols)
        if q.session is not None:
            stmt = stmt.where(t.c.session == q.session)
        if q.exclude_sessions:
            stmt = stmt.where(t.c.session.not_in(q.exclude_sessions))
        if q.service:
            stmt = stmt.where(t.c.service.in_(q.service.split(",")))
        if q.operation:
            stmt = stmt.where(t.c.operation.in_(q.operation.split(",")))
        if q.since is not None:
            stmt = stmt.where(t.c.started_at >= q.since)
        if q.until is not None:
            stmt = stmt.where(t.c.started_at < q.until)
        if q.after:
            stmt = stmt.where(t.c.id < q.after if q.newest_first else t.c.id > q.after)
        stmt = stmt.order_by(t.c.id.desc() if q.newest_first else t.c.id).limit(max(1, min(q.limit, 10_000)))
        with self.db.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return [_from_row(r._mapping) for r in rows]

    def get(self, exchange_id: str) -> Exchange | None:
        self.flush()
        with self.db.engine.connect() as conn:
            row = conn.execute(select(self.table).where(self.table.c.id == exchange_id)).first()
        return _from_row(row._mapping) if row else None

    def count(self, session: str | None = None) -> int:
        self.flush()
        stmt = select(func.count()).select_from(self.table)
        if session is not None:
            stmt = stmt.where(self.table.c.session == session)
        with self.db.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def delete_session(self, session: str) -> int:
        self.flush()
        with self.db.engine.begin() as conn:
            return conn.execute(delete(self.table).where(self.table.c.session == session)).rowcount

    def iter_session(self, session: str, *, bodies: bool = True) -> Iterable[Exchange]:
        after = None
        while True:
            page = self.query(ExchangeQuery(session=session, after=after, limit=1000), bodies=bodies)
            yield from page
            if len(page) < 1000:
                return
            after = page[-1].id
