"""`serve --workers`: keep-alive connections spread evenly between the processes (least connections on
shared listening sockets, balance.py), whatever the kernel's hash of their addresses would have said."""

from __future__ import annotations

import collections
import http.client
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from simulators.core import balance as balance_module
from simulators.core.balance import RETIRED, Balance
from simulators.core.bench import Bench
from tests.conftest import make_config
from tests.core.test_workers import journal
from tests.support.echo import EchoSimulator

PORTS = (4001, 4002)


def _view(counts: list[int], slot: int, slots: int = 3) -> Balance:
    return Balance(counts, slots, PORTS, slot)


def test_a_process_accepts_only_while_no_other_holds_fewer_connections() -> None:
    counts = [0] * 6  # three processes, two ports
    first, second = _view(counts, 0), _view(counts, 1)
    assert first.port(4001).my_turn() and second.port(4001).my_turn()  # all even: anyone may take it
    first.port(4001).opened()
    assert not first.port(4001).my_turn()  # slot 0 holds one more than slots 1 and 2
    assert second.port(4001).my_turn() and first.port(4002).my_turn()  # ports are counted apart
    first.retire(2)
    second.port(4001).opened()
    assert first.port(4001).my_turn()  # a retired slot (its process ended) is never the least busy one
    first.port(4001).closed()
    assert counts[:2] == [0, 0] and counts[4:] == [RETIRED, RETIRED]
    assert first.port(9999) is None  # a port the processes do not share is not balanced


def test_a_yielding_process_accepts_after_its_patience(monkeypatch: pytest.MonkeyPatch) -> None:
    counts = [3, 0, 0, 0]
    busy = Balance(counts, 2, PORTS, 0).port(4001)
    clock = [100.0]
    monkeypatch.setattr(balance_module.time, "monotonic", lambda: clock[0])
    assert not busy.my_turn()
    clock[0] += balance_module.PATIENCE_S / 2
    assert not busy.my_turn()
    clock[0] += balance_module.PATIENCE_S
    assert busy.my_turn()  # the other process did not take the connection in time: taken here
    assert not busy.my_turn()  # and the patience starts again for the next one


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    with Bench(make_config(tmp_path_factory.mktemp("balance")), [EchoSimulator()], workers=2) as bench:
        yield bench


def _open_counts(bench: Bench) -> list[int]:
    assert bench.pool is not None
    port_balance = bench.pool.balance.port(urlsplit(bench.url("echo")).port or 0)
    assert port_balance is not None
    return [bench.pool.balance.count(slot, port_balance.column) for slot in range(bench.pool.balance.slots)]


def _spread(bench: Bench, connections: int) -> collections.Counter:
    """Open `connections` keep-alive connections at once, one request on each: requests per process."""
    session = "b-" + uuid.uuid4().hex[:10]
    parts = urlsplit(bench.url("echo"))
    opened = [http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
              for _ in range(connections)]
    try:
        for conn in opened:
            conn.connect()
        for i, conn in enumerate(opened):
            conn.request("POST", f"/s/{session}/echo", body=f"c{i}".encode())
            assert conn.getresponse().read() == f"c{i}".encode()
        assert _open_counts(bench) == [connections // 2, connections // 2]  # held open: counted
        served = collections.Counter(e["id"][20:] for e in journal(bench, session))
    finally:
        for conn in opened:
            conn.close()
    deadline = time.monotonic() + 10
    while _open_counts(bench) != [0, 0]:  # each process sees its closes and counts them down
        assert time.monotonic() < deadline, _open_counts(bench)
        time.sleep(0.02)
    return served


def test_keep_alive_connections_are_split_evenly(pair: Bench) -> None:
    for _ in range(3):  # by hash alone, an even split of 8 happens about once in four
        served = _spread(pair, 8)
        assert sorted(served.values()) == [4, 4], served


def test_a_restarted_worker_takes_its_share_again(tmp_path: Path) -> None:
    import os

    with Bench(make_config(tmp_path), [EchoSimulator()], workers=2) as bench:
        assert bench.pool is not None
        (first,) = bench.worker_pids
        os.kill(first, 9)
        deadline = time.monotonic() + 60
        while not (bench.pool.restarts and bench.pool.tags):
            assert time.monotonic() < deadline, "the dead worker was not replaced"
            time.sleep(0.1)
        served = _spread(bench, 6)
        assert sorted(served.values()) == [3, 3], served
