"""The bench behind two gunicorn workers sharing one database: PostgreSQL, and SQLite in WAL mode
with gunicorn terminating mutual TLS (callers identified by their certificate)."""

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


@pytest.fixture
def http(database_url: str, tmp_path: Path) -> requests.Session:
    """A client; over mutual TLS (organisation certificate) for the SQLite variant."""
    session = requests.Session()
    session.pki = None  # type: ignore[attr-defined]
    if database_url.startswith("sqlite"):
        from simulators.core.pki.testing import make_test_pki

        pki = make_test_pki(tmp_path / "pki", key_type="ec-p256")
        session.trust_env = False  # REQUESTS_CA_BUNDLE would override the session's verify
        session.verify = str(pki.root_path)
        session.cert = (str(pki.file("org-auth-cli", "chain")), str(pki.file("org-auth-cli", "key")))
        session.pki = pki  # type: ignore[attr-defined]
    return session


def _wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_two_workers_share_journal_sessions_and_fault_rules(database_url: str, http: requests.Session,
                                                            tmp_path: Path) -> None:
    def post(url: str, body: bytes = b"ping") -> requests.Response:
        return http.post(url, data=body, timeout=10)

    with gunicorn_bench(database_url, log_path=tmp_path / "gunicorn.log", pki=http.pki) as base:  # type: ignore[attr-defined]
        admin = base + "/_bench"
        slow = http.post(admin + "/faults", json={"kind": "latency", "latency_ms": 80, "service": "echo"}, timeout=10)
        assert slow.status_code == 201, slow.text
        time.sleep(1.1)  # both workers reload within a second
        with ThreadPoolExecutor(8) as pool:
            replies = list(pool.map(lambda i: post(f"{base}/s/mp-run/echo", f"r{i}".encode()), range(16)))
        assert all(r.status_code == 200 for r in replies), [r.status_code for r in replies]
        workers = {r.headers[WORKER_HEADER] for r in replies}
        assert len(workers) == 2, f"requests not spread over both workers: {workers}"

        # the one journal holds every exchange, whichever worker served it
        def journaled() -> list[dict]:
            page = http.get(admin + "/exchanges", params={"session": "mp-run", "limit": 100}, timeout=10)
            return page.json()["exchanges"]
        _wait_for(lambda: len(journaled()) == 16)
        if http.pki is not None:  # type: ignore[attr-defined]
            assert {e["caller"]["attributes"].get("cn") for e in journaled()} == {"DUI-SOCLE-BENCH"}
        sessions = [s["name"] for s in http.get(admin + "/sessions", timeout=10).json()]
        assert sessions.count("mp-run") == 1  # created concurrently by both workers, stored once

        # a rule set through one worker applies in the other
        http.delete(admin + "/faults", timeout=10)
        added = http.post(admin + "/faults", json={"kind": "fault", "fault": "teapot", "service": "echo"}, timeout=10)
        setter = added.headers[WORKER_HEADER]
        seen_elsewhere = []

        def teapot_from_other_worker() -> bool:
            r = post(base + "/echo")
            if r.headers[WORKER_HEADER] != setter:
                seen_elsewhere.append(r.status_code)
            return 418 in seen_elsewhere
        _wait_for(teapot_from_other_worker, timeout=15)
        assert seen_elsewhere[-1] == 418
        rules = http.get(admin + "/faults", timeout=10).json()["rules"]
        assert [r["fault"] for r in rules] == ["teapot"]


def test_a_missing_service_is_named_in_french(monkeypatch: pytest.MonkeyPatch) -> None:
    from simulators.wsgi import WsgiSetupError, build_worker

    with pytest.raises(WsgiSetupError, match="SOCLE_BENCH_SERVICE manquant"):
        build_worker({})
    with pytest.raises(WsgiSetupError, match="service inconnu"):
        build_worker({"SOCLE_BENCH_SERVICE": "nope"})


def test_a_service_without_that_http_server_names_the_choices(tmp_path: Path) -> None:
    from simulators.wsgi import WsgiSetupError, build_worker

    env = {"SOCLE_BENCH_SERVICE": "tests.support.echo:EchoSimulator", "SOCLE_BENCH_APP": "psc",
           "SOCLE_BENCH_DATA_DIR": str(tmp_path)}
    with pytest.raises(WsgiSetupError, match="SOCLE_BENCH_APP parmi : echo"):
        build_worker(env)
