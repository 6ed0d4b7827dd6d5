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
