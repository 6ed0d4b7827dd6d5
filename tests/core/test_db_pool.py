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


def test_an_index_added_later_reaches_a_database_created_before_it(tmp_path) -> None:
    from sqlalchemy import Column, Index, MetaData, String, Table, inspect

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = open_database(url)
    old.ensure_tables(Table("things", MetaData(), Column("id", String(8), primary_key=True),
                            Column("session", String(8))))
    old.dispose()
    new = open_database(url)
    table = Table("things", MetaData(), Column("id", String(8), primary_key=True), Column("session", String(8)),
                  Index("ix_things_session_id", "session", "id"))
    assert "ix_things_session_id" not in {i["name"] for i in inspect(new.engine).get_indexes("things")}
    new.ensure_tables(table)
    new.ensure_tables(table)  # idempotent
    assert "ix_things_session_id" in {i["name"] for i in inspect(new.engine).get_indexes("things")}
    new.dispose()


def test_a_session_page_of_the_journal_reads_the_session_id_index(tmp_path) -> None:
    from simulators.core.journal_rows import exchanges_table

    db = open_database(f"sqlite:///{tmp_path / 'bench.db'}")
    table = exchanges_table(db)
    db.ensure_tables(table)
    with db.engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM exchanges WHERE session = 's' ORDER BY id DESC LIMIT 50")))
    assert "ix_exchanges_session_id" in plan and "TEMP B-TREE" not in plan, plan
    db.dispose()
