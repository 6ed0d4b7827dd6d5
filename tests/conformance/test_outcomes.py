"""Outcome precedence and the roll-up from results to requirements to the run's exit code."""

import pytest

from conformance.outcomes import (EXIGENCE, RECOMMANDATION, Outcome, display_status, is_blocking,
                                  strictest_level, worst)
from conformance.report import RequirementVerdict
from tests.conformance.factories import report_with, requirement, result

E, F, S, P, O = Outcome.ERROR, Outcome.FAIL, Outcome.SKIP, Outcome.PASS, Outcome.OMIT  # noqa: E741 - one letter per outcome, as in the tables below


@pytest.mark.parametrize("outcomes, expected", [
    ([], O), ([P], P), ([P, S], S), ([S, P], S), ([P, F, S], F), ([F, E, P], E), ([O, P], P),
    ([E, F, S, P, O], E), (["pass", "fail"], F),
])
def test_worst_follows_error_fail_skip_pass_omit(outcomes, expected):
    assert worst(outcomes) is expected


def test_precedence_is_a_total_order():
    assert [o.value for o in sorted(Outcome, key=lambda o: o.rank, reverse=True)] == \
        ["error", "fail", "skip", "pass", "omit"]


@pytest.mark.parametrize("outcome, level, status, blocking", [
    (F, EXIGENCE, "fail", True), (F, RECOMMANDATION, "warning", False),
    (E, EXIGENCE, "error", True), (E, RECOMMANDATION, "error", False),
    (S, EXIGENCE, "skip", False), (P, EXIGENCE, "pass", False), (O, EXIGENCE, "omit", False),
])
def test_status_and_blocking_depend_on_level(outcome, level, status, blocking):
    assert display_status(outcome, level) == status
    assert is_blocking(outcome, level) is blocking


def test_strictest_level():
    assert strictest_level([RECOMMANDATION, EXIGENCE]) == EXIGENCE
    assert strictest_level([RECOMMANDATION]) == RECOMMANDATION
    assert strictest_level([]) == EXIGENCE  # unknown ids must not soften a verdict


def test_requirement_rolls_up_its_results():
    verdict = RequirementVerdict(requirement(), results=[result(P), result(S), result(F)])
    assert verdict.outcome is F and verdict.status == "fail" and verdict.blocking
    assert RequirementVerdict(requirement()).outcome is O


def test_exchange_ids_of_a_requirement_are_deduplicated_in_order():
    verdict = RequirementVerdict(requirement(), results=[result(P, exchange_ids=["b", "a"]),
                                                         result(F, exchange_ids=["a", "c"])])
    assert verdict.exchange_ids == ["b", "a", "c"]


def test_report_exit_code_gates_only_on_exigence_failures_and_errors():
    warning = RequirementVerdict(requirement("demo@2", RECOMMANDATION), results=[result(F, "demo@2")])
    passing = RequirementVerdict(requirement("demo@1"), results=[result(P)])
    skipped = RequirementVerdict(requirement("demo@3"), results=[result(S, "demo@3")])
    report = report_with([passing, warning, skipped])
    assert report.exit_code == 0 and report.blocking == []
    assert report.outcome is F  # the raw outcome is still visible to machines
    assert report.counts() == {"error": 0, "fail": 0, "warning": 1, "skip": 1, "pass": 1, "omit": 0}

    erroring = RequirementVerdict(requirement("demo@4"), results=[result(E, "demo@4")])
    report = report_with([passing, warning, erroring])
    assert report.exit_code == 1 and [v.requirement.id for v in report.blocking] == ["demo@4"]
