"""The SQLite engine: a pool sized for the HTTP worker threads on a file, none for an in-memory database
(SQLAlchemy refuses pool sizes for its SingletonThreadPool: the benchmark's schema probes open one)."""

from __future__ import annotations

from sqlalchemy import text

from simulators.core.db import open_database


def test_an_in_memory_database_opens_and_answers() -> None:
    db = open_database("sqlite://")
    with db.engine.connect() as conn:
        assert conn.execute(text("select 1")).scalar() == 1
    db.dispose()


def test_a_file_database_has_a_pool_for_the_worker_threads(tmp_path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'bench.db'}")
    assert db.engine.pool.size() == 32
    db.dispose()
