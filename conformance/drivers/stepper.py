"""Play a journey one scenario at a time, outside pytest: the dashboard's scenario player.

``socle-bench play`` runs a whole feature through pytest-bdd; a trainer's page needs one step per
click in a long-running server, where starting pytest for every click would be slow and would
re-import the world. So this module reads the same ``.feature`` files with pytest-bdd's parser and
calls the same French step library (``features.steps``) with a ``Parcours`` it builds itself: the
steps, their verifications and their French failure messages are the ones of the test suite, so
the dashboard, the demo and the tests can never disagree.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from simulators.core.errors import BenchError
from conformance.drivers.base import BenchTarget, DuiDriver
from conformance.drivers.narrator import ExchangeReport, exchange_report
from conformance.drivers.probe import BenchProbe
import features.steps  # the whole step library: registers the steps step_definitions() reads back
from features.steps.cast import Cast
from features.steps.context import JourneyMemory, Parcours

SERVICE_TAGS = {"insi": "ins", "ins": "ins", "mss": "mss", "dmp": "dmp", "ror": "ror", "annuaire": "annuaire"}
DEMO_SUFFIX = "-demo"  # the session where the bench's own demonstrations run (see features/steps/checks.py)


class StepDefinitionMissing(BenchError, LookupError):
    """A sentence of a feature matches no step of the French library."""


@dataclass(frozen=True)
class ScenarioStep:
    """One scenario of a feature: what the player calls a step."""

    n: int
    title: str
    narration: str
    services: tuple[str, ...]
    steps: tuple[Any, ...]  # pytest_bdd.parser.Step, background first


@dataclass(frozen=True)
class Journey:
    id: str
    title: str
    description: str
    scenarios: tuple[ScenarioStep, ...]


def features_dir() -> Path:
    return Path(features.__file__).parent


def load_journey(journey_id: str, directory: Path | None = None) -> Journey:
    """A journey's feature file, cut into numbered scenarios with their sentences as narration."""
    from pytest_bdd.parser import FeatureParser

    base = directory or features_dir()
    feature = FeatureParser(str(base), f"{journey_id}.feature").parse()
    background = {s.line_number for s in feature.background.steps} if feature.background else set()
    scenarios = []
    for n, template in enumerate(feature.scenarios.values(), start=1):
        scenario = template.render({})
        own = [s for s in scenario.steps if s.line_number not in background]
        title = template.name.split(". ", 1)[-1] if template.name[:1].isdigit() else template.name
        narration = " ".join(f"{sentence(s.keyword)} {natural(s.name).rstrip('.')}." for s in own)
        services = tuple(dict.fromkeys(SERVICE_TAGS[t] for t in sorted(template.tags) if t in SERVICE_TAGS))
        scenarios.append(ScenarioStep(n, title, narration, services, tuple(scenario.steps)))
    return Journey(journey_id, feature.name, feature.description.strip(), tuple(scenarios))


ELISIONS = ((r'\bde "le ', "du "), (r'\bde "les ', "des "), (r'\bà "le ', "au "), (r'\bà "les ', "aux "),
            (r'\bde "l([\'’])', r"de l\1"))


def natural(text: str) -> str:
    """A step read aloud: "envoie par MSSanté "l'ordonnance" d'"Élise" à "la MECS"" -> "envoie par MSSanté
    l'ordonnance d'Élise à la MECS" (quotes gone, "de le" -> "du", "à les" -> "aux")."""
    import re

    for pattern, replacement in ELISIONS:
        text = re.sub(pattern, replacement, text)
    return re.sub(r'\s+', " ", text.replace('"', "")).strip()


def sentence(keyword: str) -> str:
    keyword = keyword.strip()
    return keyword[:1] + keyword[1:].lower()


def step_definitions() -> list[Any]:
    """The French step library as pytest-bdd registered it (``StepFunctionContext`` records)."""
    from pytest_bdd.steps import step_function_context_registry

    return [c for c in step_function_context_registry.values() if c.step_func.__module__.startswith("features.steps")]


def find_definition(step: Any, definitions: list[Any]) -> tuple[Any, dict[str, Any]]:
    for context in definitions:
        if context.type not in (None, step.type) or not context.parser.is_matching(step.name):
            continue
        args = context.parser.parse_arguments(step.name) or {}
        return context, {k: context.converters.get(k, lambda v: v)(v) for k, v in args.items()}
    raise StepDefinitionMissing(f"aucune étape de la bibliothèque ne correspond à « {step.keyword.strip()} "
                                f"{step.name} »")


@dataclass
class StepOutcome:
    """What playing one scenario gave: status for the page, French message, exchanges and verdicts."""

    status: str  # done | failed | skipped
    message: str
    report: ExchangeReport
    demo: ExchangeReport | None = None  # the bench's own demonstration (separate session), if any


@dataclass
class JourneyRun:
    """One journey being played in one bench session by one DUI, scenario after scenario."""

    journey: Journey
    target: BenchTarget
    dui: DuiDriver
    next: int = 1
    results: dict[int, StepOutcome] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _memory: Any = None

    @property
    def finished(self) -> bool:
        return self.next > len(self.journey.scenarios)

    def play_next(self) -> tuple[int, StepOutcome]:
        """Play the next scenario (its background included), judge what it sent, move on."""
        n = self.next
        scenario = self.journey.scenarios[n - 1]
        if self._memory is None:
            self._memory = JourneyMemory()
        probe = BenchProbe(self.target.admin_url, self.target.session)
        demo = BenchProbe(self.target.admin_url, f"{self.target.session[:55]}{DEMO_SUFFIX}")
        demo_cursor = demo.cursor()
        ctx = Parcours(target=self.target, dui=self.dui, probe=probe, memory=self._memory, cast=Cast(self.target.world),
                       cursor=probe.cursor())
        status, message = "done", ""
        try:
            definitions = step_definitions()
            for step in scenario.steps:
                context, args = find_definition(step, definitions)
                context.step_func(parcours=ctx, **args)
        except pytest.skip.Exception as exc:
            status, message = "skipped", f"étape ignorée : {exc.msg}"
        except (AssertionError, pytest.fail.Exception, LookupError) as exc:
            status, message = "failed", str(getattr(exc, "msg", None) or exc).strip()
        except Exception as exc:  # noqa: BLE001 - a broken client or bench: the trainer reads why
            status, message = "failed", f"erreur pendant l'étape ({type(exc).__name__}) : {exc}"
        finally:
            ctx.close()
        report = exchange_report(ctx.exchanges(), session=self.target.session,
                                 context=probe.exchanges(bodies=True))
        demo_new = demo.exchanges(after=demo_cursor or None, bodies=True)
        demo_report = exchange_report(demo_new, session=demo.session) if demo_new else None
        outcome = StepOutcome(status, message or report.summary(), report, demo_report)
        self.results[n] = outcome
        self.next += 1
        return n, outcome
