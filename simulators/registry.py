"""The simulators this installation offers, read from the entry points of `socle_bench.simulators`.

The shipped services are listed once, in pyproject.toml (`[project.entry-points."socle_bench.simulators"]`,
`ins = "simulators.ins.factory:SERVICE"`...); a third-party package adds a simulator by declaring an
entry point in the same group. An entry point is loaded only when its service is asked for, so
`socle-bench serve --only ins` does not import the MSS stack.
"""

from __future__ import annotations

import importlib
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from .core.errors import BenchError
from .core.simulator import ENTRY_POINT_GROUP

__all__ = ["ENTRY_POINT_GROUP", "ServiceLoadError", "UnknownServiceError", "load_factory", "load_service",
           "load_simulators", "registered_services"]


class UnknownServiceError(BenchError, ValueError):
    """`--only`, the configuration or SOCLE_BENCH_SERVICE names a service no entry point declares."""


class ServiceLoadError(BenchError, ImportError):
    """The entry point of a service exists but cannot be loaded (module missing, attribute absent...)."""


def registered_services() -> dict[str, EntryPoint]:
    """Service name -> entry point, in declaration order (the first declaration of a name wins)."""
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep)
    return found


def load_factory(spec: str) -> Any:
    """Load a factory from "module:attr" (an instance or a class, instantiated without arguments)."""
    module_name, _, attr = spec.partition(":")
    obj = getattr(importlib.import_module(module_name), attr)
    return obj() if isinstance(obj, type) else obj


def load_service(name: str, services: dict[str, EntryPoint] | None = None) -> Any:
    """The factory (a `ServiceDefinition`, or an older `SimulatorFactory`) a service's entry point names
    (`services`: the entry points already read, else read here)."""
    services = registered_services() if services is None else services
    ep = services.get(name)
    if ep is None:
        known = ", ".join(services) or "(aucun)"
        raise UnknownServiceError(f"service inconnu : {name} ; services installés : {known}")
    try:
        obj = ep.load()
    except Exception as exc:
        raise ServiceLoadError(f"service {name} : le point d'entrée {ep.value!r} ({ENTRY_POINT_GROUP}) "
                               f"ne se charge pas : {type(exc).__name__}: {exc}") from exc
    return obj() if isinstance(obj, type) else obj


def load_simulators(only: tuple[str, ...] | list[str] = ()) -> list[Any]:
    """The factories of `only` (every registered service when empty), unknown names refused together."""
    services = registered_services()
    names = list(only) or list(services)
    unknown = [n for n in names if n not in services]
    if unknown:
        known = ", ".join(services) or "(aucun)"
        raise UnknownServiceError(f"service(s) inconnu(s) : {', '.join(unknown)} ; services installés : {known}")
    return [load_service(name, services) for name in names]


def __getattr__(name: str) -> Any:
    """`SHIPPED` (service -> "module:attr"), kept for one release as a view of the entry points."""
    if name == "SHIPPED":
        return {n: ep.value for n, ep in registered_services().items()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
