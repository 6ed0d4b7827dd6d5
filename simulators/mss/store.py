"""Durable state of the operator: mailboxes, IMAP folders and messages, patient threads, per session.

SQLAlchemy Core tables on the bench database (`mss_*`), every row keyed by session, so messages
survive a restart and parallel CI sessions never meet. The store is the only UID allocator (one
transaction per delivery batch), which keeps SMTP deliveries and IMAP APPEND/COPY consistent.
Mailboxes are seeded lazily from the world on the first access of a session and cached in memory;
`changes` counts deliveries per box so IMAP sessions of this process notice new mail cheaply.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import (Column, Float, Index, Integer, LargeBinary, MetaData, String, Table, Text,
                        UniqueConstraint, and_, bindparam, delete, func, select, update)

from sqlalchemy.exc import IntegrityError

from simulators.core.db import Database

from .model import Mailbox, StoredMessage, Thread

INBOX = "INBOX"
Seeder = Callable[[str], list[Mailbox]]


def _tables(md: MetaData) -> dict[str, Table]:
    if "mss_messages" in md.tables:
        return {n: md.tables[n] for n in ("mss_mailboxes", "mss_folders", "mss_messages", "mss_threads")}
    return {
        "mss_mailboxes": Table("mss_mailboxes", md, Column("session", String(64), primary_key=True),
                               Column("address", String(320), primary_key=True),
                               Column("kind", String(8), nullable=False),
                               Column("cert_cn", String(128), nullable=False, default=""),
                               Column("data", Text, nullable=False)),
        "mss_folders": Table("mss_folders", md, Column("session", String(64), primary_key=True),
                             Column("address", String(320), primary_key=True),
                             Column("name", String(255), primary_key=True),
                             Column("uid_validity", Integer, nullable=False),
                             Column("next_uid", Integer, nullable=False)),
        "mss_messages": Table("mss_messages", md, Column("id", Integer, primary_key=True, autoincrement=True),
                              Column("session", String(64), nullable=False),
                              Column("address", String(320), nullable=False),
                              Column("folder", String(255), nullable=False),
                              Column("uid", Integer, nullable=False),
                              Column("flags", Text, nullable=False, default=""),
                              Column("internal_date", Float, nullable=False),
                              Column("size", Integer, nullable=False),
                              Column("message_id", Text, nullable=False, default=""),
                              Column("subject", Text, nullable=False, default=""),
                              Column("sender", Text, nullable=False, default=""),
                              Column("raw", LargeBinary, nullable=False),
                              UniqueConstraint("session", "address", "folder", "uid", name="uq_mss_messages_uid"),
                              Index("ix_mss_messages_box", "session", "address", "folder", "uid")),
        "mss_threads": Table("mss_threads", md, Column("session", String(64), primary_key=True),
                             Column("patient_address", String(320), primary_key=True),
                             Column("professional_address", String(320), primary_key=True),
                             Column("reply_to", Text, nullable=False, default=""),
                             Column("closed", Integer, nullable=False, default=0),
                             Column("message_ids", Text, nullable=False, default="[]")),
    }


@dataclass(frozen=True)
class Delivery:
    address: str
    raw: bytes
    message_id: str = ""
    subject: str = ""
    sender: str = ""
    folder: str = INBOX
    flags: tuple[str, ...] = ()


class MssStore:
    def __init__(self, db: Database, *, seeder: Seeder) -> None:
        self.db = db
        self.t = _tables(db.metadata)
        self._seeder = seeder
        self._boxes: dict[str, dict[str, Mailbox]] = {}
        self._lock = threading.RLock()
        self.changes: dict[tuple[str, str], int] = defaultdict(int)
        self.generations: dict[str, int] = defaultdict(int)  # bumped when a session is dropped
        self.listeners: list[Callable[[str, str], None]] = []
        db.changes.subscribe("mss", self._changed_elsewhere)  # replicas: another one wrote (docs/replicas.md)
        f = self.t["mss_folders"]
        folder_key = and_(f.c.session == bindparam("k_session"), f.c.address == bindparam("k_address"),
                          f.c.name == bindparam("k_folder"))
        # Delivery statements built once (the hot path): the UID is taken by one UPDATE ... RETURNING, which
        # locks the folder row until commit on PostgreSQL as SELECT ... FOR UPDATE did (SQLite >= 3.35).
        self._take_uid = update(f).where(folder_key).values(next_uid=f.c.next_uid + 1).returning(f.c.next_uid)
        self._new_folder = f.insert()
        self._insert_messages = self.t["mss_messages"].insert()

    def create_tables(self) -> None:
        for table in self.t.values():
            self.db.ensure_tables(table)

    # --- mailboxes ------------------------------------------------------------------------------
    def _changed_elsewhere(self, session: str) -> None:
        """Mailboxes changed or session dropped by another replica: reload them, and let IMAP re-check."""
        with self._lock:
            self._boxes.pop(session, None)
            self.generations[session] += 1
        for listener in self.listeners:
            listener(session, "*")

    def mailboxes(self, session: str) -> dict[str, Mailbox]:
        self.db.changes.poll()
        boxes = self._boxes.get(session)
        if boxes is not None:
            return boxes
        with self._lock:
            if session in self._boxes:
                return self._boxes[session]
            try:
                loaded = self._load_boxes(session)
            except IntegrityError:  # another replica seeded the session meanwhile: read its rows
                loaded = self._load_boxes(session)
            self._boxes[session] = {b.address.lower(): b for b in loaded}
            return self._boxes[session]

    def _load_boxes(self, session: str) -> list[Mailbox]:
        t = self.t["mss_mailboxes"]
        with self.db.engine.begin() as conn:
            rows = conn.execute(select(t.c.data).where(t.c.session == session)).all()
            if rows:
                return [Mailbox.from_json(json.loads(r.data)) for r in rows]
            seeded = self._seeder(session)
            conn.execute(t.insert(), [self._box_row(session, b) for b in seeded])
            return seeded

    @staticmethod
    def _box_row(session: str, box: Mailbox) -> dict:
        return {"session": session, "address": box.address.lower(), "kind": box.kind,
                "cert_cn": box.cert_cn, "data": json.dumps(box.to_json(), ensure_ascii=False)}

    def mailbox(self, session: str, address: str) -> Mailbox | None:
        return self.mailboxes(session).get(address.lower())

    def put_mailbox(self, session: str, box: Mailbox) -> None:
        self.mailboxes(session)
        t = self.t["mss_mailboxes"]
        with self._lock, self.db.engine.begin() as conn:
            conn.execute(delete(t).where(and_(t.c.session == session, t.c.address == box.address.lower())))
            conn.execute(t.insert().values(**self._box_row(session, box)))
            self._boxes[session][box.address.lower()] = box
        self.db.changes.publish("mss", session)

    def delete_mailbox(self, session: str, address: str) -> bool:
        self.mailboxes(session)
        t = self.t["mss_mailboxes"]
        with self._lock, self.db.engine.begin() as conn:
            done = conn.execute(delete(t).where(and_(t.c.session == session, t.c.address == address.lower())))
            self._boxes[session].pop(address.lower(), None)
        self.db.changes.publish("mss", session)
        return bool(done.rowcount)

    def boxes_for_certificate(self, session: str, cn: str) -> list[Mailbox]:
        return [b for b in self.mailboxes(session).values() if b.cert_cn and b.cert_cn == cn]

    # --- folders --------------------------------------------------------------------------------
    def folder(self, session: str, address: str, name: str = INBOX, *, create: bool = False) -> tuple[int, int] | None:
        """(uid_validity, next_uid) of a folder; INBOX always exists."""
        t = self.t["mss_folders"]
        key = and_(t.c.session == session, t.c.address == address.lower(), t.c.name == name)
        with self.db.engine.begin() as conn:
            row = conn.execute(select(t.c.uid_validity, t.c.next_uid).where(key)).first()
            if row is None and (create or name == INBOX):
                validity = int(time.time()) & 0x7FFFFFFF
                conn.execute(t.insert().values(session=session, address=address.lower(), name=name,
                                               uid_validity=validity, next_uid=1))
                return validity, 1
        return (row.uid_validity, row.next_uid) if row else None

    def folders(self, session: str, address: str) -> list[str]:
        self.folder(session, address)
        t = self.t["mss_folders"]
        with self.db.engine.connect() as conn:
            rows = conn.execute(select(t.c.name).where(and_(t.c.session == session, t.c.address == address.lower())))
            return sorted(r.name for r in rows)

    def delete_folder(self, session: str, address: str, name: str) -> None:
        f, m = self.t["mss_folders"], self.t["mss_messages"]
        with self._lock, self.db.engine.begin() as conn:
            conn.execute(delete(f).where(and_(f.c.session == session, f.c.address == address.lower(), f.c.name == name)))
            conn.execute(delete(m).where(and_(m.c.session == session, m.c.address == address.lower(),
                                              m.c.folder == name)))

    def rename_folder(self, session: str, address: str, before: str, after: str) -> None:
        f, m = self.t["mss_folders"], self.t["mss_messages"]
        with self._lock, self.db.engine.begin() as conn:
            conn.execute(update(f).where(and_(f.c.session == session, f.c.address == address.lower(),
                                              f.c.name == before)).values(name=after))
            conn.execute(update(m).where(and_(m.c.session == session, m.c.address == address.lower(),
                                              m.c.folder == before)).values(folder=after))

    # --- messages -------------------------------------------------------------------------------
    def deliver(self, session: str, deliveries: Iterable[Delivery]) -> list[int]:
        """Store messages in one transaction; returns their UIDs (the store allocates them)."""
        items = list(deliveries)
        uids = []
        now = time.time()
        with self._lock, self.db.engine.begin() as conn:
            rows = []
            for item in items:
                address = item.address.lower()
                taken = conn.execute(self._take_uid, {"k_session": session, "k_address": address,
                                                      "k_folder": item.folder}).first()
                if taken is None:
                    conn.execute(self._new_folder, {"session": session, "address": address, "name": item.folder,
                                                    "uid_validity": int(now) & 0x7FFFFFFF, "next_uid": 2})
                    uid = 1
                else:
                    uid = taken.next_uid - 1
                uids.append(uid)
                rows.append({"session": session, "address": address, "folder": item.folder, "uid": uid,
                             "flags": " ".join(item.flags), "internal_date": now, "size": len(item.raw),
                             "message_id": item.message_id[:998], "subject": item.subject[:998],
                             "sender": item.sender[:320], "raw": item.raw})
            if rows:
                conn.execute(self._insert_messages, rows)
        for item in items:
            self.changes[(session, item.address.lower())] += 1
            for listener in self.listeners:
                listener(session, item.address.lower())
        return uids

    def messages(self, session: str, address: str, folder: str = INBOX, *, after_uid: int = 0) -> list[StoredMessage]:
        m = self.t["mss_messages"]
        cols = [m.c.uid, m.c.flags, m.c.internal_date, m.c.size, m.c.message_id, m.c.subject, m.c.sender]
        with self.db.engine.connect() as conn:
            rows = conn.execute(select(*cols).where(and_(
                m.c.session == session, m.c.address == address.lower(), m.c.folder == folder,
                m.c.uid > after_uid)).order_by(m.c.uid)).all()
        return [StoredMessage(session, address.lower(), folder, r.uid, tuple(r.flags.split()), r.internal_date,
                              r.size, r.message_id, r.subject, r.sender) for r in rows]

    def recent_messages(self, session: str, per_box: int = 200) -> tuple[list[StoredMessage], dict[str, int]]:
        """The `per_box` newest messages of every box of the session (all folders, raw included, newest
        first) and the message count of each box: one ranked query, so a busy session costs what it shows."""
        m = self.t["mss_messages"]
        rank = func.row_number().over(partition_by=m.c.address,
                                      order_by=(m.c.internal_date.desc(), m.c.id.desc())).label("rank")
        ranked = select(m.c.id, rank).where(m.c.session == session).subquery()
        cols = [m.c.address, m.c.folder, m.c.uid, m.c.flags, m.c.internal_date, m.c.size, m.c.message_id,
                m.c.subject, m.c.sender, m.c.raw]
        stmt = (select(*cols).join(ranked, ranked.c.id == m.c.id).where(ranked.c.rank <= max(1, per_box))
                .order_by(m.c.address, m.c.internal_date.desc(), m.c.id.desc()))
        counting = select(m.c.address, func.count()).where(m.c.session == session).group_by(m.c.address)
        with self.db.engine.connect() as conn:
            rows = conn.execute(stmt).all()
            counts = {r[0]: int(r[1]) for r in conn.execute(counting)}
        messages = [StoredMessage(session, r.address, r.folder, r.uid, tuple(r.flags.split()), r.internal_date,
                                  r.size, r.message_id, r.subject, r.sender, bytes(r.raw)) for r in rows]
        return messages, counts

    def raw(self, session: str, address: str, folder: str, uid: int) -> bytes | None:
        m = self.t["mss_messages"]
        with self.db.engine.connect() as conn:
            row = conn.execute(select(m.c.raw).where(and_(m.c.session == session, m.c.address == address.lower(),
                                                          m.c.folder == folder, m.c.uid == uid))).first()
        return bytes(row.raw) if row else None

    def set_flags(self, session: str, address: str, folder: str, changes: dict[int, tuple[str, ...]]) -> None:
        m = self.t["mss_messages"]
        with self._lock, self.db.engine.begin() as conn:
            for uid, flags in changes.items():
                conn.execute(update(m).where(and_(m.c.session == session, m.c.address == address.lower(),
                                                  m.c.folder == folder, m.c.uid == uid)).values(flags=" ".join(flags)))

    def expunge(self, session: str, address: str, folder: str, uids: Iterable[int]) -> None:
        m = self.t["mss_messages"]
        wanted = list(uids)
        if not wanted:
            return
        with self._lock, self.db.engine.begin() as conn:
            conn.execute(delete(m).where(and_(m.c.session == session, m.c.address == address.lower(),
                                              m.c.folder == folder, m.c.uid.in_(wanted))))

    def count(self, session: str, address: str | None = None) -> int:
        m = self.t["mss_messages"]
        query = select(func.count()).select_from(m).where(m.c.session == session)
        if address:
            query = query.where(m.c.address == address.lower())
        with self.db.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    # --- patient threads ------------------------------------------------------------------------
    def thread(self, session: str, patient: str, professional: str) -> Thread | None:
        t = self.t["mss_threads"]
        with self.db.engine.connect() as conn:
            row = conn.execute(select(t).where(and_(t.c.session == session, t.c.patient_address == patient.lower(),
                                                    t.c.professional_address == professional.lower()))).first()
        if row is None:
            return None
        return Thread(session, row.patient_address, row.professional_address, row.reply_to, bool(row.closed),
                      json.loads(row.message_ids))

    def record_thread(self, session: str, patient: str, professional: str, *, message_id: str,
                      reply_to: str = "", closed: bool = False) -> Thread:
        t = self.t["mss_threads"]
        with self._lock:
            current = self.thread(session, patient, professional)
            ids = (current.message_ids if current else []) + ([message_id] if message_id else [])
            thread = Thread(session, patient.lower(), professional.lower(), reply_to, closed, ids[-50:])
            with self.db.engine.begin() as conn:
                conn.execute(delete(t).where(and_(t.c.session == session, t.c.patient_address == patient.lower(),
                                                  t.c.professional_address == professional.lower())))
                conn.execute(t.insert().values(session=session, patient_address=thread.patient_address,
                                               professional_address=thread.professional_address,
                                               reply_to=reply_to, closed=int(closed),
                                               message_ids=json.dumps(thread.message_ids)))
        return thread

    # --- sessions -------------------------------------------------------------------------------
    def drop_session(self, session: str) -> None:
        with self._lock, self.db.engine.begin() as conn:
            for table in self.t.values():
                conn.execute(delete(table).where(table.c.session == session))
            self._boxes.pop(session, None)
            self.generations[session] += 1
        self.db.changes.publish("mss", session)
        for key in [k for k in self.changes if k[0] == session]:
            self.changes[key] += 1
        for listener in self.listeners:
            listener(session, "*")
