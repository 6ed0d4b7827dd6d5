"""The journal hook: verdicts on each exchange, fast, and never raising."""

import time

from simulators.core.exchange import Verdict

from conformance.checks import LIVE, Check
from conformance.live import make_live_checker
from conformance.registry import CheckRegistry, default_registry
from tests.conformance.factories import make_exchange
from tests.support import echo_checks


def test_live_checker_returns_verdicts_with_levels():
    registry = default_registry()
    registry.extend(echo_checks.registry())
    checker = make_live_checker(registry)
    verdicts = checker(make_exchange(body=b"un texte bien trop long pour la recommandation"))
    by_check = {v.check: v for v in verdicts}
    assert all(isinstance(v, Verdict) for v in verdicts)
    assert by_check["echo.text-short"].outcome == "fail" and by_check["echo.text-short"].level == "RECOMMANDATION"
    assert by_check["echo.text-uppercase"].outcome == "fail"
    assert by_check["echo.checksum-recorded"].outcome == "error"
    assert by_check["bench.response-produced"].outcome == "pass"
    assert "echo.status-rechecked" not in by_check  # session checks do not run live


def test_live_checker_only_runs_checks_of_the_exchange_service():
    checker = make_live_checker(echo_checks.registry())
    assert checker(make_exchange(service="ror")) == []


def test_live_checker_never_raises():
    def broken_filter(exchange):
        raise RuntimeError("filtre cassé")

    registry = CheckRegistry([Check("demo.broken", "echo", LIVE, ("bench@1",), lambda e: None,
                                    applies=broken_filter)])
    [verdict] = make_live_checker(registry)(make_exchange())
    assert verdict.outcome == "error" and "filtre cassé" in verdict.message

    class NotAnExchange:
        service = "echo"

    verdicts = make_live_checker(default_registry())(NotAnExchange())
    assert verdicts and all(v.outcome == "error" for v in verdicts)


def test_live_checker_is_fast_enough_for_the_write_path():
    checker = make_live_checker(default_registry())
    exchanges = [make_exchange() for _ in range(2000)]
    started = time.perf_counter()
    for exchange in exchanges:
        checker(exchange)
    assert (time.perf_counter() - started) / len(exchanges) < 0.001  # well under 1 ms each
