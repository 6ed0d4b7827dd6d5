"""Fault rules and sessions shared by several processes through one database (two engines or two
registries on two connections to one SQLite WAL file stand for two worker processes)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from simulators.core.db import open_database
from simulators.core.faults import FaultEngine, FaultRule, SharedFaultStore
from simulators.core.sessions import SessionError, SessionRegistry


def _engine(url: str, refresh_s: float = 0.05) -> FaultEngine:
    store = SharedFaultStore(open_database(url))
    store.create_tables()
    return FaultEngine(seed=1, store=store, refresh_s=refresh_s)


def _eventually(predicate, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "not propagated in time"
        time.sleep(0.02)


def test_a_rule_added_in_one_process_applies_in_the_other_within_the_refresh(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/shared.db"
    a, b = _engine(url), _engine(url)
    assert b.decide("s", "dmp", "iti-41").action is None
    rule = a.add(FaultRule(session="*", kind="error", service="dmp", duration_s=600))
    _eventually(lambda: b.decide("s", "dmp", "iti-41").action == "error")
    assert [r.id for r in b.rules()] == [rule.id]
    assert b.remove(rule.id) and not a.remove("nope")
    _eventually(lambda: a.decide("s", "dmp", "iti-41").action is None)


def test_polling_is_bounded_by_the_refresh_period(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/shared.db"
    a, b = _engine(url), _engine(url, refresh_s=30.0)
    b.decide("s", "x", "y")  # first poll now; the next one in 30 s
    a.add(FaultRule(session="*", kind="drop"))
    assert b.decide("s", "x", "y").action is None  # not polled again yet: the hot path stays cheap
    b.refresh(force=True)
    assert b.decide("s", "x", "y").action == "drop"


def test_clear_by_session_and_configuration_rules_are_put_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/shared.db"
    a, b = _engine(url), _engine(url)
    a.add(FaultRule(kind="error", session="ci"))
    a.add(FaultRule(kind="drop", session="other"))
    assert b.clear("ci") == 1
    assert [r.session for r in a.rules()] == ["other"]
    first = FaultRule(session="*", kind="latency", latency_ms=5, id="config-0", created_at=100.0)
    a.store.put(first, replace=False)
    a.store.put(FaultRule(session="*", kind="latency", latency_ms=9, id="config-0", created_at=200.0), replace=False)
    kept = next(r for r in b.rules() if r.id == "config-0")
    assert (kept.latency_ms, kept.created_at) == (5, 100.0)


def test_without_a_store_the_engine_stays_in_memory() -> None:
    engine = FaultEngine(seed=1)
    rule = engine.add(FaultRule(session="*", kind="error"))
    assert engine.store is None and engine.rules() == [rule]


def test_sessions_created_elsewhere_resolve_without_being_recreated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/shared.db"
    a = SessionRegistry(open_database(url))
    b = SessionRegistry(open_database(url), auto_create=False)
    a.start()
    b.start()
    created_in_b: list[str] = []
    b.on_create(created_in_b.append)
    a.create("ci-42")
    assert b.resolve("ci-42") == "ci-42" and created_in_b == []
    assert b.exists("ci-42")
    with pytest.raises(SessionError, match="existe déjà"):
        b.create("ci-42")
    assert b.create("ci-42", exist_ok=True).name == "ci-42"


def test_concurrent_creation_by_two_processes_stores_each_session_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/shared.db"
    registries = [SessionRegistry(open_database(url)) for _ in range(2)]
    for registry in registries:
        registry.start()
    errors: list[BaseException] = []

    def create_all(registry: SessionRegistry) -> None:
        try:
            for i in range(15):
                registry.resolve(f"race-{i}")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=create_all, args=(r,)) for r in registries]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    names = [s.name for s in registries[0].list()]
    assert sorted(n for n in names if n.startswith("race-")) == sorted(f"race-{i}" for i in range(15))


def test_a_shared_registry_forgets_a_session_deleted_elsewhere(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/shared.db"
    a = SessionRegistry(open_database(url))
    b = SessionRegistry(open_database(url), auto_create=False, shared=True, refresh_s=0.05)
    a.start()
    b.start()
    a.create("gone")
    assert b.resolve("gone") == "gone"
    a.delete("gone")
    time.sleep(0.1)
    with pytest.raises(SessionError, match="inconnue"):
        b.resolve("gone")
