"""`serve --workers 2`: the master and one worker process serve the same HTTP ports (shared sockets) over
one SQLite file opened as shared. Which process served an exchange is read from its id (the process tag
every exchange id ends with), so nothing is added on the wire."""

from __future__ import annotations

import http.client
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from simulators.core.bench import Bench
from simulators.core.workers import process_tag
from simulators.ror.factory import SERVICE as ROR
from simulators.ror.model import EXAMPLE_HEADERS
from tests.conftest import make_config
from tests.support.echo import EchoSimulator

FRESH_CONNECTIONS = 40  # each on its own connection: both processes get some (2 * 2**-40 to miss one)


def call(url: str, method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One request on a connection of its own (the process is picked per connection)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body,
                     headers={"Connection": "close", **(headers or {})})
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def journal(bench: Bench, session: str) -> list[dict]:
    status, body = call(f"{bench.admin_url}/_bench/exchanges?session={session}&limit=1000")
    assert status == 200, body
    return json.loads(body)["exchanges"]


def tags(exchanges: list[dict]) -> set[str]:
    return {e["id"][20:] for e in exchanges}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    config = make_config(tmp_path_factory.mktemp("workers"))
    with Bench(config, [EchoSimulator(), ROR], workers=2) as bench:
        assert len(bench.worker_pids) == 1 and len(bench.pool.tags) == 1  # type: ignore[union-attr]
        yield bench


@pytest.fixture
def session() -> str:
    return "w-" + uuid.uuid4().hex[:12]


def worker_tag(bench: Bench) -> str:
    assert bench.pool is not None
    return bench.pool.tags[0]


def test_connections_reach_both_processes_and_the_journal_is_whole(pair: Bench, session: str) -> None:
    url = f"{pair.url('echo')}/s/{session}/echo"
    for i in range(FRESH_CONNECTIONS):
        status, body = call(url, "POST", f"m{i}".encode())
        assert (status, body) == (200, f"m{i}".encode())
    recorded = journal(pair, session)
    assert len(recorded) == FRESH_CONNECTIONS and len({e["id"] for e in recorded}) == FRESH_CONNECTIONS
    assert sorted(e["summary"]["text"] for e in recorded) == sorted(f"m{i}" for i in range(FRESH_CONNECTIONS))
    assert tags(recorded) == {process_tag(), worker_tag(pair)}  # the master (this process) and the worker


def test_a_fault_rule_set_on_the_master_applies_at_once_on_the_worker(pair: Bench, session: str) -> None:
    status, body = call(f"{pair.admin_url}/_bench/faults", "POST", json.dumps(
        {"kind": "fault", "fault": "teapot", "service": "echo", "session": session}).encode(),
        {"Content-Type": "application/json"})
    assert status == 201, body
    # no wait: the admin answer leaves once the worker has reloaded (the periodic reload takes up to 1 s)
    answers = [call(f"{pair.url('echo')}/s/{session}/echo", "POST", b"x")[0] for _ in range(FRESH_CONNECTIONS)]
    assert answers == [418] * FRESH_CONNECTIONS
    assert worker_tag(pair) in tags(journal(pair, session))


def test_a_ror_token_from_one_process_is_accepted_by_the_other(pair: Bench, session: str) -> None:
    origin = pair.url("ror").split("/ws-diffusion-fhir")[0]
    status, body = call(f"{origin}/s/{session}/auth/realms/ror/protocol/openid-connect/token", "POST",
                        b"grant_type=client_credentials&client_id=bench-profil-0&client_secret=secret-profil-0",
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, body
    bearer = {"Authorization": f"Bearer {json.loads(body)['access_token']}", "Accept": "application/fhir+json",
              **EXAMPLE_HEADERS}
    answers = [call(f"{origin}/s/{session}/ws-diffusion-fhir/Organization?_count=1", headers=bearer)
               for _ in range(FRESH_CONNECTIONS)]
    assert [status for status, _ in answers] == [200] * FRESH_CONNECTIONS, answers[0][1][:300]
    searches = [e for e in journal(pair, session) if e["method"] == "GET"]
    assert tags(searches) == {process_tag(), worker_tag(pair)}


def test_the_master_bus_receives_the_worker_exchanges(pair: Bench, session: str) -> None:
    subscription = pair.started_runtime.events.subscribe()
    try:
        seen: set[str] = set()
        deadline = time.monotonic() + 15
        while worker_tag(pair) not in seen:  # the worker starts forwarding once told the master listens
            assert time.monotonic() < deadline, f"no exchange of the worker on the master's bus: {seen}"
            call(f"{pair.url('echo')}/s/{session}/echo", "POST", b"live")
            for event in subscription.drain():
                if event.topic == "exchange" and event.session == session:
                    seen.add(event.data["id"][20:])
            time.sleep(0.02)
    finally:
        subscription.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "zombie" not in status.read_text()


def test_a_dead_worker_is_restarted_and_stop_leaves_no_process(tmp_path: Path) -> None:
    bench = Bench(make_config(tmp_path), [EchoSimulator()], workers=2).start()
    try:
        (first,) = bench.worker_pids
        os.kill(first, 9)
        deadline = time.monotonic() + 60
        while not (bench.pool and bench.pool.restarts and bench.pool.tags):
            assert time.monotonic() < deadline, "the dead worker was not replaced"
            time.sleep(0.1)
        (second,) = bench.worker_pids
        assert second != first and _alive(second)
    finally:
        bench.stop()
    assert not _alive(second) and bench.worker_pids == []


def test_one_worker_is_todays_single_process_bench(tmp_path: Path) -> None:
    with Bench(make_config(tmp_path), [EchoSimulator()]) as bench:
        assert bench.pool is None and bench.worker_pids == []
        assert not bench.started_runtime.db.shared and not bench.started_runtime.shared_ports
