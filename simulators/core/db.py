"""Database access shared by the journal, the sessions and the services' stores (SQLAlchemy Core).

SQLite in WAL mode is the embedded default: readers never block the journal writer and a process
killed mid-write leaves the last committed transaction intact. PostgreSQL is the multi-machine option;
`schema=` isolates parallel test runs in one database. `shared` says whether other processes serve from
the same database (always on PostgreSQL; on SQLite when `serve --workers N` or gunicorn workers share the
file): then state that must be the same everywhere lives in it and caches follow the `changes` feed.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Index, MetaData, Table, create_engine, event, text

from .shared import ChangeFeed
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from .files import private_file

_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


_CREATE_ATTEMPTS = 5


def _created_meanwhile(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "already exists" in text or "duplicate key" in text or "pg_type_typname" in text


@dataclass
class Database:
    engine: Engine
    metadata: MetaData
    shared: bool = False
    """Other processes may serve from this database (PostgreSQL replicas, `serve --workers`, gunicorn workers):
    state that must be the same in every process lives in it, and in-memory caches follow the `changes`
    feed (docs/replicas.md, docs/workers.md)."""
    changes: ChangeFeed = field(init=False)

    def __post_init__(self) -> None:
        self.changes = ChangeFeed(self, shared=self.shared)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def create_all(self) -> None:
        self.ensure_tables(*self.metadata.sorted_tables)

    def ensure_tables(self, *tables: Table) -> None:
        """Create the tables (and their indexes) that do not exist yet, safely across processes.

        Several processes open one database at once (compose containers on one volume, gunicorn workers,
        replicas on PostgreSQL): "check then create" races, and the loser gets "already exists" (SQLite) or
        a duplicate pg_type key (PostgreSQL). The table is then there: check again instead of failing."""
        for table in tables:
            self._create(table)
            # an index added in a later version reaches a database created before it (create() above only
            # makes the indexes of a table it creates)
            for index in sorted(table.indexes, key=lambda i: str(i.name)):
                self._create(index)

    def _create(self, item: Table | Index) -> None:
        for attempt in range(_CREATE_ATTEMPTS):
            try:
                item.create(self.engine, checkfirst=True)
                return
            except DBAPIError as exc:
                if attempt == _CREATE_ATTEMPTS - 1 or not _created_meanwhile(exc):
                    raise

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, schema: str | None = None, shared: bool = False) -> Database:
    """Open (and create if needed) the bench database at `url`.

    `shared=True`: other processes serve from the same file (SQLite); a server database (PostgreSQL) is
    always shared, since replicas may join it at any time."""
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url)
    else:
        engine = _server_engine(url, schema)
        shared = True
    return Database(engine=engine, metadata=MetaData(), shared=shared)


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        private_file(Path(path))  # 0600; SQLite gives its -wal/-shm files the same mode
    # Pool sized for the HTTP servers' worker threads (48 each): with SQLAlchemy's default 5 + 10, requests
    # queued on the pool's lock and overflow connections were opened (pragmas, WAL) and closed per use
    # (DMP under 200 locust users, docs/performance-notes.md). SQLite connections are cheap; WAL lets readers share.
    # An in-memory database lives in one connection (SingletonThreadPool): no pool to size there.
    pool = {"pool_size": 32, "max_overflow": 96} if path and path != ":memory:" else {}
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # DB-API objects
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=30000")
        _set_wal(cur)
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


def _set_wal(cur: Any) -> None:
    """Switching a new database to WAL needs an exclusive lock that SQLite may refuse at once (SQLITE_BUSY,
    no busy handler) while another process opens the same file: retry a bounded number of times."""
    for attempt in range(50):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.05)


def _server_engine(url: str, schema: str | None) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    kwargs: dict = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}
    if schema:
        if not _SCHEMA_RE.match(schema):
            raise ValueError(f"invalid schema name {schema!r}")
        kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
        bootstrap = create_engine(url, poolclass=NullPool)
        with bootstrap.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        bootstrap.dispose()
    return create_engine(url, **kwargs)


def drop_schema(url: str, schema: str) -> None:
    """Remove a test schema created with `open_database(url, schema=...)`."""
    if not _SCHEMA_RE.match(schema):
        raise ValueError(f"invalid schema name {schema!r}")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()
