"""Check functions: control flow to outcome, and the generic bench@ checks."""

import pytest

from conformance import checks_bench
from conformance.checks import (LIVE, SESSION, AssertionFailed, Check, Finding, expect, expect_true, run_check,
                                skip)
from conformance.evaluate import evaluate
from conformance.outcomes import Outcome
from conformance.registry import CheckRegistry, RegistryError, default_registry, load_registry_reference
from conformance.requirements import load_catalogue
from tests.conformance.factories import T0, make_exchange


def _check(function, kind=LIVE):
    return Check("demo.check", "echo", kind, ("demo@1",), function)


def test_return_is_pass_with_message():
    [finding] = run_check(_check(lambda e: "tout va bien"), make_exchange(), ["x1"])
    assert finding == Finding(Outcome.PASS, "tout va bien", ("x1",))


def test_expect_failure_is_fail_with_expected_and_actual_and_evidence():
    def wrong_text(exchange):
        expect(exchange.summary["text"], "BONJOUR", "texte")

    [finding] = run_check(_check(wrong_text), make_exchange(body=b"bonjour"), ["x1"])
    assert finding.outcome is Outcome.FAIL
    assert finding.message == "texte : attendu 'BONJOUR', obtenu 'bonjour'"
    assert finding.evidence == ("bonjour",) and finding.exchange_ids == ("x1",)


def test_skip_and_expect_true():
    [skipped] = run_check(_check(lambda e: skip("rien à juger")), make_exchange(), ["x1"])
    assert (skipped.outcome, skipped.message) == (Outcome.SKIP, "rien à juger")
    [failed] = run_check(_check(lambda e: expect_true(False, "attendu A, obtenu B")), make_exchange(), [])
    assert (failed.outcome, failed.message) == (Outcome.FAIL, "attendu A, obtenu B")


def test_any_other_exception_is_an_error_blaming_the_bench():
    [finding] = run_check(_check(lambda e: e.summary["absent"]), make_exchange(), ["x1"])
    assert finding.outcome is Outcome.ERROR
    assert "erreur interne du banc" in finding.message and "KeyError" in finding.message
    assert "KeyError" in finding.detail


def test_generator_findings_and_failures_raised_midway():
    def several(exchanges):
        yield Finding(Outcome.PASS, "premier")
        raise AssertionFailed("attendu 1, obtenu 2", ["e9"])

    first, failed = run_check(_check(several, SESSION), [make_exchange()], [])
    assert (first.outcome, first.message) == (Outcome.PASS, "premier")
    assert (failed.outcome, failed.exchange_ids) == (Outcome.FAIL, ("e9",))
    [bad] = run_check(_check(lambda es: [42], SESSION), [make_exchange()], [])
    assert bad.outcome is Outcome.ERROR and "expected Finding" in bad.message
    assert [f.outcome for f in run_check(_check(lambda es: [], SESSION), [], [])] == [Outcome.PASS]


def test_check_declaration_is_validated():
    with pytest.raises(ValueError, match="kind"):
        Check("x", "echo", "sometimes", ("demo@1",), lambda e: None)
    with pytest.raises(ValueError, match="cites no requirement"):
        Check("x", "echo", LIVE, (), lambda e: None)
    registry = CheckRegistry([_check(lambda e: None)])
    with pytest.raises(RegistryError, match="deux fois"):
        registry.add(_check(lambda e: None))


def test_registry_reference_loading_errors():
    with pytest.raises(RegistryError, match="module:attribut"):
        load_registry_reference("tests.support.echo_checks")
    with pytest.raises(RegistryError, match="impossible de charger"):
        load_registry_reference("tests.support.nope:registry")
    with pytest.raises(RegistryError, match="n'est pas un CheckRegistry"):
        load_registry_reference("tests.support.echo_checks:MAX_LENGTH")
    assert len(load_registry_reference("tests.support.echo_checks:registry")) == 5


def _bench_results(exchanges, requirement_id):
    results = evaluate(exchanges, default_registry(), load_catalogue())
    return [r for r in results if requirement_id in r.requirements]


def test_bench1_response_produced():
    ok, dropped, injected = make_exchange(), make_exchange(status=0), make_exchange(status=0, fault="drop")
    outcomes = [r.outcome for r in _bench_results([ok, dropped, injected], "bench@1")]
    assert outcomes == [Outcome.PASS, Outcome.FAIL, Outcome.SKIP]


def test_bench2_protocol_level_rejections_fail_and_name_the_status():
    bad = make_exchange(status=415)
    [failed] = list(_bench_results([bad], "bench@2"))
    assert failed.outcome is Outcome.FAIL and "obtenu le statut 415" in failed.message
    assert failed.evidence == ["415"]
    smtp = make_exchange(protocol="smtp", status=250)
    assert _bench_results([smtp], "bench@2") == []  # HTTP only


def test_bench3_content_type_is_a_recommendation():
    bare = make_exchange(request_headers={})
    empty = make_exchange(request_headers={}, body=b"")
    [result] = _bench_results([bare, empty], "bench@3")
    assert result.outcome is Outcome.FAIL and result.level == "RECOMMANDATION"


def test_bench4_identical_burst():
    same = [make_exchange(started_at=T0 + i * 2) for i in range(4)]  # 4 identical in 6 s
    [burst] = _bench_results(same, "bench@4")
    assert burst.outcome is Outcome.FAIL and burst.exchange_ids == [e.id for e in same]
    assert "obtenu 4 envois identiques" in burst.message
    spread = [make_exchange(started_at=T0 + i * 6) for i in range(4)]  # never 4 within 10 s
    assert [r.outcome for r in _bench_results(spread, "bench@4")] == [Outcome.PASS]
    distinct = [make_exchange(started_at=T0, body=str(i).encode()) for i in range(5)]
    assert [r.outcome for r in _bench_results(distinct, "bench@4")] == [Outcome.PASS]


def test_bench5_backoff_after_a_server_error():
    error = make_exchange(status=503, started_at=T0, duration_ms=100)
    hasty = make_exchange(started_at=T0 + 0.3)
    [result] = _bench_results([error, hasty], "bench@5")
    assert result.outcome is Outcome.FAIL and result.exchange_ids == [error.id, hasty.id]
    patient = make_exchange(started_at=T0 + 2.0)
    assert [r.outcome for r in _bench_results([error, patient], "bench@5")] == [Outcome.PASS]
    assert [r.outcome for r in _bench_results([make_exchange()], "bench@5")] == [Outcome.SKIP]


def test_bench_checks_list_is_explicit_and_unique():
    ids = [c.id for c in checks_bench.checks()]
    assert len(ids) == len(set(ids)) == 5


def test_bench5_retry_is_the_next_call_of_the_same_caller():
    from simulators.core.exchange import Caller

    error = make_exchange(status=500, started_at=T0, caller=Caller(kind="tls", subject="CN=A"))
    other_caller = make_exchange(started_at=T0 + 0.1, caller=Caller(kind="tls", subject="CN=B"))
    same_caller_later = make_exchange(started_at=T0 + 5, caller=Caller(kind="tls", subject="CN=A"))
    results = _bench_results([error, other_caller, same_caller_later], "bench@5")
    assert [r.outcome for r in results] == [Outcome.PASS]


def test_a_trigger_runs_once_per_exchange_and_a_broken_one_is_an_error_of_each_of_its_checks() -> None:
    from conformance.evaluate import run_live_checks

    calls: list[str] = []

    def keys(exchange):
        calls.append(exchange.id)
        return {"a"}

    def broken(exchange):
        raise KeyError("boom")

    fail = lambda exchange: expect("x", "y", "mauvais")  # noqa: E731
    checks = [Check(f"t.{k}", "echo", LIVE, ("demo@1",), fail, trigger=(keys, k)) for k in ("a", "b", "c")]
    checks += [Check(f"u.{k}", "echo", LIVE, ("demo@1",), fail, trigger=(broken, k)) for k in ("a", "b")]
    results = run_live_checks(make_exchange(), checks, load_catalogue())
    assert len(calls) == 1  # one computation for the three checks sharing it
    assert [(r.check, r.outcome) for r in results] == [
        ("t.a", Outcome.FAIL), ("u.a", Outcome.ERROR), ("u.b", Outcome.ERROR)]  # t.b, t.c: key absent
    assert all("KeyError" in r.message for r in results if r.check.startswith("u."))
