"""State of the DMP simulator per test session: dossiers, authorisations, access history, and the
XDS registry + repository, in SQLAlchemy Core tables on the bench database.

A submission is written in one transaction (entries, submission set, associations, document
bytes, deprecations of replaced entries), so a process killed at any instant leaves either the whole
submission or nothing. The duplicate-uniqueId rule is enforced by the primary key of the document
table inside that transaction, so two concurrent submissions of the same uniqueId cannot both land.
FindDocuments filters on indexed columns; the full metadata is kept as JSON beside them.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, insert, outerjoin, select, update
from sqlalchemy.exc import IntegrityError

from simulators.core.db import Database
from simulators.dmp.access_log import AccessLog
from simulators.dmp.fragments import FragmentCache
from simulators.dmp.memo import BoundedMemo
from simulators.dmp.records import plain
from simulators.dmp.tables import entry_row, tables_of
from simulators.dmp.model import (
    DEPRECATED, AccessRecord, DuplicateUniqueId, pad_time, Association, Authorization, DocumentEntry, Dossier, SubmissionSet,
)
from simulators.core.events import Event


_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "=": lambda column, value: column == value, "in": lambda column, value: column.in_(value),
    ">=": lambda column, value: column >= value, "<": lambda column, value: column < value,
    "like": lambda column, value: column.like(value)}


def _parse_entry(data: str) -> Callable[[], DocumentEntry]:
    return lambda: DocumentEntry.from_json(json.loads(data))


class DmpStore:
    def __init__(self, db: Database, *, seeder: Callable[[DmpStore, str], None] | None = None,
                 events: Any = None) -> None:
        self.db = db
        self.events = events  # EventBus: every access (feed, search, retrieve, update) is published
        self.t = tables_of(db)
        self.seeder = seeder
        self._seeded: set[str] = set()
        self._seed_lock = threading.Lock()
        self.fragments = FragmentCache()  # serialised ebRIM objects of ITI-18 answers (fragments.py)
        db.changes.subscribe("dmp", self._reset_elsewhere)  # replicas: reset elsewhere (docs/replicas.md)
        self.access_log = AccessLog(self._insert_access)  # write-behind: reads pay no transaction
        self._caller_statement = self._caller_select()
        self._insert = {name: insert(table) for name, table in self.t.items()}  # built once (rows as parameters)
        self._answered: BoundedMemo[DocumentEntry] = BoundedMemo(4096)  # entries of answers, by JSON row
        self._shapes: dict[Any, Any] = {}  # entries_filtered: statement per shape of conditions

    def _reset_elsewhere(self, session: str) -> None:
        self._seeded.discard(session)
        self.fragments.drop_session(session)

    def close(self) -> None:
        """Write the access history still queued (bench shutdown)."""
        self.access_log.close()

    def create_tables(self) -> None:
        for table in self.t.values():
            self.db.ensure_tables(table)

    # --- sessions -------------------------------------------------------------------------------------
    def ensure_seeded(self, session: str) -> None:
        self.db.changes.poll()
        if session in self._seeded or self.seeder is None:
            return
        with self._seed_lock:
            if session in self._seeded:
                return
            seeded = self.t["seeded"]
            with self.db.engine.connect() as conn:
                done = conn.execute(select(seeded.c.at).where(seeded.c.session == session)).first()
            if done is None:
                self.seeder(self, session)
                try:
                    with self.db.engine.begin() as conn:
                        conn.execute(insert(seeded).values(session=session, at=time.time()))
                except IntegrityError:
                    pass  # another process (PostgreSQL multi-instance) seeded the same session meanwhile
            self._seeded.add(session)

    def drop_session(self, session: str) -> None:
        self.access_log.flush()
        with self._seed_lock:
            with self.db.engine.begin() as conn:
                for table in self.t.values():
                    conn.execute(delete(table).where(table.c.session == session))
            self._seeded.discard(session)
            self.fragments.drop_session(session)
        self.db.changes.publish("dmp", session)

    # --- dossiers and authorisations ------------------------------------------------------------------
    def dossier(self, session: str, ins: str) -> Dossier | None:
        t = self.t["dossiers"]
        with self.db.engine.connect() as conn:
            row = conn.execute(select(t.c.data).where(t.c.session == session, t.c.ins == ins)).first()
        return Dossier.from_json(json.loads(row[0])) if row else None

    def save_dossier(self, session: str, dossier: Dossier, conn: Any = None) -> None:
        t = self.t["dossiers"]
        data = json.dumps(dossier.to_json(), ensure_ascii=False)
        with self._conn(conn) as c:
            done = c.execute(update(t).where(t.c.session == session, t.c.ins == dossier.ins).values(data=data))
            if done.rowcount == 0:
                c.execute(insert(t).values(session=session, ins=dossier.ins, data=data))

    def dossiers(self, session: str) -> list[Dossier]:
        t = self.t["dossiers"]
        with self.db.engine.connect() as conn:
            rows = conn.execute(select(t.c.data).where(t.c.session == session)).all()
        return [Dossier.from_json(json.loads(r[0])) for r in rows]

    def dossier_and_authorization(self, session: str, ins: str,
                                  structure_id: str) -> tuple[Dossier | None, Authorization | None]:
        """`dossier(session, ins)` and, when there is one, `authorization(session, ins, structure_id)`: what
        every DMP request reads about its caller, in one prepared statement."""
        with self.db.engine.connect() as conn:
            row = conn.execute(self._caller_statement, {"s": session, "i": ins, "sid": structure_id}).first()
        if row is None:
            return None, None
        dossier = Dossier.from_json(json.loads(row[0]))
        return dossier, (self._authz(row) if row._mapping["status"] is not None else None)

    def _caller_select(self) -> Any:
        d, a = self.t["dossiers"], self.t["authz"]
        on = and_(a.c.session == d.c.session, a.c.ins == d.c.ins, a.c.structure_id == bindparam("sid"))
        return (select(d.c.data, *(c for c in a.c if c.name != "session")).select_from(outerjoin(d, a, on))
                .where(d.c.session == bindparam("s"), d.c.ins == bindparam("i")))

    def authorization(self, session: str, ins: str, structure_id: str) -> Authorization | None:
        t = self.t["authz"]
        with self.db.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.session == session, t.c.ins == ins,
                                               t.c.structure_id == structure_id)).first()
        return self._authz(row) if row else None

    def authorizations(self, session: str, ins: str) -> list[Authorization]:
        t = self.t["authz"]
        with self.db.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.session == session, t.c.ins == ins)).all()
        return [self._authz(r) for r in rows]

    @staticmethod
    def _authz(row: Any) -> Authorization:
        m = row._mapping
        return Authorization(ins=m["ins"], structure_id=m["structure_id"], status=m["status"],
                             granted_at=m["granted_at"] or 0.0, expires_at=m["expires_at"],
                             treating_physician=bool(m["treating"]), subject=m["subject"] or "")

    def save_authorization(self, session: str, a: Authorization, conn: Any = None) -> None:
        t = self.t["authz"]
        values = {"status": a.status, "granted_at": a.granted_at, "expires_at": a.expires_at,
                  "treating": a.treating_physician, "subject": a.subject}
        with self._conn(conn) as c:
            done = c.execute(update(t).where(t.c.session == session, t.c.ins == a.ins,
                                             t.c.structure_id == a.structure_id).values(**values))
            if done.rowcount == 0:
                c.execute(insert(t).values(session=session, ins=a.ins, structure_id=a.structure_id, **values))

    def delete_authorization(self, session: str, ins: str, structure_id: str) -> bool:
        t = self.t["authz"]
        with self.db.engine.begin() as conn:
            done = conn.execute(delete(t).where(t.c.session == session, t.c.ins == ins, t.c.structure_id == structure_id))
        return done.rowcount > 0

    # --- access history -------------------------------------------------------------------------------
    def record_access(self, session: str, records: Iterable[AccessRecord]) -> None:
        rows = [{"session": session, **plain(r)} for r in records]
        if rows:
            self.access_log.add(rows)  # stored within milliseconds; any history read flushes first
            self._publish(session, rows)

    def _insert_access(self, rows: list[dict[str, Any]]) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(self._insert["access"], rows)

    def _publish(self, session: str, rows: list[dict[str, Any]]) -> None:
        if self.events is None or not self.events.has_subscribers:
            return

        for row in rows:
            self.events.publish(Event("dmp", session, {k: v for k, v in row.items() if k != "session"}))

    def access_history(self, session: str, ins: str, limit: int = 500) -> list[AccessRecord]:
        self.access_log.flush()
        t = self.t["access"]
        with self.db.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.session == session, t.c.ins == ins)
                                .order_by(t.c.at.desc(), t.c.id.desc()).limit(limit)).all()
        return [AccessRecord(**{k: v for k, v in r._mapping.items() if k not in ("id", "session")}) for r in rows]

    # --- registry writes ------------------------------------------------------------------------------
    def register(self, session: str, ss: SubmissionSet | None, entries: Sequence[DocumentEntry],
                 associations: Sequence[Association], documents: Sequence[tuple[DocumentEntry, bytes]],
                 *, deprecate: Sequence[str] = (), status_changes: Sequence[tuple[str, str]] = (),
                 access: Sequence[AccessRecord] = ()) -> None:
        """The whole submission or nothing (see module docstring)."""
        now = time.time()
        try:
            with self.db.engine.begin() as conn:
                if documents:
                    conn.execute(self._insert["docs"], [
                        {"session": session, "unique_id": e.unique_id, "repository_uid": e.repository_uid,
                         "mime_type": e.mime_type, "hash": e.hash, "size": e.size, "content": data}
                        for e, data in documents])
                if ss is not None:  # parameters apart from the statement: its compiled form is cached
                    conn.execute(self._insert["subsets"], [{
                        "session": session, "entry_uuid": ss.entry_uuid, "unique_id": ss.unique_id,
                        "patient_ins": ss.patient_id.split("^")[0], "submission_time": pad_time(ss.submission_time),
                        "source_id": ss.source_id, "status": ss.status,
                        "author_structures": " " + " ".join(s for a in ss.authors for s in a.structure_ids) + " ",
                        "data": json.dumps(plain(ss), ensure_ascii=False)}])
                if entries:
                    conn.execute(self._insert["entries"], [entry_row(session, e, now) for e in entries])
                if associations:
                    conn.execute(self._insert["assocs"], [
                        {"session": session, "id": a.id, "type": a.type, "source": a.source, "target": a.target,
                         "status": a.status, "slots": json.dumps(a.slots, ensure_ascii=False)} for a in associations])
                for uuid_ in deprecate:
                    self._set_status(conn, session, uuid_, DEPRECATED)
                for uuid_, status in status_changes:
                    self._set_status(conn, session, uuid_, status)
                access_rows = [{"session": session, **plain(r)} for r in access]
                if access_rows:
                    conn.execute(self._insert["access"], access_rows)
        except IntegrityError as exc:
            raise DuplicateUniqueId(str(exc.orig)) from None
        self._publish(session, access_rows)

    def _set_status(self, conn: Any, session: str, entry_uuid: str, status: str) -> None:
        t = self.t["entries"]
        row = conn.execute(select(t.c.data).where(t.c.session == session, t.c.entry_uuid == entry_uuid)).first()
        if row is None:
            return
        data = json.loads(row[0])
        data["status"] = status
        conn.execute(update(t).where(t.c.session == session, t.c.entry_uuid == entry_uuid)
                     .values(status=status, data=json.dumps(data, ensure_ascii=False)))
        self.fragments.discard(session, "entry", entry_uuid)

    # --- registry reads -------------------------------------------------------------------------------
    def entries_where(self, session: str, *conditions: Any, limit: int | None = None,
                      stored: dict[str, str] | None = None) -> list[DocumentEntry]:
        """`stored`, when given, receives entryUUID -> the JSON row each entry was read from (the version
        its cached ebRIM fragment must match); the entries of such a read (a query's answer) are then shared
        with other answers of the same rows, read-only (remembered by exact JSON row: a changed row is
        parsed again)."""
        return self._entries(session, [conditions], limit, stored)

    def entries_by(self, session: str, *, uuids: Sequence[str] = (), unique_ids: Sequence[str] = (),
                   lids: Sequence[str] = (), stored: dict[str, str] | None = None) -> list[DocumentEntry]:
        """Entries matching any of the lists. One indexed lookup per list: SQLite plans `session = ? AND
        (a IN … OR b IN …)` as a scan of the whole session (EXPLAIN in docs/performance-notes.md)."""
        t = self.t["entries"]
        alternatives = [(column.in_(list(values)),) for column, values in
                        ((t.c.entry_uuid, uuids), (t.c.unique_id, unique_ids), (t.c.lid, lids)) if values]
        return self._entries(session, alternatives, None, stored) if alternatives else []

    def entries_filtered(self, session: str, filters: Sequence[tuple[str, str, Any]], *, limit: int | None = None,
                         stored: dict[str, str] | None = None) -> list[DocumentEntry]:
        """`entries_where` for conditions given as (operator, column, value), operator one of ``= in >= < like``:
        the statement of each shape of conditions is built once, the values are its parameters (a stored
        query builds no SQL expression per request)."""
        shape = (tuple((op, column) for op, column, _ in filters), limit)
        stmt = self._shapes.get(shape)
        if stmt is None:
            if len(self._shapes) > 256:
                self._shapes.clear()
            stmt = self._shapes[shape] = self._filtered_select(*shape)
        params = {"s_": session, **{f"p{i}": value for i, (_, _, value) in enumerate(filters)}}
        return self._read_entries([(stmt, params)], stored)

    def _filtered_select(self, ops: tuple[tuple[str, str], ...], limit: int | None) -> Any:
        t = self.t["entries"]
        conditions = [t.c.session == bindparam("s_")]
        for i, (op, name) in enumerate(ops):
            conditions.append(_COMPARISONS[op](t.c[name], bindparam(f"p{i}", expanding=op == "in")))
        stmt = select(t.c.entry_uuid, t.c.created, t.c.data).where(*conditions).order_by(t.c.created, t.c.entry_uuid)
        return stmt.limit(limit) if limit is not None else stmt

    def _entries(self, session: str, alternatives: Sequence[Sequence[Any]], limit: int | None,
                 stored: dict[str, str] | None) -> list[DocumentEntry]:
        t = self.t["entries"]
        statements: list[tuple[Any, dict[str, Any]]] = []
        for conditions in alternatives:
            stmt = (select(t.c.entry_uuid, t.c.created, t.c.data).where(t.c.session == session, *conditions)
                    .order_by(t.c.created, t.c.entry_uuid))
            statements.append((stmt.limit(limit) if limit is not None else stmt, {}))
        return self._read_entries(statements, stored)

    def _read_entries(self, statements: Sequence[tuple[Any, dict[str, Any]]],
                      stored: dict[str, str] | None) -> list[DocumentEntry]:
        found: dict[str, tuple[float, str]] = {}
        with self.db.engine.connect() as conn:
            for stmt, params in statements:
                for uuid_, created, data in conn.execute(stmt, params):
                    found[uuid_] = (created, data)
        order = sorted(found, key=lambda u: (found[u][0], u)) if len(statements) > 1 else list(found)
        if stored is None:
            return [DocumentEntry.from_json(json.loads(found[u][1])) for u in order]
        stored.update((u, found[u][1]) for u in order)
        return [self._answered.get(found[u][1], _parse_entry(found[u][1])) for u in order]

    def existing_unique_id(self, session: str, unique_ids: Sequence[str]) -> str | None:
        """One of `unique_ids` already in the registry, if any (ITI-41's duplicate check reads no metadata)."""
        t = self.t["entries"]
        with self.db.engine.connect() as conn:
            return conn.execute(select(t.c.unique_id).where(t.c.session == session, t.c.unique_id.in_(list(unique_ids)))
                                .limit(1)).scalar()

    def submission_sets(self, session: str, *conditions: Any, stored: dict[str, str] | None = None) -> list[SubmissionSet]:
        t = self.t["subsets"]
        with self.db.engine.connect() as conn:
            rows = conn.execute(select(t.c.data).where(t.c.session == session, *conditions)
                                .order_by(t.c.submission_time)).all()
        sets = [SubmissionSet.from_json(json.loads(r[0])) for r in rows]
        if stored is not None:
            stored.update((s.entry_uuid, r[0]) for s, r in zip(sets, rows, strict=True))
        return sets

    def associations(self, session: str, object_ids: Sequence[str]) -> list[Association]:
        t = self.t["assocs"]
        ids = list(object_ids)
        if not ids:
            return []
        rows: dict[str, Any] = {}
        with self.db.engine.connect() as conn:  # one indexed lookup per column (see entries_by)
            for column in (t.c.source, t.c.target):
                rows.update((r.id, r) for r in conn.execute(select(t).where(t.c.session == session, column.in_(ids))))
        return [Association(id=r.id, type=r.type, source=r.source, target=r.target, status=r.status,
                            slots=json.loads(r.slots)) for r in rows.values()]

    def document(self, session: str, unique_id: str) -> tuple[str, str, bytes] | None:
        """(repository uniqueId, mime type, content)."""
        t = self.t["docs"]
        with self.db.engine.connect() as conn:
            row = conn.execute(select(t.c.repository_uid, t.c.mime_type, t.c.content)
                               .where(t.c.session == session, t.c.unique_id == unique_id)).first()
        return (row[0], row[1] or "", bytes(row[2])) if row else None

    def counts(self, session: str) -> dict[str, int]:
        from sqlalchemy import func

        out = {}
        self.access_log.flush()
        with self.db.engine.connect() as conn:
            for name in ("entries", "subsets", "assocs", "docs", "dossiers", "access"):
                t = self.t[name]
                out[name] = conn.execute(select(func.count()).select_from(t).where(t.c.session == session)).scalar_one()
        return out

    def _conn(self, conn: Any) -> Any:
        if conn is not None:
            from contextlib import nullcontext

            return nullcontext(conn)
        return self.db.engine.begin()

    @property
    def entries_table(self) -> Table:
        return self.t["entries"]

    @property
    def subsets_table(self) -> Table:
        return self.t["subsets"]


__all__ = ["DmpStore", "DuplicateUniqueId", "and_", "pad_time"]
