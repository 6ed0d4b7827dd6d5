"""Live verdicts wherever the bench runs: one construction path (``conformance.live.default_live_checker``)
used by ``serve``, the in-process bench, gunicorn workers and load runs; each mode's exchanges carry verdicts."""

from __future__ import annotations

from pathlib import Path

import requests
from werkzeug.test import Client

from conformance.inprocess import InProcessBench
from conformance.live import default_live_checker
from simulators.core.exchange import Exchange
from simulators.core.journal import ExchangeQuery
from tests.support.echo import EchoSimulator

ECHO = "tests.support.echo:EchoSimulator"


def _has_shipped_verdicts(exchange: Exchange) -> bool:
    """bench@ checks apply to every service: a judged exchange carries at least one of them."""
    return any(v.check.startswith("bench.") for v in exchange.verdicts)


def test_default_live_checker_judges_with_the_shipped_registry() -> None:
    exchange = Exchange(session="s", service="echo", operation="echo", started_at=1.0, status=500,
                        method="POST", request_body=b"x")
    verdicts = default_live_checker()(exchange)
    assert any(v.check.startswith("bench.") for v in verdicts)


def test_in_process_exchanges_carry_live_verdicts(tmp_path: Path) -> None:
    with InProcessBench(tmp_path, factories=[EchoSimulator()], hosts={"echo.socle.test": "echo"}) as bench:
        requests.post("https://echo.socle.test/echo", data="bonjour", timeout=5)
        bench.runtime.journal.flush()
        [exchange] = bench.exchanges("echo")
        assert _has_shipped_verdicts(exchange), exchange.verdicts


def test_gunicorn_worker_exchanges_carry_live_verdicts(tmp_path: Path) -> None:
    from simulators.wsgi import build_worker

    bench, app, _admin = build_worker({"SOCLE_BENCH_SERVICE": ECHO, "SOCLE_BENCH_DATA_DIR": str(tmp_path)})
    try:
        reply = Client(app).post("/echo", data=b"bonjour", headers={"Content-Type": "text/plain"})
        assert reply.status_code == 200
        journal = bench.runtime.journal
        journal.flush()
        [exchange] = journal.query(ExchangeQuery(service="echo"))
        assert _has_shipped_verdicts(exchange), exchange.verdicts
    finally:
        bench.close()


def test_a_load_run_bench_journal_carries_live_verdicts(tmp_path: Path) -> None:
    from loadtests.runner import LoadOptions, _start_bench

    bench = _start_bench(LoadOptions(data_dir=tmp_path), (ECHO,))
    try:
        assert bench.runtime.journal.live_checker is not None
        [endpoint] = [e for e in bench.endpoints() if e.service == "echo"]
        verify = str(bench.pki.trust_path) if bench.pki is not None else True  # the bench CA when TLS is on
        requests.post(f"{endpoint.url.rstrip('/')}/echo", data="bonjour", timeout=10, verify=verify)
        bench.runtime.journal.flush()
        [exchange] = bench.runtime.journal.query(ExchangeQuery(service="echo"))
        assert _has_shipped_verdicts(exchange), exchange.verdicts
    finally:
        bench.stop()


def test_serve_uses_the_same_construction_path() -> None:
    """``socle-bench serve`` builds its journal hook through ``default_live_checker`` too."""
    from simulators import cli

    exchange = Exchange(session="s", service="echo", operation="echo", started_at=1.0, status=500,
                        method="POST", request_body=b"x")
    assert any(v.check.startswith("bench.") for v in cli._live_checker()(exchange))
    source = Path(cli.__file__).read_text(encoding="utf-8")
    assert "default_live_checker()" in source and "make_live_checker" not in source
