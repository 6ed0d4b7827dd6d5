"""`socle-bench load` end to end: locust in its own process against the echo service (5 users, 3 s)."""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from simulators import loadcli
from simulators.core.journal import ExchangeQuery
from simulators.core.lifecycle import wait_for_port

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
ECHO = "tests.support.echo:EchoSimulator"


def load(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="socle-bench")
    loadcli.register(parser.add_subparsers())
    args = parser.parse_args(["load", "--locustfile", str(HERE / "locust_echo.py"),
                              "--thresholds", str(HERE / "thresholds_test.toml"),
                              "--users", "5", "--spawn-rate", "10", "--duration", "3s", *argv])
    code = args.func(args)
    return code, capsys.readouterr().out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_load_passes_its_thresholds_and_applies_the_run_fault_rules(bench, tmp_path, capsys) -> None:
    out = tmp_path / "results"
    code, printed = load(["--profile", "echo", "--target", bench.admin_url, "--out", str(out),
                          "--fault", "service=echo,kind=latency,latency_ms=20"], capsys)
    assert code == 0, printed + (out / "locust.log").read_text()
    assert "bench running" in printed and "thresholds met" in printed
    for artefact in ("locust_stats.csv", "locust.html", "locust_final.json", "thresholds.json"):
        assert (out / artefact).stat().st_size > 0, artefact
    verdicts = json.loads((out / "thresholds.json").read_text())["verdicts"]
    assert {v["metric"] for v in verdicts} == {"p95_ms", "error_rate", "min_requests"}
    # the load ran in its own session, through the latency rule, which is removed afterwards
    exchanges = bench.runtime.journal.query(ExchangeQuery(session="load", limit=10_000), bodies=False)
    assert len(exchanges) >= 5 and {e.fault for e in exchanges} == {"latency"}
    assert requests.get(bench.admin_url + "/_bench/faults", timeout=5).json()["rules"] == []


def test_missed_thresholds_exit_non_zero(bench, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SOCLE_TEST_STATUS", "500")  # a quarter of the requests fail
    code, printed = load(["--profile", "strict", "--target", bench.admin_url, "--out", str(tmp_path)], capsys)
    assert code == 1
    assert "FAIL overall: p95_ms" in printed and "FAIL overall: error_rate" in printed
    assert "THRESHOLDS MISSED" in printed


def test_starts_a_bench_when_none_answers(tmp_path, capsys) -> None:
    config = tmp_path / "bench.toml"
    config.write_text("tls = false\n", encoding="utf-8")  # no PKI to create: a short test
    code, printed = load(["--profile", "echo", "--target", f"http://127.0.0.1:{_free_port()}",
                          "--services", ECHO, "--config", str(config), "--out", str(tmp_path)], capsys)
    assert code == 0, printed + (tmp_path / "locust.log").read_text()
    assert "bench started for the load" in printed


def test_a_vendor_dui_driver_takes_the_profiles_actions(bench, tmp_path, capsys) -> None:
    code, printed = load(["--profile", "ror", "--locustfile", str(ROOT / "loadtests/locustfiles/ror.py"),
                          "--target", bench.admin_url, "--dui", "tests.loadtests.dui_driver:EchoDui",
                          "--dui-url", bench.url("echo"), "--out", str(tmp_path)], capsys)
    assert code == 0, printed + (tmp_path / "locust.log").read_text()
    final = {(e["method"], e["name"]): e for e in json.loads((tmp_path / "locust_final.json").read_text())}
    assert final[("DUI", "ROR rechercher des offres")]["num_failures"] == 0
    echoed = bench.runtime.journal.query(ExchangeQuery(service="echo", limit=1000))
    assert echoed and echoed[0].request_body.startswith(b"ROR 177 ")  # the DUI's own API was called


def test_no_start_and_bad_options_are_usage_errors(tmp_path, capsys) -> None:
    dead = f"http://127.0.0.1:{_free_port()}"
    assert load(["--profile", "echo", "--target", dead, "--no-start", "--out", str(tmp_path)], capsys)[0] == 2
    assert load(["--profile", "echo", "--duration", "soon", "--out", str(tmp_path)], capsys)[0] == 2
    assert load(["--fault", "kind", "--out", str(tmp_path)], capsys)[0] == 2


@pytest.fixture
def mail_servers(tmp_path):
    """aiosmtpd (SMTP) and pymap with its demo mailbox (IMAP), both on loopback."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    smtp_port = _free_port()
    smtp = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    imap_port = _free_port()
    pymap = subprocess.Popen([str(Path(sys.executable).with_name("pymap")), "--no-tls", "--host", "127.0.0.1",
                              "--port", str(imap_port), "--no-service", "admin", "dict", "--demo-data"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port("127.0.0.1", imap_port, timeout=20)
        yield f"127.0.0.1:{smtp_port}", f"127.0.0.1:{imap_port}"
    finally:
        pymap.terminate()
        pymap.wait(timeout=10)
        smtp.stop()


def test_smtp_and_imap_requests_show_in_locust_statistics(bench, mail_servers, tmp_path, capsys,
                                                          monkeypatch) -> None:
    smtp, imap = mail_servers
    monkeypatch.setenv("SOCLE_TEST_SMTP", smtp)
    monkeypatch.setenv("SOCLE_TEST_IMAP", imap)
    code, printed = load(["--profile", "named", "--target", bench.admin_url, "--out", str(tmp_path)], capsys)
    assert code == 0, printed + (tmp_path / "locust.log").read_text()
    csv_text = (tmp_path / "locust_stats.csv").read_text()
    assert "SMTP,envoi" in csv_text and "IMAP,releve" in csv_text
    final = {(e["method"], e["name"]): e for e in json.loads((tmp_path / "locust_final.json").read_text())}
    assert final[("SMTP", "envoi")]["num_requests"] >= 3 and final[("SMTP", "envoi")]["num_failures"] == 0
    assert final[("IMAP", "releve")]["total_content_length"] > 0  # the demo mailbox's messages
    assert "OK  envoi: min_requests" in printed


def test_locust_arguments_after_double_dash_are_passed_through() -> None:
    parser = argparse.ArgumentParser()
    loadcli.register(parser.add_subparsers())
    args = parser.parse_args(["load", "--users", "2", "--", "--master", "--expect-workers", "2"])
    assert args.locust_args == ["--", "--master", "--expect-workers", "2"] and args.users == 2


def test_bench_command_hands_its_options_to_the_benchmark_script(monkeypatch) -> None:
    import loadtests.bench

    seen: list[list[str]] = []
    monkeypatch.setattr(loadtests.bench, "main", lambda argv: seen.append(argv) or 0)
    parser = argparse.ArgumentParser()
    loadcli.register(parser.add_subparsers())
    args = parser.parse_args(["bench", "--quick", "ins", "dmp", "--no-peers", "--json", "out.json"])
    assert args.func(args) == 0
    assert seen == [["ins", "dmp", "--quick", "--no-peers", "--json", "out.json"]]
