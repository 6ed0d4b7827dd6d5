"""DUI drivers behind one interface (``base.DuiDriver``): reference, observe, and vendor plug-ins.

``load_driver("reference" | "observe" | "package.module:Driver")`` returns a driver instance. A
plug-in reference names a ``DuiDriver`` subclass (instantiated without arguments), a factory
function, or an instance. ``reference+<defect>[,<defect>…]`` is the reference DUI making seeded
defects (``conformance.drivers.reference.DEFECTS``), e.g. ``--dui reference+mss.no-receipts`` to see what
the verdict looks like when a DUI never asks for a receipt.
"""

from __future__ import annotations

import importlib
from typing import Any

from conformance.drivers.base import DriverError, DuiDriver
from conformance.drivers.reference import ReferenceDui

BUILTIN = {
    "reference": "conformance.drivers.reference:ReferenceDui",
    "observe": "conformance.drivers.observe:ObserveDriver",
}


class DriverLoadError(DriverError):
    """``--dui`` names something that cannot be loaded or is not a driver."""


def load_driver(spec: str, **kwargs: Any) -> DuiDriver:
    if spec.startswith("reference+"):
        defects = tuple(d.strip() for d in spec.partition("+")[2].split(",") if d.strip())
        try:
            return ReferenceDui(defects=defects)
        except ValueError as exc:
            raise DriverLoadError(f"--dui {spec!r} : {exc}") from exc
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
