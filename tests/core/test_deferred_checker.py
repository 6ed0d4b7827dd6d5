"""The live checker `serve` builds after it answers (`DeferredChecker`): nothing goes unjudged, a build that
fails is said on every exchange and on the health endpoint, and the build happens once."""

from __future__ import annotations

import threading
from pathlib import Path

import requests

from simulators.core.bench import Bench
from simulators.core.exchange import Exchange, Verdict
from simulators.core.journal import ExchangeQuery
from simulators.core.judge import DeferredChecker
from tests.conftest import make_config
from tests.support.echo import EchoSimulator


def _judging(exchange: Exchange) -> list[Verdict]:
    return [Verdict(check="echo.longueur", outcome="pass" if exchange.request_size < 10 else "fail",
                    requirements=["ECHO-1"], message="longueur")]


def test_exchanges_answered_before_the_checker_is_built_get_their_verdicts(tmp_path: Path) -> None:
    release = threading.Event()
    builds: list[int] = []

    def slow_build():
        builds.append(1)
        assert release.wait(30)
        return _judging

    checker = DeferredChecker(slow_build)
    with Bench(make_config(tmp_path), [EchoSimulator()], live_checker=checker) as bench:
        answers = [requests.post(bench.url("echo") + "/s/tot/echo", data=body, timeout=5)
                   for body in (b"court", b"nettement trop long")]
        assert [a.status_code for a in answers] == [200, 200]  # served while the checks still load
        assert requests.get(bench.admin_url + "/_bench/health", timeout=5).json()["live_checks"] == "loading"
        release.set()
        assert bench.runtime.journal.flush(30)
        stored = bench.runtime.journal.query(ExchangeQuery(session="tot"))
        assert [[v.outcome for v in e.verdicts] for e in stored] == [["pass"], ["fail"]]
        health = requests.get(bench.admin_url + "/_bench/health", timeout=5).json()
        assert health["live_checks"] == "ready" and health["status"] == "ok"
    assert builds == [1]  # the background load and the judge's first call built it once


def test_a_checker_that_cannot_be_built_is_an_error_verdict_and_a_degraded_health(tmp_path: Path) -> None:
    def broken():
        raise ImportError("module de vérifications introuvable")

    with Bench(make_config(tmp_path), [EchoSimulator()], live_checker=DeferredChecker(broken)) as bench:
        assert requests.post(bench.url("echo") + "/s/ko/echo", data=b"x", timeout=5).status_code == 200
        assert bench.runtime.journal.flush(30)
        [stored] = bench.runtime.journal.query(ExchangeQuery(session="ko"))
        [verdict] = stored.verdicts
        assert verdict.outcome == "error" and "module de vérifications introuvable" in verdict.message
        health = requests.get(bench.admin_url + "/_bench/health", timeout=5).json()
        assert health["status"] == "degraded" and health["live_checks"] == "failed"


def test_concurrent_first_calls_build_once() -> None:
    built: list[int] = []
    gate = threading.Barrier(8)

    def build():
        built.append(1)
        return _judging

    checker = DeferredChecker(build)
    results: list[list[Verdict]] = []

    def call() -> None:
        gate.wait()
        results.append(checker(Exchange(session="s", service="echo", operation="op", started_at=0.0)))

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert built == [1] and len(results) == 8 and checker.state == "ready"
