"""Demonstration end to end: the echo check set yields pass, fail, warning, skip and error.

Once from a journal file, once from a real bench over its admin API (with the live checker wired
into the journal, as the dashboard sees it).
"""

import json
import time

import requests

from conformance.live import make_live_checker
from conformance.registry import default_registry
from conformance.sources import write_journal
from simulators.cli import main
from simulators.core.bench import Bench
from tests.conformance.factories import make_exchange
from tests.conftest import make_config
from tests.support import echo_checks
from tests.support.echo import EchoSimulator

DEMO = "tests.support.echo_checks:registry"
TEXT = "bonjour le monde, en minuscules et trop long"
EXPECTED = {"echo@1": "pass", "echo@2": "fail", "echo@3": "warning", "echo@4": "skip", "echo@5": "error"}


def _statuses(report_path):
    data = json.loads(report_path.read_text(encoding="utf-8"))
    return data, {r["id"]: r["status"] for r in data["requirements"]}


def test_demo_from_a_journal_file(tmp_path, capsys):
    journal = tmp_path / "journal.jsonl"
    write_journal(journal, [make_exchange(session="demo", body=TEXT.encode())])
    report = tmp_path / "r.json"
    assert main(["check", "--session", "demo", "--journal", str(journal), "--checks", DEMO,
                 "--json", str(report)]) == 1
    data, statuses = _statuses(report)
    assert {k: v for k, v in statuses.items() if k.startswith("echo@")} == EXPECTED
    assert sorted(r["id"] for r in data["requirements"] if r["blocking"]) == ["echo@2", "echo@5"]
    out = capsys.readouterr().out
    for label in ("réussi", "échec", "avertissement", "rien à juger", "erreur"):
        assert label in out


def _wait_for_exchanges(bench, session, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = requests.get(f"{bench.admin_url}/_bench/sessions/{session}", timeout=5)
        if info.status_code == 200 and info.json()["exchanges"] >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"journal did not record {count} exchanges in {timeout} s")


def test_demo_through_a_running_bench(tmp_path, capsys):
    registry = default_registry()
    registry.extend(echo_checks.registry())
    with Bench(make_config(tmp_path), [EchoSimulator()], live_checker=make_live_checker(registry)) as bench:
        echo, admin_url = bench.url("echo"), bench.admin_url
        reply = requests.post(f"{echo}/s/demo/echo", data=TEXT.encode(), timeout=5,
                              headers={"Content-Type": "text/plain; charset=utf-8"})
        assert reply.text == TEXT
        requests.post(f"{echo}/s/autre/echo", data=b"AUTRE", timeout=5)
        _wait_for_exchanges(bench, "demo", 1)

        stored = requests.get(f"{bench.admin_url}/_bench/exchanges", params={"session": "demo"}, timeout=5).json()
        verdicts = {v["check"]: v["outcome"] for v in stored["exchanges"][0]["verdicts"]}
        assert verdicts["echo.text-uppercase"] == "fail" and verdicts["echo.checksum-recorded"] == "error"

        report, junit, bundle = tmp_path / "r.json", tmp_path / "j.xml", tmp_path / "b.zip"
        code = main(["check", "--session", "demo", "--bench-url", bench.admin_url, "--service", "echo",
                     "--checks", DEMO, "--json", str(report), "--junit", str(junit), "--bundle", str(bundle)])
    assert code == 1
    data, statuses = _statuses(report)
    assert {k: v for k, v in statuses.items() if k.startswith("echo@")} == EXPECTED
    assert statuses["bench@1"] == "pass" and statuses["bench@3"] == "pass"
    assert [e["session"] for e in data["exchanges"]] == ["demo"] and data["source"] == admin_url
    assert junit.stat().st_size > 0 and bundle.stat().st_size > 0
    assert "Résultat : NON CONFORME" in capsys.readouterr().out
