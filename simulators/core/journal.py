"""The exchange journal: every request every simulator receives, durable and queryable.

Recording is on each simulator's hot path, so `record()` only enqueues: a single writer thread masks the
secrets and inserts batches in one transaction each. With `durable` (the default), `record()` returns only
once the transaction holding the exchange is committed, so the answer the DUI sees is never ahead of the
evidence: a `kill -9` loses no acknowledged exchange. Throughput comes from group commit, led by the
waiters themselves: a request thread that records finds either nobody committing (it takes the commit
lock and commits everything queued, its own exchange included, in its own thread: no hand-off to the
writer and back) or a commit in flight (it waits; whoever holds the lock looks at the queue again after
releasing it, so nothing is left behind). The writer thread commits the rest (`submit()`, non-durable
journals, verdicts coming back from the judge).
The live checks run after the commit, off the request path, in the judge thread (`judge.py`); their
verdicts go into the writer's next transaction and the exchange is published (with them) once stored.
Asynchronous servers use `submit()` and await the returned ticket. Reads flush the queue first (verdicts
included), so a caller always reads its own writes, judged. `close()` drains everything.
"""

from __future__ import annotations

import copy
import logging
import operator
import queue
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from .db import Database
from .events import Event, EventBus
from .exchange import Exchange
from .journal_rows import exchanges_table, from_row, to_row, verdict_row, verdicts_table
from .judge import Judge, Judged, LiveChecker, judge_exchange
from .redact import masked
from .ticket import COMMIT_WAIT_S, JournalTicket

__all__ = ["ExchangeQuery", "Journal", "JournalTicket", "LiveChecker", "exchanges_table"]
log = logging.getLogger("socle_bench.journal")


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
        self.verdicts = verdicts_table(db)
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
        self._commit_lock = threading.Lock()  # one commit at a time, by the writer or a leading waiter
        self._led: deque[JournalTicket] = deque()  # recorded by waiters, committed by whoever leads
        self._conn: Connection | None = None  # the journal's own connection, used under `_commit_lock`
        # SQLite: the driver's executemany and commit, statements compiled once (no statement machinery per
        # commit); the same transaction as through SQLAlchemy (pysqlite's implicit BEGIN, then COMMIT)
        self._sqlite_insert = str(self.table.insert().compile(dialect=db.engine.dialect)) if db.is_sqlite else ""
        self._sqlite_verdicts = f"INSERT OR REPLACE INTO {self.verdicts.name} (summary, verdicts, id) VALUES (?, ?, ?)"  # noqa: S608 - our table name
        self._values = operator.itemgetter(*(c.name for c in self.table.columns))
        self.write_errors = 0
        self.last_error: str = ""

    def start(self) -> None:
        self.db.ensure_tables(self.table, self.verdicts)
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
        waiting = self.durable if wait is None else wait
        if waiting and self._writer is not None:  # this thread waits anyway: it may lead the commit
            ticket = self._ticket(exchange)
            self._led.append(ticket)
            self._lead()
        else:
            ticket = self.submit(exchange)
        if waiting and not ticket.wait():
            log.warning("journal commit still pending after %.0f s for %s", COMMIT_WAIT_S, exchange.id)
        return exchange

    def submit(self, exchange: Exchange) -> JournalTicket:
        """Enqueue (waits while `queue_size` are pending); the ticket says when it is committed."""
        ticket = self._ticket(exchange)
        if self._writer is None:  # not started (or closed): judge, store and publish here and now
            if self.live_checker is not None:
                judge_exchange(self.live_checker, exchange)
            with self._commit_lock:
                self._write([ticket], [], judged_now=True)
        else:
            self._queue.put(ticket)
        return ticket

    def _ticket(self, exchange: Exchange) -> JournalTicket:
        exchange.request_size = len(exchange.request_body)
        exchange.response_size = len(exchange.response_body)
        ticket = JournalTicket(exchange, self.durable)
        self._room.acquire()
        with self._pending_lock:
            self._pending += 1
        return ticket

    def _lead(self) -> None:
        """Commit what waiters queued, unless a commit is in flight: its holder looks again after it."""
        while self._led and self._commit_lock.acquire(blocking=False):
            try:
                batch, judged_now = self._take_led([]), self._judge_now()
                if judged_now:
                    self._judge_inline(batch)
                self._write(batch, [], judged_now=judged_now)
            finally:
                self._commit_lock.release()

    def _take_led(self, into: list[JournalTicket]) -> list[JournalTicket]:
        led = self._led
        while led and len(into) < self.batch_size:
            into.append(led.popleft())
        return into

    def _judge_now(self) -> bool:
        """Under the commit lock: without a judge thread (closing), the new exchanges are judged here."""
        return self._judge is None

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
            with self._commit_lock:
                self._take_led(new)
                judged_now = self._judge_now()
                if judged_now:  # the judge is gone (closing) or never was: whatever came in is judged here
                    self._judge_inline(new)
                if new or judged:
                    self._write(new, judged, judged_now=judged_now)
            self._lead()  # what waiters queued during this commit, if none of them could lead
            if stop and stopping:
                with self._commit_lock:
                    if self._conn is not None:
                        self._conn.close()
                        self._conn = None
                return
            if stop:  # the judge judges what it holds and delivers it here, then ends: drain that, then end
                stopping = True
                with self._commit_lock:  # from now on, leading waiters judge inline
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
        """Secrets masked, bodies maybe cut: the exchange itself when there is nothing to change, else a
        shallow copy sharing `verdicts` and `summary`."""
        stored = exchange
        if not self.keep_secrets:
            try:
                stored = masked(exchange)
            except Exception as exc:  # noqa: BLE001 - never store what could not be masked
                self.last_error = f"masquage impossible: {exc!r}"
                stored = copy.copy(exchange)
                stored.request_headers = stored.response_headers = {}
                stored.request_body = stored.response_body = b""
        if not self.keep_bodies and (len(stored.request_body) > 4096 or len(stored.response_body) > 4096):
            stored = copy.copy(stored) if stored is exchange else stored
            stored.request_body = stored.request_body[:4096]
            stored.response_body = stored.response_body[:4096]
        return stored

    def _write(self, new: list[JournalTicket], judged: list[JournalTicket], *, judged_now: bool) -> None:
        """Under the commit lock, one transaction: insert the new exchanges, store the verdicts of the judged
        ones. Then wake the waiters, hand the new ones to the judge, publish and release what is complete."""
        for ticket in new:
            ticket.stored = self._stored_form(ticket.exchange)
        try:
            self._commit([to_row(t.stored) for t in new], [verdict_row(t.stored) for t in judged])
        except Exception:  # noqa: BLE001 - one bad row (any driver error) must not cost its batch-mates their evidence
            for ticket in new:
                self._try_commit([to_row(ticket.stored)], [])
            for ticket in judged:
                self._try_commit([], [verdict_row(ticket.stored)])
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
        except Exception as exc:  # noqa: BLE001 - any driver error: keep serving; the admin health endpoint reports it
            self.write_errors += 1
            self.last_error = repr(exc)

    def _commit(self, rows: list[dict], updates: list[dict]) -> None:
        """Under the commit lock, on the journal's one connection (no pool checkout and reset per commit)."""
        conn = self._conn if self._conn is not None else self.db.engine.connect()
        try:
            if self._sqlite_insert:
                raw = conn.connection.dbapi_connection
                assert raw is not None, "a checked-out connection always holds its DBAPI connection"
                try:
                    cursor = raw.cursor()
                    if rows:
                        cursor.executemany(self._sqlite_insert, [self._values(row) for row in rows])
                    if updates:
                        cursor.executemany(self._sqlite_verdicts,
                                           [(u["b_summary"], u["b_verdicts"], u["b_id"]) for u in updates])
                    raw.commit()
                except BaseException:
                    raw.rollback()
                    raise
            else:
                with conn.begin():
                    if rows:
                        conn.execute(self.table.insert(), rows)
                    if updates:
                        self._store_verdicts(conn, updates)
        except Exception:
            conn.close()  # a broken connection is not kept: the next commit opens a fresh one
            self._conn = None
            raise
        self._conn = conn

    def _store_verdicts(self, conn: Connection, updates: list[dict]) -> None:
        """Insert (or replace, for an exchange judged again) the verdict rows, on a server database."""
        v = self.verdicts
        ids = [u["b_id"] for u in updates]
        conn.execute(delete(v).where(v.c.id.in_(ids)))
        conn.execute(v.insert(), [{"id": u["b_id"], "summary": u["b_summary"], "verdicts": u["b_verdicts"]}
                                  for u in updates])

    # --- reading ---------------------------------------------------------------------------
    def _select(self, bodies: bool = True) -> Any:
        """The exchanges with their verdicts: those of the verdicts table when judged, else their own."""
        t, v = self.table, self.verdicts
        skipped = ("summary", "verdicts") if bodies else ("summary", "verdicts", "request_body", "response_body")
        return select(*[c for c in t.columns if c.name not in skipped],
                      func.coalesce(v.c.summary, t.c.summary).label("summary"),
                      func.coalesce(v.c.verdicts, t.c.verdicts).label("verdicts")
                      ).select_from(t.outerjoin(v, v.c.id == t.c.id))

    def query(self, q: ExchangeQuery, *, bodies: bool = True) -> list[Exchange]:
        self.flush()
        t = self.table
        stmt = self._select(bodies)
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
        return [from_row(r._mapping) for r in rows]

    def get(self, exchange_id: str) -> Exchange | None:
        self.flush()
        with self.db.engine.connect() as conn:
            row = conn.execute(self._select().where(self.table.c.id == exchange_id)).first()
        return from_row(row._mapping) if row else None

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
            ids = select(self.table.c.id).where(self.table.c.session == session)
            conn.execute(delete(self.verdicts).where(self.verdicts.c.id.in_(ids)))
            return conn.execute(delete(self.table).where(self.table.c.session == session)).rowcount

    def iter_session(self, session: str, *, bodies: bool = True) -> Iterable[Exchange]:
        after = None
        while True:
            page = self.query(ExchangeQuery(session=session, after=after, limit=1000), bodies=bodies)
            yield from page
            if len(page) < 1000:
                return
            after = page[-1].id
