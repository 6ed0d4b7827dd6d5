"""The explicit list of shipped simulators: service name -> "module:factory".

Imported lazily so that `socle-bench serve --only ins` does not import the MSS stack.
"""

from __future__ import annotations

import importlib
from typing import Any

from .core.errors import BenchError

SHIPPED: dict[str, str] = {
    "ins": "simulators.ins.server:InsSimulator",
    "dmp": "simulators.dmp.simulator:DmpSimulator",
    "mss": "simulators.mss.simulator:MssSimulator",
    "ror": "simulators.ror.server:RorSimulator",
}


class UnknownServiceError(BenchError, ValueError):
    """`--only` or the configuration names a service that is not shipped."""


def load_factory(spec: str) -> Any:
    """Load a factory from "module:attr" (an instance or a class, instantiated without arguments)."""
    module_name, _, attr = spec.partition(":")
    obj = getattr(importlib.import_module(module_name), attr)
    return obj() if isinstance(obj, type) else obj


def load_simulators(only: tuple[str, ...] | list[str] = ()) -> list[Any]:
    names = list(only) or list(SHIPPED)
    unknown = [n for n in names if n not in SHIPPED]
    if unknown:
        known = ", ".join(SHIPPED) or "(aucun)"
        raise UnknownServiceError(f"unknown service(s): {', '.join(unknown)}; known: {known}")
    return [load_factory(SHIPPED[name]) for name in names]
