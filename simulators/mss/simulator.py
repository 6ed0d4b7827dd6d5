"""Deprecated path, kept for one release: use `simulators.mss.factory.SERVICE` (options in
`simulators.mss.options`). `MssSimulator()` is still the registry's factory: calling the instance
with the runtime returns the servers, as `SERVICE(runtime)` does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .factory import FAULTS, SERVICE

if TYPE_CHECKING:
    from simulators.core.bench import Runtime
    from simulators.core.lifecycle import Lifecycle

__all__ = ["FAULTS", "SERVICE", "MssSimulator"]


class MssSimulator:
    """The older `SimulatorFactory` shape: a thin alias of `SERVICE`."""

    name = SERVICE.name

    def __call__(self, rt: Runtime) -> list[Lifecycle]:
        return SERVICE(rt)
