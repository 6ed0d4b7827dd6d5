"""Live dashboard for trainers and QA (French): every exchange across the services as it happens.

`Dashboard` is a simulator factory that starts no server of its own: it mounts its page on the
admin port's root (`rt.ui_blueprints`) and reads the journal and the event bus. See README.md
for the JSON shapes the services implement to get their own view.
"""

from __future__ import annotations

from collections.abc import Callable

from typing import Any

from simulators.core.lifecycle import Lifecycle
from simulators.core.runtime import Runtime
from simulators.registry import load_factory

import simulators.dashboard.extensions as extensions  # not `from . import`: no import edge to this package
from .blueprint import DashboardContext, create_blueprint
from .evidence import Evidence, RegistryFactory
from .stream import FeedSettings

__all__ = ["Dashboard", "FeedSettings"]


class Dashboard:
    """Factory: `Bench(config, [..., Dashboard()])`; registered as "dashboard"."""

    name = "dashboard"

    def __init__(self, registry: RegistryFactory | None = None, *, feed: FeedSettings | None = None,
                 scenarios: str | Callable[[Runtime], list[Lifecycle]] | None = None) -> None:
        self.registry: Callable | None = registry  # checks judging the bundle; default: shipped registry
        self.feed = feed or FeedSettings()
        self.scenarios = scenarios  # journey player: "reference", "module:Factory" or a factory; None: none

    def __call__(self, rt: Runtime) -> list[Lifecycle]:
        ctx = DashboardContext(rt=rt, evidence=Evidence(self.registry), feed=self.feed)
        rt.ui_blueprints.append(create_blueprint(ctx))
        return scenario_player(self.scenarios)(rt) if self.scenarios else []


def scenario_player(spec: Any) -> Callable[[Runtime], list[Lifecycle]]:
    """The journey player factory, loaded by name only when asked for: the player lives with the drivers
    (it drives the reference DUI), a layer the dashboard does not import statically. The dashboard is in the
    apps layer and does import the conformance engine (evidence.py: bundle, report, requirement texts)."""
    if callable(spec):
        return spec
    return load_factory(extensions.SCENARIO_PLAYERS.get(spec, spec))
