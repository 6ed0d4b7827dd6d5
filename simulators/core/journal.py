"""The exchange journal: every request every simulator receives, durable and queryable.

Recording is on each simulator's hot path, so `record()` only enqueues: a single writer thread masks the
secrets and inserts batches in one transaction each. With `durable` (the default), `record()` returns only
once the transaction holding the exchange is committed, so the answer the DUI sees is never ahead of the
evidence: a `kill -9` loses no acknowledged exchange. Throughput comes from group commit: the writer does
not linger while someone waits, and everything queued during one commit goes into the next.
The live checks run after the commit, off the request path, in the judge thread (`judge.py`); their
verdicts go into the writer's next transaction and the exchange is published (with them) once stored.
Asynchronous servers use `submit()` and await the returned ticket. Reads flush the queue first (verdicts
included), so a caller always reads its own writes, judged. `close()` drains everything.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import queue
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (Column, Float, Index, Integer, LargeBinary, String, Table, Text, bindparam,
                        delete, func, select)

from sqlalchemy.engine import Connection, RowMapping

from .db import Database
from .events import Event, EventBus
from .exchange import Caller, Exchange, Verdict
from .judge import Judge, Judged, LiveChecker, judge_exchange
from .redact import redact_exchange
from .ticket import COMMIT_WAIT_S, JournalTicket
log = logging.getLogger("socle_bench.journal")


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


def _from_row(m: RowMapping) -> Exchange:
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


def _verdict_row(ex: Exchange) -> dict:
    return {"b_id": ex.id, "b_summary": json.dumps(ex.summary, ensure_ascii=False, default=str),
            "b_verdicts": json.dumps([v.__dict__ for v in ex.verdicts], ensure_ascii=False)}


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
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._room = threading.Semaphore(queue_size)  # backpressure: submitters wait when this many are pending
        self._pending = 0
        self._pending_lock = threading.Condition()
        self._writer: threading.Thread | None = None
        self._judge: Judge | None = None
        self._conn: Connection | None = None  # the writer thread's own
        self._sqlite_insert = str(self.table.insert().compile(dialect=db.engine.dialect)) if db.is_sqlite else ""
        self._update = self.table.update().where(self.table.c.id == bindparam("b_id")).values(
            verdicts=bindparam("b_verdicts"), summary=bindparam("b_summary"))
        self.write_errors = 0
        self.last_error: str = ""

    def start(self) -> None:
        self.db.ensure_tables(self.table)
        if self._writer is None:
            if self.live_checker is not None:
                self._judge = Judge(self.live_checker, self._queue.put, self.batch_size)
                self._judge.start()
            self._writer = threading.Thread(target=self._run, name="journal-writer", daemon=True)
            self._writer.start()

    def close(self) -> None:
        if self._writer is not None:
            self._queue.put(self._STOP)
            self._writer.join()
            self._writer = None

    # --- writing ---------------------------------------------------------------------------
    def record(self, exchange: Exchange, *, wait: bool | None = None) -> Exchange:
        """Store (judged and published after); with `durable` or `wait=True`, return once committed."""
        ticket = self.submit(exchange)
        if (self.durable if wait is None else wait) and not ticket.wait():
            log.warning("journal commit still pending after %.0f s for %s", COMMIT_WAIT_S, exchange.id)
        return exchange

    def submit(self, exchange: Exchange) -> JournalTicket:
        """Enqueue (waits while `queue_size` are pending); the ticket says when it is committed."""
        exchange.request_size = len(exchange.request_body)
        exchange.response_size = len(exchange.response_body)
        ticket = JournalTicket(exchange, self.durable)
        self._room.acquire()
        with self._pending_lock:
            self._pending += 1
        if self._writer is None:  # not started (or closed): judge, store and publish here and now
            if self.live_checker is not None:
                judge_exchange(self.live_checker, exchange)
            self._write([ticket], [], judged_now=True)
        else:
            self._queue.put(ticket)
        return ticket

    def flush(self, timeout: float = 30.0) -> bool:  # everything recorded so far committed and judged
        deadline = time.monotonic() + timeout
        with self._pending_lock:
            while self._pending > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._pending_lock.wait(remaining)
        return True

    def _run(self) -> None:
        stopping = False  # the stop marker came: the judge is being drained
        while True:
            item = self._queue.get()
            new: list[JournalTicket] = []
            judged: list[JournalTicket] = []
            stop = False
            # group commit: linger for company only when nobody waits for this commit
            linger = 0.0 if self.durable else self.flush_interval_s
            deadline = time.monotonic() + linger
            while True:
                if item is self._STOP:
                    stop = True
                elif isinstance(item, Judged):
                    judged.extend(item.tickets)
                else:
                    new.append(item)
                if stop or len(new) + len(judged) >= self.batch_size:
                    break
                timeout = deadline - time.monotonic()
                try:
                    item = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
            if stopping:  # the judge is gone: whatever raced in is judged here
                self._judge_inline(new)
            if new or judged:
                self._write(new, judged, judged_now=stopping)
            if stop and stopping:
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None
                return
            if stop:  # the judge judges what it holds and delivers it here, then ends: drain that, then end
                stopping = True
                judge, self._judge = self._judge, None
                if judge is not None:
                    judge.stop()
                self._queue.put(self._STOP)

    def _judge_inline(self, tickets: list[JournalTicket]) -> None:
        checker = self.live_checker
        if checker is None:
            return
        for ticket in tickets:
            judge_exchange(checker, ticket.exchange)

    def _stored_form(self, exchange: Exchange) -> Exchange:
        """Secrets masked, bodies maybe cut: a shallow copy sharing `verdicts` and `summary`."""
        if self.keep_secrets and self.keep_bodies:
            return exchange
        stored = dataclasses.replace(exchange)
        if not self.keep_secrets:
            try:
                redact_exchange(stored)
            except Exception as exc:  # noqa: BLE001 - never store what could not be masked
                self.last_error = f"masquage impossible: {exc!r}"
                stored.request_headers = stored.response_headers = {}
                stored.request_body = stored.response_body = b""
        if not self.keep_bodies:
            stored.request_body = stored.request_body[:4096]
            stored.response_body = stored.response_body[:4096]
        return stored

    def _write(self, new: list[JournalTicket], judged: list[JournalTicket], *, judged_now: bool) -> None:
        """One transaction: insert the new exchanges, store the verdicts of the judged ones. Then wake the
        waiters, hand the new ones to the judge, publish and release what is complete."""
        for ticket in new:
            ticket.stored = self._stored_form(ticket.exchange)
        try:
            self._commit([_to_row(t.stored) for t in new], [_verdict_row(t.stored) for t in judged])
        except Exception:  # noqa: BLE001 - one bad row must not cost its batch-mates their evidence
            for ticket in new:
                self._try_commit([_to_row(ticket.stored)], [])
            for ticket in judged:
                self._try_commit([], [_verdict_row(ticket.stored)])
        for ticket in new:
            ticket._set()
        if self._judge is not None and not judged_now:
            self._judge.put(new)
            done = judged
        else:
            done = new + judged
        if done:
            if self.events is not None and self.events.has_subscribers:
                for ticket in done:
                    ex = ticket.stored
                    self.events.publish(Event("exchange", ex.session, ex.to_json(bodies=False)))
            self._room.release(len(done))
            with self._pending_lock:
                self._pending -= len(done)
                self._pending_lock.notify_all()

    def _try_commit(self, rows: list[dict], updates: list[dict]) -> None:
        try:
            self._commit(rows, updates)
        except Exception as exc:  # noqa: BLE001 - keep serving; the admin health endpoint reports it
            self.write_errors += 1
            self.last_error = repr(exc)

    def _commit(self, rows: list[dict], updates: list[dict]) -> None:
        """The writer keeps one connection (no pool checkout and reset per commit); others borrow one."""
        mine = threading.current_thread() is self._writer
        conn = self._conn if mine and self._conn is not None else self.db.engine.connect()
        try:
            with conn.begin():
                if rows and self._sqlite_insert:  # the driver's executemany: no statement machinery per commit
                    conn.connection.cursor().executemany(
                        self._sqlite_insert, [tuple(row[c.name] for c in self.table.columns) for row in rows])
                elif rows:
                    conn.execute(self.table.insert(), rows)
                if updates:
                    conn.execute(self._update, updates)
        except Exception:
            conn.close()  # a broken connection is not kept: the next commit opens a fresh one
            self._conn = None if mine else self._conn
            raise
        if mine:
            self._conn = conn
        else:
            conn.close()

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
