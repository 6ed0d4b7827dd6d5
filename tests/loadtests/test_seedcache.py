"""Seeded databases are built once per (kind, size, schema) and copied for each run."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from loadtests.production import rss_mb
from loadtests.seedcache import schema_digest, seeded_file, working_copy


def _build(calls):
    def build(path):
        calls.append(path)
        with sqlite3.connect(path) as db:
            db.execute("create table t (x integer)")
            db.executemany("insert into t values (?)", [(i,) for i in range(10)])
    return build


def _metadata(*columns: str) -> MetaData:
    metadata = MetaData()
    Table("t", metadata, Column("id", Integer, primary_key=True), *(Column(c, String(10)) for c in columns))
    return metadata


def test_built_once_then_reused(tmp_path):
    calls: list = []
    path, info = seeded_file("k", 10, "abc", _build(calls), cache=tmp_path)
    again, info2 = seeded_file("k", 10, "abc", _build(calls), cache=tmp_path)
    assert path == again and len(calls) == 1
    assert info["cached"] is False and info2["cached"] is True and info2["seed_s"] == info["seed_s"]
    copy = working_copy(path, tmp_path / "run" / "bench.db")
    with sqlite3.connect(copy) as db:
        db.execute("insert into t values (99)")
    with sqlite3.connect(path) as db:  # the run wrote to its copy, not to the cached file
        assert db.execute("select count(*) from t").fetchone()[0] == 10


def test_another_size_or_schema_is_another_file(tmp_path):
    calls: list = []
    first = seeded_file("k", 10, schema_digest(_metadata("a")), _build(calls), cache=tmp_path)[0]
    other_size = seeded_file("k", 20, schema_digest(_metadata("a")), _build(calls), cache=tmp_path)[0]
    other_schema = seeded_file("k", 10, schema_digest(_metadata("a", "b")), _build(calls), cache=tmp_path)[0]
    assert len({first, other_size, other_schema}) == 3 and len(calls) == 3
    assert schema_digest(_metadata("a"), version=1) != schema_digest(_metadata("a"), version=2)


def test_a_failed_build_leaves_nothing_to_reuse(tmp_path):
    def broken(path):
        path.write_bytes(b"half")
        raise RuntimeError("disque plein")

    with pytest.raises(RuntimeError):
        seeded_file("k", 10, "abc", broken, cache=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_rss_is_read_for_this_process():
    memory = rss_mb()
    assert memory["rss_mb"] > 0 and memory["rss_peak_mb"] >= memory["rss_mb"]
    assert rss_mb(pid=2**22 + 12345) == {}  # no such process: nothing, not this process's figure


def test_the_seeded_journal_rows_read_back_as_exchanges() -> None:
    """The bench's journal seed is written by the journal's own row mapping: the journal reads it back."""
    from simulators.core.journal_rows import from_row
    from loadtests.bench_journal_sizes import SESSION, _rows

    rows = _rows(0, 11, 1.0e9)
    exchanges = [from_row(row) for row in rows]  # type: ignore[arg-type]  # a dict stands for the RowMapping
    assert [e.session for e in exchanges].count(SESSION) == 9  # every tenth is another session
    assert exchanges[1].verdicts[0].outcome == "pass" and exchanges[1].caller.subject == "CN=INSI-AUTO"
    assert len({e.id for e in exchanges}) == 11
