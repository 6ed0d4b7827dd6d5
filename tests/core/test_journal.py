import os
import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from simulators.core.db import open_database
from simulators.core.events import EventBus
from simulators.core.exchange import Caller, Exchange, Verdict
from simulators.core.journal import ExchangeQuery, Journal


def _exchange(i: int, session: str = "s1", service: str = "ins", operation: str = "op") -> Exchange:
    return Exchange(session=session, service=service, operation=operation, started_at=1000.0 + i,
                    caller=Caller(kind="tls", subject=f"CN=INSI-AUTO,OU={i}"),
                    request_body=f"<req n='{i}'/>".encode(), response_body=b"\x00\xffbinary",
                    request_headers={"Content-Type": "application/soap+xml"}, status=200,
                    summary={"n": i, "nom": "Élise"})


def _journal(url: str, **kw) -> Journal:
    j = Journal(open_database(url), **kw)
    j.start()
    return j


def test_round_trip_and_filters(tmp_path):
    j = _journal(f"sqlite:///{tmp_path}/j.db")
    for i in range(30):
        j.record(_exchange(i, session="s1" if i % 2 else "s2", operation="a" if i < 10 else "b"))
    got = j.query(ExchangeQuery(session="s1"))
    assert len(got) == 15 and [e.summary["n"] for e in got] == sorted(e.summary["n"] for e in got)
    first = got[0]
    assert first.request_body.startswith(b"<req") and first.response_body == b"\x00\xffbinary"
    assert first.caller.subject.startswith("CN=INSI-AUTO") and first.summary["nom"] == "Élise"
    assert len(j.query(ExchangeQuery(session="s1", operation="a"))) == 5
    assert len(j.query(ExchangeQuery(since=1020.0))) == 10
    assert len(j.query(ExchangeQuery(session="s2", until=1004.0))) == 2
    page1 = j.query(ExchangeQuery(session="s1", limit=10))
    page2 = j.query(ExchangeQuery(session="s1", limit=10, after=page1[-1].id))
    assert len(page1) == 10 and len(page2) == 5 and not {e.id for e in page1} & {e.id for e in page2}
    assert j.get(first.id).summary == first.summary
    nobody = j.query(ExchangeQuery(session="s1"), bodies=False)[0]
    assert nobody.request_body == b"" and nobody.summary == first.summary
    assert j.delete_session("s2") == 15 and j.count() == 15
    j.close()


def test_every_exchange_survives_a_restart(tmp_path):
    url = f"sqlite:///{tmp_path}/j.db"
    j = _journal(url, batch_size=7, flush_interval_s=0.5)
    ids = [j.record(_exchange(i)).id for i in range(1000)]
    j.close()  # a clean stop drains the queue
    j2 = _journal(url)
    assert [e.id for e in j2.iter_session("s1", bodies=False)] == sorted(ids)
    j2.close()


def test_live_checker_verdicts_are_stored_and_a_broken_check_is_an_error(tmp_path):
    calls = []

    def checker(ex):
        calls.append(ex.id)
        if ex.summary["n"] == 1:
            raise RuntimeError("bug")
        return [Verdict(check="demo", outcome="pass", requirements=["bench@1"])]

    j = _journal(f"sqlite:///{tmp_path}/j.db", live_checker=checker)
    j.record(_exchange(0))
    j.record(_exchange(1))
    a, b = j.query(ExchangeQuery(session="s1"))
    assert a.verdicts[0].outcome == "pass" and a.verdicts[0].requirements == ["bench@1"]
    assert b.verdicts[0].outcome == "error" and "bug" in b.verdicts[0].message
    j.close()


def test_events_are_published_without_bodies(tmp_path):
    bus = EventBus()
    sub = bus.subscribe()
    j = _journal(f"sqlite:///{tmp_path}/j.db", events=bus)
    j.record(_exchange(0))
    event = sub.get(timeout=1)
    assert event.topic == "exchange" and event.session == "s1" and "request_body" not in event.data
    j.close()


def test_kill_9_during_writes_leaves_a_readable_store(tmp_path):
    db = tmp_path / "j.db"
    script = textwrap.dedent(f"""
        import sys, time
        from simulators.core.db import open_database
        from simulators.core.exchange import Exchange
        from simulators.core.journal import Journal
        j = Journal(open_database("sqlite:///{db}"), batch_size=50, flush_interval_s=0.001)
        j.start()
        i = 0
        while True:
            j.record(Exchange(session="k", service="echo", operation="op", started_at=time.time(),
                              request_body=b"x" * 2000, response_body=b"y" * 2000))
            i += 1
            if i == 500:
                print("writing", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=os.getcwd())
    assert proc.stdout.readline().strip() == b"writing"
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    count = conn.execute("select count(*) from exchanges").fetchone()[0]
    conn.close()
    assert count >= 100
    j = _journal(f"sqlite:///{db}")  # and the bench can reopen it and keep writing
    j.record(_exchange(0, session="k"))
    assert j.count("k") == count + 1
    j.close()


@pytest.mark.postgres
def test_postgresql_store(postgres_url, pg_schema):
    j = Journal(open_database(postgres_url, schema=pg_schema), batch_size=20)
    j.start()
    ids = [j.record(_exchange(i)).id for i in range(120)]
    got = j.query(ExchangeQuery(session="s1", limit=1000))
    assert [e.id for e in got] == sorted(ids)
    assert got[0].response_body == b"\x00\xffbinary" and got[0].summary["nom"] == "Élise"
    j.close()


def _stored_rows(db_path) -> list[tuple]:
    """What is committed right now, read behind the journal's back (no flush)."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("select e.id, coalesce(v.verdicts, e.verdicts), e.request_headers, "
                            "coalesce(v.summary, e.summary) from exchanges e "
                            "left join exchange_verdicts v on v.id = e.id").fetchall()
    finally:
        conn.close()


def test_the_answer_does_not_wait_for_the_live_checks(tmp_path):
    """record() returns once the exchange is committed, while its live check is still running; the
    verdict is stored afterwards, and a reader (flush) sees it."""
    release, started = threading.Event(), threading.Event()

    def slow_checker(ex):
        started.set()
        release.wait(10)
        return [Verdict(check="slow", outcome="pass")]

    j = _journal(f"sqlite:///{tmp_path}/j.db", live_checker=slow_checker)
    ex = j.record(_exchange(0))
    assert not release.is_set()  # the check is still blocked: the answer did not wait for it
    rows = _stored_rows(tmp_path / "j.db")
    assert [r[0] for r in rows] == [ex.id] and json.loads(rows[0][1]) == []  # committed, not judged yet
    assert started.wait(5)
    release.set()
    assert j.flush(10)
    assert [v.check for v in j.get(ex.id).verdicts] == ["slow"]
    j.close()


def test_live_checks_read_the_secrets_the_store_never_sees(tmp_path):
    seen = []

    def checker(ex):
        seen.append(ex.request_headers["Authorization"])
        return [Verdict(check="auth", outcome="pass")]

    bus = EventBus()
    sub = bus.subscribe()
    j = _journal(f"sqlite:///{tmp_path}/j.db", live_checker=checker, events=bus)
    ex = _exchange(0)
    ex.request_headers["Authorization"] = "Bearer opaque-secret"
    j.record(ex)
    event = sub.get(timeout=10)  # published once judged: with its verdict, masked
    assert event is not None and [v["check"] for v in event.data["verdicts"]] == ["auth"]
    assert event.data["request_headers"]["Authorization"] == "Bearer [masqué]"
    assert seen == ["Bearer opaque-secret"]
    stored = j.get(ex.id)
    assert stored.request_headers["Authorization"] == "Bearer [masqué]" and stored.verdicts[0].check == "auth"
    assert "opaque-secret" not in json.dumps([list(r) for r in _stored_rows(tmp_path / "j.db")])
    j.close()


def test_close_stores_the_verdicts_still_being_judged(tmp_path):
    url = f"sqlite:///{tmp_path}/j.db"

    def checker(ex):
        time.sleep(0.002)
        return [Verdict(check="late", outcome="fail", requirements=["bench@2"])]

    j = _journal(url, live_checker=checker, batch_size=16)
    ids = [j.record(_exchange(i)).id for i in range(100)]
    j.close()
    rows = {r[0]: json.loads(r[1]) for r in _stored_rows(tmp_path / "j.db")}
    assert sorted(rows) == sorted(ids) and all(v and v[0]["check"] == "late" for v in rows.values())


def test_verdicts_have_their_own_rows_and_leave_with_their_session(tmp_path):
    url = f"sqlite:///{tmp_path}/j.db"
    j = _journal(url, live_checker=lambda ex: [Verdict(check="v", outcome="pass", requirements=["bench@2"])])
    kept, dropped = _exchange(1), _exchange(2)
    dropped.session = "other"
    j.record(kept)
    j.record(dropped)
    assert j.flush(10)
    conn = sqlite3.connect(tmp_path / "j.db")
    try:  # the exchange's own row is not rewritten (its bodies stay where the insert put them)
        assert {r[0] for r in conn.execute("select verdicts from exchanges")} == {"[]"}
        assert conn.execute("select count(*) from exchange_verdicts").fetchone()[0] == 2
        assert j.get(kept.id).verdicts[0].check == "v"
        assert j.delete_session("other") == 1
        assert [r[0] for r in conn.execute("select id from exchange_verdicts")] == [kept.id]  # no orphan
        # a row written before the verdicts table (or bulk-seeded) keeps its own verdicts
        conn.execute("delete from exchange_verdicts")
        conn.execute("update exchanges set verdicts = ? where id = ?",
                     (json.dumps([{"check": "ancien", "outcome": "fail", "requirements": [], "message": "",
                                   "level": "EXIGENCE"}]), kept.id))
        conn.commit()
    finally:
        conn.close()
    assert [v.check for v in j.get(kept.id).verdicts] == ["ancien"]
    j.close()


def test_concurrent_waiters_lead_the_commit_and_each_answer_follows_its_commit(tmp_path):
    """Durable record() from many threads: the waiters commit for each other (group commit led by a
    request thread, not handed to the writer), and none returns before its own row is in the store."""
    committers: set[str] = set()
    j = _journal(f"sqlite:///{tmp_path}/j.db", live_checker=lambda ex: [Verdict(check="c", outcome="pass")])
    real_commit = j._commit

    def spying_commit(rows, updates):
        if rows:
            committers.add(threading.current_thread().name)
        real_commit(rows, updates)

    j._commit = spying_commit
    reader = sqlite3.connect(tmp_path / "j.db", check_same_thread=False)
    missing: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        for i in range(40):
            ex = j.record(_exchange(n * 100 + i))
            with lock:  # read with another connection, without flush(): committed means visible
                if reader.execute("select count(*) from exchanges where id = ?", (ex.id,)).fetchone()[0] != 1:
                    missing.append(ex.id)

    threads = [threading.Thread(target=client, args=(n,), name=f"client-{n}") for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not missing
    # the request threads committed (the writer too may, for what was queued while it held the lock)
    assert committers & {f"client-{n}" for n in range(6)}
    assert j.flush(10) and j.count() == 240
    assert all(ex.verdicts and ex.verdicts[0].check == "c" for ex in j.query(ExchangeQuery(limit=300)))
    j.close()
    reader.close()
