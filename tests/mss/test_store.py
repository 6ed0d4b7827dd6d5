"""The mailbox/message store alone, on SQLite and PostgreSQL: seeding, UIDs, flags, threads, reset."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.core.db import Database, open_database
from simulators.mss.model import Mailbox
from simulators.mss.store import Delivery, MssStore

BOXES = [Mailbox("a@x.mssante.test", "PER", "A"), Mailbox("b@x.mssante.test", "ORG", "B", cert_cn="DUI")]


def _exercise(db: Database) -> None:
    store = MssStore(db, seeder=lambda _s: list(BOXES))
    store.create_tables()
    assert set(store.mailboxes("s1")) == {"a@x.mssante.test", "b@x.mssante.test"}
    assert [b.address for b in store.boxes_for_certificate("s1", "DUI")] == ["b@x.mssante.test"]
    uids = store.deliver("s1", [Delivery("A@x.mssante.test", b"Subject: 1\r\n\r\nx", "<1@x>", "1", "b@x"),
                                Delivery("a@x.mssante.test", b"Subject: 2\r\n\r\ny", "<2@x>", "2", "b@x")])
    assert uids == [1, 2]
    assert store.deliver("s2", [Delivery("a@x.mssante.test", b"other session")]) == [1]
    store.set_flags("s1", "a@x.mssante.test", "INBOX", {1: ("\\Seen",)})
    listed = store.messages("s1", "a@x.mssante.test")
    assert [(m.uid, m.flags, m.subject) for m in listed] == [(1, ("\\Seen",), "1"), (2, (), "2")]
    assert store.raw("s1", "a@x.mssante.test", "INBOX", 2).endswith(b"y")
    store.expunge("s1", "a@x.mssante.test", "INBOX", [1])
    assert store.deliver("s1", [Delivery("a@x.mssante.test", b"z")]) == [3]  # UIDs never reused
    store.record_thread("s1", "p@patient.mssante.fr", "a@x.mssante.test", message_id="<1@x>")
    closed = store.record_thread("s1", "p@patient.mssante.fr", "a@x.mssante.test", message_id="<2@x>", closed=True)
    assert closed.closed and store.thread("s1", "p@patient.mssante.fr", "a@x.mssante.test").message_ids == ["<1@x>", "<2@x>"]
    store.drop_session("s1")
    assert store.count("s1") == 0 and store.count("s2") == 1
    assert store.thread("s1", "p@patient.mssante.fr", "a@x.mssante.test") is None
    reopened = MssStore(db, seeder=lambda _s: [])
    assert reopened.messages("s2", "a@x.mssante.test")[0].uid == 1  # durable: a new store object sees it


def test_store_on_sqlite(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'mss.db'}")
    try:
        _exercise(db)
    finally:
        db.dispose()


@pytest.mark.timeout(60)
def test_store_on_postgresql(postgres_url: str, pg_schema: str) -> None:
    db = open_database(postgres_url, schema=pg_schema)
    try:
        _exercise(db)
    finally:
        db.dispose()
