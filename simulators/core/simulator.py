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
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:  # typing only: the runtime imports nothing of the services
    from .bench import Runtime
    from .lifecycle import Lifecycle

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

    def __call__(self, runtime: Runtime) -> list[Lifecycle]:
        """The older `SimulatorFactory` shape (kept for one release: custom factories use it)."""
        return self.build(runtime).servers
