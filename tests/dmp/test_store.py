"""The store on SQLite and PostgreSQL: seeding, one-transaction registration, duplicate uniqueId,
indexed FindDocuments columns, session reset."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.core.db import open_database
from simulators.dmp.model import DEPRECATED, DuplicateUniqueId
from simulators.dmp.seed import make_seeder, seed_submissions
from simulators.dmp.store import DmpStore
from tests.dmp.conftest import SEED


def _exercise(store: DmpStore, world) -> None:
    store.create_tables()
    store.ensure_seeded("a")
    elise = world.person("elise").ins.value
    assert store.dossier("a", elise).person_id == "elise"
    t = store.entries_table
    seeded = store.entries_where("a", t.c.patient_ins == elise)
    assert len(seeded) == 7 and store.counts("a")["docs"] == 11
    sub = seed_submissions(world)[0]
    with pytest.raises(DuplicateUniqueId):
        store.register("a", None, [], [], [(sub.entries[0], b"x")])
    assert store.counts("a")["docs"] == 11
    store.register("a", None, [], [], [], deprecate=[seeded[0].entry_uuid])
    assert store.entries_by("a", uuids=[seeded[0].entry_uuid])[0].status == DEPRECATED
    assert store.entries_where("a", t.c.patient_ins == elise, t.c.type_code == "83901-9")[0].title == "Bilan psychologique"
    store.drop_session("a")
    assert store.counts("a")["docs"] == 0 and store.dossier("a", elise) is None
    store.ensure_seeded("a")
    assert store.counts("a")["docs"] == 11


def test_store_on_sqlite(tmp_path: Path, world) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'dmp.db'}")
    try:
        _exercise(DmpStore(db, seeder=make_seeder(SEED, repository_uid="1.2.3")), world)
    finally:
        db.dispose()


def test_store_on_postgresql(postgres_url: str, pg_schema: str, world) -> None:
    db = open_database(postgres_url, schema=pg_schema)
    try:
        _exercise(DmpStore(db, seeder=make_seeder(SEED, repository_uid="1.2.3")), world)
    finally:
        db.dispose()


def test_access_history_is_written_behind_yet_always_visible_and_kept_at_shutdown(tmp_path: Path) -> None:
    """Reads queue their access records (no transaction of their own); the patient's history query
    flushes first, so it shows every answered access; close() writes what is still queued."""
    import sqlite3

    from simulators.dmp.model import AccessRecord

    path = tmp_path / "dmp.db"
    store = DmpStore(open_database(f"sqlite:///{path}"))
    store.create_tables()
    store.access_log.linger_s = 3600  # the flusher would wait an hour: only explicit flushes write

    def stored() -> int:
        with sqlite3.connect(path) as conn:
            return conn.execute("select count(*) from dmp_access").fetchone()[0]

    def record(i: int) -> AccessRecord:
        return AccessRecord(ins="1234", at=1000.0 + i, action="recherche", structure_id="S", actor="A",
                            profession="10", mode="normal", outcome="autorise")

    store.record_access("a", [record(0), record(1)])
    assert stored() == 0  # written behind: the read did not pay a transaction
    assert [r.at for r in store.access_history("a", "1234")] == [1001.0, 1000.0] and stored() == 2
    store.record_access("a", [record(2)])
    store.close()
    assert stored() == 3
    store.record_access("a", [record(3)])  # after shutdown: written at once
    assert stored() == 4
    store.db.dispose()
