"""The contract between the composition root and a service package.

Every service package has a `factory.py` with

    def create(runtime: Runtime, options: <Service>Options) -> Simulator
    SERVICE = ServiceDefinition(name="<service>", options=<Service>Options.from_mapping, create=create)

and is listed once, as an entry point of the group `socle_bench.simulators` (pyproject.toml), so a
third party can add a simulator by publishing a package with such an entry point.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from .errors import BenchError
from .lifecycle import Lifecycle
from .runtime import Runtime

ENTRY_POINT_GROUP = "socle_bench.simulators"

O = TypeVar("O")  # noqa: E741 - the factory contract's name for the options type


@dataclass
class Simulator:
    """What `create` returns: the servers to start (HTTP, SMTP, IMAP), in start order."""

    name: str
    servers: list[Lifecycle] = field(default_factory=list)


@dataclass(frozen=True)
class ServiceDefinition(Generic[O]):
    """One service as the composition root sees it: a name, its options parser, its factory."""

    name: str
    options: Callable[[Mapping[str, Any]], O]
    create: Callable[[Runtime, O], Simulator]

    def build(self, runtime: Runtime) -> Simulator:
        return self.create(runtime, self.options(runtime.config.service_options(self.name)))

    def __call__(self, runtime: Runtime | None = None) -> Any:
        """The older shapes, kept for one release: `factory(runtime) -> servers` (`SimulatorFactory`), and
        `InsSimulator()` (the class the old paths named, instantiated without arguments) -> the factory."""
        if runtime is None:
            return self
        return self.build(runtime).servers


@dataclass(frozen=True)
class ServiceAlias:
    """A deprecated path of a service's factory (`simulators.ins.server:InsSimulator`...), kept for one
    release: it stands for the `ServiceDefinition` installed under `name` in the entry point group, looked
    up when used. The old module then needs no import of the new `factory` module (which imports it)."""

    name: str

    def definition(self) -> ServiceDefinition[Any]:
        for ep in entry_points(group=ENTRY_POINT_GROUP, name=self.name):
            return ep.load()
        raise BenchError(f"service {self.name} : aucun point d'entrée {ENTRY_POINT_GROUP} (paquet non installé ?)")

    def build(self, runtime: Runtime) -> Simulator:
        return self.definition().build(runtime)

    def __call__(self, runtime: Runtime | None = None) -> Any:
        return self.definition()(runtime)
