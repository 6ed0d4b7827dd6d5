"""DUI drivers behind one interface (``base.DuiDriver``): reference, observe, and vendor plug-ins.

``load_driver("reference" | "observe" | "package.module:Driver")`` returns a driver instance. A
plug-in reference names a ``DuiDriver`` subclass (instantiated without arguments), a factory
function, or an instance.
"""

from __future__ import annotations

import importlib
from typing import Any

from conformance.drivers.base import DriverError, DuiDriver

BUILTIN = {
    "reference": "conformance.drivers.reference:ReferenceDui",
    "observe": "conformance.drivers.observe:ObserveDriver",
}


class DriverLoadError(DriverError):
    """``--dui`` names something that cannot be loaded or is not a driver."""


def load_driver(spec: str, **kwargs: Any) -> DuiDriver:
    reference = BUILTIN.get(spec, spec)
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise DriverLoadError(f"--dui attend reference, observe ou paquet.module:Classe, obtenu {spec!r}")
    try:
        target = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise DriverLoadError(f"impossible de charger le pilote {spec!r} : {exc}") from exc
    driver = target(**kwargs) if callable(target) and not isinstance(target, DuiDriver) else target
    if not isinstance(driver, DuiDriver):
        raise DriverLoadError(f"{spec!r} n'est pas un pilote de DUI (attendu une sous-classe de "
                              f"conformance.drivers.base.DuiDriver, obtenu {type(driver).__name__})")
    return driver


__all__ = ["BUILTIN", "DriverLoadError", "DuiDriver", "load_driver"]
