"""Per-session identity base: the shared default base plus each session's own additions/removals.

A session's base is computed, never copied: the seeded persons (world + `[services.ins] persons`,
minus `exclude`) are immutable and shared, and only a session's changes are rows in `ins_persons`
(`removed` marks a default person hidden in that session). That keeps "seed on first access"
free, and a reset just deletes the session's rows. Lookups read an in-memory index per session,
rebuilt after a local change or when older than `cache_ttl_s` (other processes on PostgreSQL).
"""

from __future__ import annotations

import json
import threading
import time
from sqlalchemy import Boolean, Column, String, Table, Text, and_, delete, select

from simulators.core.db import Database
from simulators.identities.world import build_world

from simulators.ins.model import InsPerson
from simulators.ins.options import InsOptions
from simulators.ins.rules import TraitsKey, index_persons
from simulators.ins.seed import person_from_json, world_persons


class SessionBase:
    """One session's persons and their traits index (immutable snapshot)."""

    def __init__(self, persons: tuple[InsPerson, ...]) -> None:
        self.persons = persons
        self.by_id = {p.id: p for p in persons}
        self.index: dict[TraitsKey, tuple[InsPerson, ...]] = index_persons(persons)
        self.loaded_at = time.monotonic()


def _person_from_row(data: str) -> InsPerson:
    raw = json.loads(data)
    return person_from_json(raw, origin=raw.get("origin", "admin"))


class InsStore:
    def __init__(self, db: Database, *, seed: int, options: InsOptions | None = None) -> None:
        self.db = db
        self.options = options or InsOptions()
        self.seed = self.options.world_seed if self.options.world_seed is not None else seed
        self.table = self._table(db)
        self._cache: dict[str, SessionBase] = {}
        self._lock = threading.Lock()
        self.default_persons = self._default_persons()
        self._statuses: dict[str, str] | None = None
        db.changes.subscribe("ins", self._drop_cached)  # replicas: another one wrote (docs/replicas.md)

    @staticmethod
    def _table(db: Database) -> Table:
        if "ins_persons" in db.metadata.tables:
            return db.metadata.tables["ins_persons"]
        return Table("ins_persons", db.metadata,
                     Column("session", String(64), primary_key=True),
                     Column("person_id", String(128), primary_key=True),
                     Column("removed", Boolean, nullable=False, default=False),
                     Column("data", Text, nullable=False, default="{}"))

    def create_tables(self) -> None:
        self.db.ensure_tables(self.table)

    def _default_persons(self) -> tuple[InsPerson, ...]:
        opts = self.options
        base = {p.id: p for p in world_persons(self.seed, opts.returned_oid, opts.persona_oid)}
        for raw in opts.persons:
            person = person_from_json(raw, returned_oid=opts.returned_oid, origin="config")
            base[person.id] = person
        for pid in opts.exclude:
            base.pop(pid, None)
        if opts.environment == "production":  # persons the production base does not know (insi.md §5)
            base = {pid: p for pid, p in base.items() if p.production_cr != "01"}
        return tuple(base.values())

    # --- reading ------------------------------------------------------------------------------
    def base(self, session: str) -> SessionBase:
        self.db.changes.poll()
        cached = self._cache.get(session)
        if cached is not None and time.monotonic() - cached.loaded_at < self.options.cache_ttl_s:
            return cached
        with self._lock:
            snapshot = SessionBase(self._load(session))
            self._cache[session] = snapshot
        return snapshot

    def _load(self, session: str) -> tuple[InsPerson, ...]:
        t = self.table
        with self.db.engine.connect() as conn:
            rows = conn.execute(select(t.c.person_id, t.c.removed, t.c.data).where(t.c.session == session)).all()
        if not rows:
            return self.default_persons
        removed = {r.person_id for r in rows if r.removed}
        added = {r.person_id: _person_from_row(r.data) for r in rows if not r.removed}
        persons = [added.pop(p.id, p) for p in self.default_persons if p.id not in removed]
        return tuple(persons) + tuple(added.values())

    def persons(self, session: str) -> tuple[InsPerson, ...]:
        return self.base(session).persons

    def get(self, session: str, person_id: str) -> InsPerson | None:
        return self.base(session).by_id.get(person_id)

    def world_statuses(self) -> dict[str, str]:
        """Identity status (PROV/VALI/RECUP/QUAL) the world gives each of its persons in a vendor DUI
        at journey start. InsPerson does not carry it (INSi itself knows no status); the dashboard does."""
        if self._statuses is None:
            world = build_world(self.seed, persona_oid=self.options.persona_oid, cnam_oid=self.options.returned_oid)
            self._statuses = {p.id: p.identity_status for p in world.persons}
        return self._statuses

    # --- writing ------------------------------------------------------------------------------
    def add(self, session: str, person: InsPerson) -> InsPerson:
        """Add (or replace, same id) a person in one session only."""
        t = self.table
        data = json.dumps(person.to_json(), ensure_ascii=False)
        with self.db.engine.begin() as conn:
            conn.execute(delete(t).where(and_(t.c.session == session, t.c.person_id == person.id)))
            conn.execute(t.insert().values(session=session, person_id=person.id, removed=False, data=data))
        self._invalidate(session)
        return person

    def remove(self, session: str, person_id: str) -> bool:
        """Hide a default person, or delete an added one, in one session; False when unknown."""
        if self.get(session, person_id) is None:
            return False
        t = self.table
        is_default = any(p.id == person_id for p in self.default_persons)
        with self.db.engine.begin() as conn:
            conn.execute(delete(t).where(and_(t.c.session == session, t.c.person_id == person_id)))
            if is_default:
                conn.execute(t.insert().values(session=session, person_id=person_id, removed=True, data="{}"))
        self._invalidate(session)
        return True

    def drop_session(self, session: str) -> None:
        """Reset/delete hook: the session goes back to the default base."""
        with self.db.engine.begin() as conn:
            conn.execute(delete(self.table).where(self.table.c.session == session))
        self._invalidate(session)

    def _invalidate(self, session: str) -> None:
        self._drop_cached(session)
        self.db.changes.publish("ins", session)

    def _drop_cached(self, session: str) -> None:
        with self._lock:
            self._cache.pop(session, None)
