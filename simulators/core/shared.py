"""Cache invalidation across replicas sharing one PostgreSQL database.

The services keep per-session caches in memory (ROR search indexes, MSS mailboxes, INSi person
snapshots, DMP "already seeded" marks). With several replicas behind a load balancer, a write served
by one replica must drop the caches of the others: the store that wrote calls
`db.changes.publish(scope, session)`, which records (scope, session) with a database-wide sequence
number; every store calls `db.changes.poll()` before reading its cache, which at most once per
`refresh_s` reads the rows whose sequence moved since the last poll and calls the subscribers of
their scope (changes this process published itself are skipped: its caches are already fresh).

On a database no other process serves from (SQLite by default) the feed is inert: `publish` and `poll`
do nothing, behaviour is unchanged. A SQLite file opened as shared (`serve --workers N`, gunicorn
workers) carries the feed as PostgreSQL does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Integer, String, Table, Text, and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError

log = logging.getLogger("socle_bench.shared")

Subscriber = Callable[[str], None]  # receives the session whose data changed elsewhere ("*": every session)


class ChangeFeed:
    def __init__(self, db: Any, *, shared: bool, refresh_s: float = 1.0) -> None:  # db: core.db.Database
        self.db = db
        self.shared = shared
        self.refresh_s = refresh_s
        self._subscribers: dict[str, list[Subscriber]] = defaultdict(list)
        self._lock = threading.Lock()
        self._ready = False
        self._last_seq = 0
        self._own: set[int] = set()
        self._next_poll = 0.0
        self._tables: tuple[Table, Table] | None = None

    def subscribe(self, scope: str, callback: Subscriber) -> None:
        self._subscribers[scope].append(callback)

    # --- tables ---------------------------------------------------------------------------------------
    def _ensure(self) -> tuple[Table, Table]:
        if self._tables is None:
            md = self.db.metadata
            changes = md.tables["shared_changes"] if "shared_changes" in md.tables else Table(
                "shared_changes", md, Column("scope", String(40), primary_key=True),
                Column("session", String(64), primary_key=True), Column("seq", Integer, nullable=False, index=True))
            counter = md.tables["shared_change_seq"] if "shared_change_seq" in md.tables else Table(
                "shared_change_seq", md, Column("id", Integer, primary_key=True), Column("value", Integer, nullable=False))
            self._tables = (changes, counter)
        changes, counter = self._tables
        if not self._ready:
            self.db.ensure_tables(changes, counter)
            try:
                with self.db.engine.begin() as conn:
                    if conn.execute(select(counter.c.id)).first() is None:
                        conn.execute(counter.insert().values(id=1, value=0))
            except IntegrityError:
                pass  # another replica created it first
            with self.db.engine.connect() as conn:  # caches start empty: only later changes matter
                self._last_seq = int(conn.execute(select(func.max(counter.c.value))).scalar() or 0)
            self._ready = True
        return changes, counter

    # --- feed -----------------------------------------------------------------------------------------
    def publish(self, scope: str, session: str) -> None:
        """This process changed (scope, session) in the database: the other replicas drop their caches."""
        if not self.shared:
            return
        with self._lock:
            changes, counter = self._ensure()
            with self.db.engine.begin() as conn:  # the counter's row lock orders concurrent publishers
                conn.execute(update(counter).where(counter.c.id == 1).values(value=counter.c.value + 1))
                seq = int(conn.execute(select(counter.c.value).where(counter.c.id == 1)).scalar_one())
                conn.execute(delete(changes).where(and_(changes.c.scope == scope, changes.c.session == session)))
                conn.execute(changes.insert().values(scope=scope, session=session, seq=seq))
            self._own.add(seq)

    def poll(self, *, force: bool = False) -> None:
        """Call the subscribers of the changes other replicas published since the last poll."""
        if not self.shared or (not force and time.monotonic() < self._next_poll):
            return
        if not self._lock.acquire(blocking=force):
            return  # another thread is polling; this one reads with the caches it has
        try:
            self._next_poll = time.monotonic() + self.refresh_s
            changes, _ = self._ensure()
            with self.db.engine.connect() as conn:
                rows = conn.execute(select(changes.c.scope, changes.c.session, changes.c.seq)
                                    .where(changes.c.seq > self._last_seq).order_by(changes.c.seq)).all()
            remote = []
            for scope, session, seq in rows:
                self._last_seq = max(self._last_seq, seq)
                if seq in self._own:
                    self._own.discard(seq)
                else:
                    remote.append((scope, session))
            self._own = {s for s in self._own if s > self._last_seq}
        except Exception:  # a database hiccup must not fail requests: the caches stay as they are
            log.warning("cannot read the shared change feed", exc_info=True)
            return
        finally:
            self._lock.release()
        for scope, session in remote:
            for callback in self._subscribers.get(scope, ()):
                callback(session)


def shared_value(db: Any, name: str, make: Callable[[], str]) -> str:
    """A value created once for every replica (a signing key's PEM...), kept in the `shared_values` table:
    the first replica to ask stores `make()`, the others (and later restarts) read that one."""
    md = db.metadata
    table = md.tables["shared_values"] if "shared_values" in md.tables else Table(
        "shared_values", md, Column("name", String(64), primary_key=True), Column("value", Text, nullable=False))
    db.ensure_tables(table)
    with db.engine.connect() as conn:
        found = conn.execute(select(table.c.value).where(table.c.name == name)).scalar_one_or_none()
    if found is not None:
        return str(found)
    candidate = make()
    try:
        with db.engine.begin() as conn:
            conn.execute(table.insert().values(name=name, value=candidate))
        return candidate
    except IntegrityError:  # another replica stored its value first: use that one
        with db.engine.connect() as conn:
            return str(conn.execute(select(table.c.value).where(table.c.name == name)).scalar_one())


def shared_signing_key_pem(db: Any, name: str) -> bytes:
    """PEM of a random EC P-256 key (JOSE ES256) created once in the shared database under `name`."""
    from cryptography.hazmat.primitives import serialization  # the codecs' own dependency
    from cryptography.hazmat.primitives.asymmetric import ec

    def make() -> str:
        key = ec.generate_private_key(ec.SECP256R1())
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode("ascii")
    return shared_value(db, f"signing-key:{name}", make).encode("ascii")
