"""Every mode builds its runtime with `simulators.core.runtime.build_runtime`, with a live checker.

The recorder below replaces the builder where each mode looks it up: a mode that composed its runtime on
its own (the bug class of load runs without live verdicts) records nothing and fails here, and a mode
that passed no live checker fails on the recorded argument."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.test import Client

import conformance.inprocess as inprocess_module
import simulators.core.bench as bench_module
import simulators.wsgi as wsgi_module
from conformance.inprocess import InProcessBench
from simulators.core import runtime as runtime_module
from simulators.core.config import load_config
from simulators.core.journal import ExchangeQuery
from tests.support.echo import EchoSimulator

ECHO = "tests.support.echo:EchoSimulator"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    real = runtime_module.build_runtime

    def recording(config, **kwargs):
        calls.append(kwargs)
        return real(config, **kwargs)

    for module in (bench_module, wsgi_module, inprocess_module):
        monkeypatch.setattr(module, "build_runtime", recording)
    return calls


def _judged(journal: Any, service: str) -> list[Any]:
    journal.flush()
    exchanges = journal.query(ExchangeQuery(service=service))
    assert exchanges, f"aucun échange {service} journalisé"
    return [e for e in exchanges if e.verdicts]


def _one_live_build(calls: list[dict[str, Any]]) -> None:
    assert len(calls) == 1, "the mode did not build its runtime with build_runtime"
    assert calls[0]["live_checker"] is not None, "the mode built its runtime without a live checker"


def test_build_runtime_states_its_live_checker(tmp_path: Path) -> None:
    config = load_config(None, data_dir=tmp_path, tls=False).ephemeral()
    with pytest.raises(TypeError, match="live_checker"):
        runtime_module.build_runtime(config)  # type: ignore[call-arg]


def test_serve(tmp_path: Path, builds: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    from simulators import cli

    class Served(Exception):
        pass

    seen: dict[str, Any] = {}

    def exchange_then_stop(bench: Any) -> None:
        url = bench.url("ins").rstrip("/")
        requests.post(url if url.endswith("/lps") else url + "/lps", data=b"<pas-du-soap/>", timeout=10,
                      headers={"Content-Type": "application/soap+xml"})
        seen["judged"] = _judged(bench.runtime.journal, "ins")
        raise Served

    config = tmp_path / "bench.toml"
    config.write_text("[ports]\nadmin = 0\nins = 0\nins-cpx = 0\n", encoding="utf-8")
    monkeypatch.setattr(cli, "print_endpoints", exchange_then_stop)
    with pytest.raises(Served):
        cli.main(["serve", "--only", "ins", "--no-tls", "--config", str(config), "--data-dir", str(tmp_path / "d")])
    _one_live_build(builds)
    assert seen["judged"], "the exchange carries no live verdict"


def test_in_process(tmp_path: Path, builds: list[dict[str, Any]]) -> None:
    with InProcessBench(tmp_path, factories=[EchoSimulator()], hosts={"echo.socle.test": "echo"}) as bench:
        requests.post("https://echo.socle.test/echo", data="bonjour", timeout=5)
        assert _judged(bench.runtime.journal, "echo")
    _one_live_build(builds)


def test_gunicorn_worker(tmp_path: Path, builds: list[dict[str, Any]]) -> None:
    bench, app, _admin = wsgi_module.build_worker({"SOCLE_BENCH_SERVICE": ECHO,
                                                   "SOCLE_BENCH_DATA_DIR": str(tmp_path)})
    try:
        assert Client(app).post("/echo", data=b"bonjour").status_code == 200
        assert _judged(bench.runtime.journal, "echo")
    finally:
        bench.close()
    _one_live_build(builds)


def test_load_run(tmp_path: Path, builds: list[dict[str, Any]]) -> None:
    from loadtests.runner import LoadOptions, _start_bench

    bench = _start_bench(LoadOptions(data_dir=tmp_path), (ECHO,))
    try:
        [endpoint] = [e for e in bench.endpoints() if e.service == "echo"]
        verify = str(bench.pki.trust_path) if bench.pki is not None else True  # the bench CA when TLS is on
        requests.post(f"{endpoint.url.rstrip('/')}/echo", data="bonjour", timeout=10, verify=verify)
        assert _judged(bench.runtime.journal, "echo")
    finally:
        bench.stop()
    _one_live_build(builds)


def test_the_recorder_catches_a_mode_that_forgets_the_live_checker(tmp_path: Path,
                                                                    builds: list[dict[str, Any]]) -> None:
    """The failing side: a Bench started without live checker is what the assertion above refuses."""
    config = load_config(None, data_dir=tmp_path, tls=False).ephemeral()
    bench = bench_module.Bench(config, [EchoSimulator()]).start()
    bench.stop()
    with pytest.raises(AssertionError, match="without a live checker"):
        _one_live_build(builds)


def test_the_recorder_catches_a_mode_that_bypasses_the_builder(tmp_path: Path,
                                                                builds: list[dict[str, Any]]) -> None:
    """The failing side: a runtime composed elsewhere (here the builder's own module, not patched) is
    invisible to the recorder, so the per-mode assertion fails."""
    config = load_config(None, data_dir=tmp_path, tls=False).ephemeral()
    rt = runtime_module.build_runtime(config, live_checker=None)
    runtime_module.close_runtime(rt)
    with pytest.raises(AssertionError, match="did not build"):
        _one_live_build(builds)
