"""The narrator of ``socle-bench play``: a pytest plugin printing a journey as a trainer tells it.

For each step: the Gherkin sentence, then what the simulators received because of it and the
verdicts of the conformance checks on those exchanges; a failed or skipped step says why. It reads
the bench only through the admin API (``bench_probe``), like the steps themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from simulators.core.exchange import Exchange

from conformance.drivers.judge import judge
from conformance.outcomes import Outcome

MARKS = {"pass": "✓", "fail": "✗", "error": "!", "skip": "⤼"}


def describe(exchange: Exchange) -> str:
    """One line per exchange: service, operation, status and the summary bit a trainer comments on."""
    s = exchange.summary
    detail = ""
    if exchange.service == "ins" and "cr" in s:
        traits = s.get("traits") or {}
        detail = f"traits {traits.get('nom', '')} {' '.join(traits.get('prenoms') or [])} → CR {s['cr']}"
    elif exchange.operation == "send":
        recipients = s.get("recipients") or []
        parts = [f"{r.get('recipient')} {'distribué' if r.get('delivered') else 'refusé ' + str(r.get('status', ''))}"
                 for r in recipients]
        attachments = [str(p["filename"]) for p in s.get("parts") or [] if isinstance(p, dict) and p.get("filename")]
        detail = "; ".join(parts) + (f" — pièces jointes : {', '.join(attachments)}" if attachments else "")
    elif exchange.service == "ror" and exchange.operation != "token":
        detail = str(exchange.path.split("?")[0])
    return f"{exchange.service:<9} {exchange.operation:<34} {exchange.status:>3}  {detail}".rstrip()


@dataclass
class ExchangeReport:
    """What the simulators received because of a step and what the conformance checks said of it;
    shared by the terminal narrator and the dashboard's scenario player."""

    exchanges: list[Exchange]
    passed: int = 0
    problems: list[Any] = field(default_factory=list)  # CheckResult in FAIL or ERROR

    def received(self) -> list[str]:
        return [describe(e) for e in self.exchanges]

    def verdict_lines(self, limit: int = 5) -> list[str]:
        if not self.exchanges:
            return []
        line = f"conformité : {self.passed} vérification(s) réussie(s)"
        lines = [line + (f", {len(self.problems)} en échec" if self.problems else "")]
        lines += [f"  {MARKS[r.outcome.value]} {', '.join(r.requirements)} : {r.message}"
                  for r in self.problems[:limit]]
        return lines

    def summary(self) -> str:
        """One French sentence for the page: how many exchanges, how many checks passed."""
        if not self.exchanges:
            return "aucun échange avec les services du banc dans cette session"
        failed = f", {len(self.problems)} en échec" if self.problems else ""
        return (f"{len(self.exchanges)} échange(s), conformité : {self.passed} vérification(s) réussie(s){failed}")


def exchange_report(exchanges: list[Exchange], *, session: str,
                    context: Sequence[Exchange] = ()) -> ExchangeReport:
    """Judge one step's exchanges. Session checks also see `context` (the session's earlier exchanges:
    an INS qualified in an earlier step counts), but only findings about this step's exchanges count."""
    if not exchanges:
        return ExchangeReport([])
    step_ids = {e.id for e in exchanges}
    earlier = [e for e in context if e.id not in step_ids]
    report = judge([*earlier, *exchanges], session=session)
    counted = [r for r in report.results if r.outcome != Outcome.OMIT
               and (not earlier or not r.exchange_ids or step_ids & set(r.exchange_ids))]
    passed = sum(1 for r in counted if r.outcome == Outcome.PASS)
    problems = [r for r in counted if r.outcome in (Outcome.FAIL, Outcome.ERROR)]
    return ExchangeReport(list(exchanges), passed, problems)


class Narrator:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.cursor = ""
        self.feature = ""
        self.results: list[tuple[str, str]] = []  # (scenario, outcome)

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def title(self, journey: str) -> None:
        self.say(f"socle-bench — parcours « {journey} » joué par le DUI choisi, étape par étape")

    def closing(self) -> None:
        passed = sum(1 for _, o in self.results if o == "passed")
        self.say()
        self.say(f"Bilan : {passed}/{len(self.results)} scénario(s) réussi(s)")
        for name, outcome in self.results:
            if outcome != "passed":
                self.say(f"  {'⤼' if outcome == 'skipped' else '✗'} {name} ({'ignoré' if outcome == 'skipped' else 'échec'})")

    # --- pytest-bdd hooks ---------------------------------------------------------------------
    def pytest_bdd_before_scenario(self, request: Any, feature: Any, scenario: Any) -> None:
        if feature.name != self.feature:
            self.feature = feature.name
            self.say()
            self.say(f"━━ {feature.name}")
        self.say()
        self.say(f"▶ {scenario.name}")
        self.cursor = request.getfixturevalue("bench_probe").cursor()

    def pytest_bdd_before_step(self, request: Any, feature: Any, scenario: Any, step: Any, step_func: Any) -> None:
        keyword = step.keyword.strip()
        self.say(f"  {keyword[:1]}{keyword[1:].lower()} {step.name}")

    def pytest_bdd_after_step(self, request: Any, feature: Any, scenario: Any, step: Any, step_func: Any,
                              step_func_args: Any) -> None:
        probe = request.getfixturevalue("bench_probe")
        history = probe.exchanges(bodies=True)  # the session so far: context for the session checks
        new = [e for e in history if e.id > self.cursor] if self.cursor else history
        if not new:
            return
        self.cursor = new[-1].id
        for exchange in new:
            self.say(f"      → {describe(exchange)}")
        for line in exchange_report(new, session=probe.session, context=history).verdict_lines():
            self.say(f"      {line}")

    def pytest_bdd_step_error(self, request: Any, feature: Any, scenario: Any, step: Any, step_func: Any,
                              step_func_args: Any, exception: BaseException) -> None:
        self.say(f"    ✗ échec : {str(exception).strip()}")

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            if report.skipped:
                reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
                self.say(f"    ⤼ étape ignorée : {reason.removeprefix('Skipped: ')}")
            self.results.append((report.nodeid.split("::")[-1], report.outcome))
