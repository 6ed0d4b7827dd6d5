"""Tables created by several processes at once: the loser of the race finds the table, it does not fail."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, inspect
from sqlalchemy.exc import DBAPIError

from simulators.core.db import open_database


def _table(metadata: MetaData, name: str = "t") -> Table:
    return Table(name, metadata, Column("id", Integer, primary_key=True), Column("v", Integer, index=True))


def test_lost_race_is_retried_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'b.db'}")
    table = _table(db.metadata)
    table.create(db.engine)  # the other process won
    real = Table.create
    calls = []

    def racing(self: Table, bind, checkfirst: bool = False) -> None:
        calls.append(checkfirst)
        real(self, bind, checkfirst=checkfirst and len(calls) > 1)  # first call: "checked" before the winner

    monkeypatch.setattr(Table, "create", racing)
    db.ensure_tables(table)
    assert len(calls) == 2 and inspect(db.engine).has_table("t")


def test_other_database_errors_are_not_swallowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'b.db'}")
    table = _table(db.metadata)

    def broken(self: Table, bind, checkfirst: bool = False) -> None:
        raise DBAPIError("CREATE TABLE", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Table, "create", broken)
    with pytest.raises(DBAPIError):
        db.ensure_tables(table)


def _open_and_create(path: str, barrier: multiprocessing.synchronize.Barrier) -> None:
    db = open_database(f"sqlite:///{path}")
    tables = [_table(db.metadata, f"t{i}") for i in range(20)]
    barrier.wait(timeout=120)  # spawned interpreters start slowly on a loaded machine
    db.ensure_tables(*tables)


def test_processes_creating_the_same_tables_at_once_all_succeed(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4)
    procs = [ctx.Process(target=_open_and_create, args=(str(tmp_path / "b.db"), barrier)) for _ in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(180)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]


def test_switching_to_wal_is_retried_while_another_process_holds_the_file(tmp_path: Path) -> None:
    """SQLite can refuse the WAL switch at once (no busy handler) while another connection holds a lock:
    the bench retries instead of failing to start."""
    import sqlite3
    import threading

    from simulators.core import db as dbmod

    path = tmp_path / "b.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    threading.Timer(0.3, lambda: holder.execute("COMMIT")).start()
    cursor = sqlite3.connect(path, timeout=0, check_same_thread=False).cursor()
    dbmod._set_wal(cursor)  # locked for 0.3 s, then switched
    assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    blocked = sqlite3.connect(tmp_path / "c.db", timeout=0).cursor()
    other = sqlite3.connect(tmp_path / "c.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        blocked.execute("PRAGMA journal_mode=WAL")  # what the retry protects against
    other.execute("COMMIT")
