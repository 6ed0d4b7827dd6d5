"""The bench behind two gunicorn workers sharing one database (PostgreSQL, or SQLite in WAL mode)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from simulators.core.db import open_database
from simulators.wsgi import WORKER_HEADER
from tests.loadtests.gunicorn_support import gunicorn_bench


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/shared.db"
    url = request.getfixturevalue("postgres_url")
    schema = request.getfixturevalue("pg_schema")
    open_database(url, schema=schema).dispose()  # creates the private schema
    return f"{url}?options=-csearch_path%3D{schema}"


def _post(url: str, body: bytes = b"ping") -> requests.Response:
    return requests.post(url, data=body, timeout=10)


def _wait_for(predicate, timeout: float = 10.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_two_workers_share_journal_sessions_and_fault_rules(database_url: str, tmp_path: Path) -> None:
    with gunicorn_bench(database_url, log_path=tmp_path / "gunicorn.log") as base:
        admin = base + "/_bench"
        slow = requests.post(admin + "/faults", json={"kind": "latency", "latency_ms": 150, "service": "echo"},
                             timeout=10)
        assert slow.status_code == 201, slow.text
        time.sleep(1.2)  # both workers reload within a second
        with ThreadPoolExecutor(8) as pool:
            replies = list(pool.map(lambda i: _post(f"{base}/s/mp-run/echo", f"r{i}".encode()), range(24)))
        assert all(r.status_code == 200 for r in replies), [r.status_code for r in replies]
        workers = {r.headers[WORKER_HEADER] for r in replies}
        assert len(workers) == 2, f"requests not spread over both workers: {workers}"

        # the one journal holds every exchange, whichever worker served it
        def journaled() -> int:
            page = requests.get(admin + "/exchanges", params={"session": "mp-run", "limit": 100}, timeout=10)
            return len(page.json()["exchanges"])
        _wait_for(lambda: journaled() == 24)
        sessions = [s["name"] for s in requests.get(admin + "/sessions", timeout=10).json()]
        assert sessions.count("mp-run") == 1  # created concurrently by both workers, stored once

        # a rule set through one worker applies in the other
        requests.delete(admin + "/faults", timeout=10)
        added = requests.post(admin + "/faults", json={"kind": "fault", "fault": "teapot", "service": "echo"},
                              timeout=10)
        setter = added.headers[WORKER_HEADER]
        seen_elsewhere = []

        def teapot_from_other_worker() -> bool:
            r = _post(base + "/echo")
            if r.headers[WORKER_HEADER] != setter:
                seen_elsewhere.append(r.status_code)
            return 418 in seen_elsewhere
        _wait_for(teapot_from_other_worker, timeout=15)
        assert seen_elsewhere[-1] == 418
        rules = requests.get(admin + "/faults", timeout=10).json()["rules"]
        assert [r["fault"] for r in rules] == ["teapot"]


def test_a_missing_service_is_named_in_french(monkeypatch: pytest.MonkeyPatch) -> None:
    from simulators.wsgi import WsgiSetupError, build_worker

    with pytest.raises(WsgiSetupError, match="SOCLE_BENCH_SERVICE manquant"):
        build_worker({})
    with pytest.raises(WsgiSetupError, match="service inconnu"):
        build_worker({"SOCLE_BENCH_SERVICE": "nope"})
