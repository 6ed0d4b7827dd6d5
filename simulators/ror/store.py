"""State of the ROR simulator: FHIR resources (JSON) per session in SQLAlchemy Core tables, and the
in-memory `SessionIndex` built from them on first use and dropped on every write.

A session is seeded lazily on first access from the world (`seed.py`, cached per seed, a few ms)
and, when configured (`volume`), with generated offers. Writes come only from the admin API
(vendors loading their own resources, the volume generator), never from FHIR consumers.
Index invalidation is per process: several bench processes on one PostgreSQL database do not see
each other's admin writes until their session is reset (documented limitation).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Float, Integer, String, Table, Text, delete, func, select
from sqlalchemy.exc import IntegrityError

from simulators.core.db import Database
from simulators.core.memory import settle
from simulators.ror.index import SessionIndex

FREEZE_THRESHOLD = 10_000
VENDOR_POSITION = 1_000_000_000  # rows loaded through the admin API come after seed and volume
Seeder = Callable[[str], list[dict[str, Any]]]
Generator = Callable[[int, str | None], tuple[dict[str, Any], ...]]


class RorStore:
    def __init__(self, db: Database, *, seeder: Seeder, generator: Generator | None = None,
                 default_volume: int = 0, default_region: str | None = None) -> None:
        self.db = db
        self.seeder = seeder
        self.generator = generator
        self.default_volume = default_volume
        self.default_region = default_region
        md = db.metadata
        self.resources = md.tables["ror_resources"] if "ror_resources" in md.tables else Table(
            "ror_resources", md,
            Column("session", String(64), primary_key=True),
            Column("rtype", String(40), primary_key=True),
            Column("rid", String(64), primary_key=True),
            Column("position", Integer, nullable=False, index=True),
            Column("updated_at", Float, nullable=False),
            Column("body", Text, nullable=False))
        self.seeded = md.tables["ror_sessions"] if "ror_sessions" in md.tables else Table(
            "ror_sessions", md,
            Column("session", String(64), primary_key=True),
            Column("seeded_at", Float, nullable=False),
            Column("volume", Integer, nullable=False, default=0),
            Column("region", String(8), nullable=True))
        self._indexes: dict[str, SessionIndex] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.on_write: list[Callable[[str], None]] = []
        self.warmers: list[Callable[[SessionIndex], None]] = []
        db.changes.subscribe("ror", self._changed_elsewhere)  # replicas: another one wrote (docs/replicas.md)

    def create_tables(self) -> None:
        self.db.ensure_tables(self.resources)
        self.db.ensure_tables(self.seeded)

    def _lock(self, session: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(session, threading.Lock())

    # --- reading --------------------------------------------------------------------------------------
    def _changed_elsewhere(self, session: str) -> None:
        self._indexes.pop(session, None)
        self._written(session, here=False)

    def index(self, session: str) -> SessionIndex:
        self.db.changes.poll()
        index = self._indexes.get(session)
        if index is not None:
            return index
        with self._lock(session):
            index = self._indexes.get(session)
            if index is None:
                fresh = self._ensure_seeded(session)
                with self.db.engine.connect() as conn:
                    volume = conn.execute(select(self.seeded.c.volume, self.seeded.c.region)
                                          .where(self.seeded.c.session == session)).first()
                    table = self.resources
                    rows = [] if fresh is not None else conn.execute(  # just written: already in memory
                        select(table.c.body, table.c.position).where(table.c.session == session)
                        .order_by(table.c.position)).all()
                generated: tuple[dict[str, Any], ...] = ()
                if volume is not None and volume[0] and self.generator is not None:
                    generated = self.generator(int(volume[0]), volume[1])
                seeded = fresh if fresh is not None else [json.loads(r[0]) for r in rows if r[1] < VENDOR_POSITION]
                loaded = [json.loads(r[0]) for r in rows if r[1] >= VENDOR_POSITION]
                index = SessionIndex([*seeded, *generated, *loaded])
                index.warm()
                for warmer in self.warmers:
                    warmer(index)
                if len(generated) + len(loaded) > FREEZE_THRESHOLD:
                    # millions of long-lived objects (the resources and what warm() built over them: columns,
                    # inverted indexes, grids): keep them out of every GC pass, whose full passes would
                    # otherwise walk them all (100+ ms pauses, the p99 of searches)
                    settle()
                self._indexes[session] = index
        return index

    def _ensure_seeded(self, session: str) -> list[dict[str, Any]] | None:
        """The seed resources when the session was seeded now, None when it already was."""
        with self.db.engine.connect() as conn:
            done = conn.execute(select(self.seeded.c.session).where(self.seeded.c.session == session)).first()
        if done is not None:
            return None
        resources = self.seeder(session)
        try:
            with self.db.engine.begin() as conn:
                conn.execute(delete(self.resources).where(self.resources.c.session == session))
                self._insert(conn, session, resources, 0)
                conn.execute(self.seeded.insert().values(session=session, seeded_at=time.time(),
                                                         volume=self.default_volume, region=self.default_region))
        except IntegrityError:  # another replica seeded the session meanwhile: read its rows
            return None
        return resources

    def set_volume(self, session: str, volume: int, region: str | None = None) -> None:
        """Add (or replace, or with 0 remove) the generated volume of a session. Only its size, seed
        and region are stored: the offers are rebuilt deterministically (180 MB of JSON otherwise)."""
        self.index(session)
        with self._lock(session), self.db.engine.begin() as conn:
            conn.execute(self.seeded.update().where(self.seeded.c.session == session)
                         .values(volume=volume, region=region))
            self._indexes.pop(session, None)
        self._written(session)

    def count(self, session: str) -> dict[str, int]:
        index = self.index(session)
        return {rtype: len(items) for rtype, items in index.by_type.items()}

    # --- writing (admin API) ----------------------------------------------------------------------------
    def put(self, session: str, resources: list[dict[str, Any]]) -> int:
        """Create or replace resources (same type and id), keeping their JSON unchanged."""
        resources = list({(r["resourceType"], str(r["id"])): r for r in resources}.values())
        if not resources:
            return 0
        self.index(session)  # seeds first, so a vendor's load is added to the default world
        with self._lock(session), self.db.engine.begin() as conn:
            keys = [(r["resourceType"], str(r["id"])) for r in resources]
            for rtype, rid in keys:
                conn.execute(delete(self.resources).where(
                    (self.resources.c.session == session) & (self.resources.c.rtype == rtype)
                    & (self.resources.c.rid == rid)))
            start = conn.execute(select(func.max(self.resources.c.position))
                                 .where(self.resources.c.session == session)).scalar() or 0
            self._insert(conn, session, resources, max(start + 1, VENDOR_POSITION))
            self._indexes.pop(session, None)
        self._written(session)
        return len(resources)

    def remove(self, session: str, rtype: str, rid: str) -> bool:
        self.index(session)
        with self._lock(session), self.db.engine.begin() as conn:
            result = conn.execute(delete(self.resources).where(
                (self.resources.c.session == session) & (self.resources.c.rtype == rtype)
                & (self.resources.c.rid == rid)))
            self._indexes.pop(session, None)
        self._written(session)
        return bool(result.rowcount)

    def drop_session(self, session: str) -> None:
        with self._lock(session), self.db.engine.begin() as conn:
            conn.execute(delete(self.resources).where(self.resources.c.session == session))
            conn.execute(delete(self.seeded).where(self.seeded.c.session == session))
            self._indexes.pop(session, None)
        self._written(session)

    def _written(self, session: str, *, here: bool = True) -> None:
        if here:
            self.db.changes.publish("ror", session)
        for hook in self.on_write:
            hook(session)

    def _insert(self, conn: Any, session: str, resources: list[dict[str, Any]], start: int) -> None:
        now = time.time()
        rows = [{"session": session, "rtype": r["resourceType"], "rid": str(r["id"]), "position": start + i,
                 "updated_at": now, "body": json.dumps(r, ensure_ascii=False, separators=(",", ":"))}
                for i, r in enumerate(resources)]
        for chunk in range(0, len(rows), 5000):
            conn.execute(self.resources.insert(), rows[chunk:chunk + 5000])
