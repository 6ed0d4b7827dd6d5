"""Walk the project's packages and list the exception classes that live outside the BenchError tree."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable

from simulators.core.errors import BenchError

PACKAGES = ("simulators", "conformance", "loadtests")

# Exceptions that MUST have another root, each with why. Keep it short: anything else joins BenchError.
# Exceptions that must have another root (none today: the codecs' root, simulators.codecs.errors.BenchError,
# is the project's root, so even the lowest layer joins the tree).
ALLOWED: dict[str, str] = {}


def iter_modules(packages: Iterable[str]) -> Iterable[str]:
    for name in packages:
        package = importlib.import_module(name)
        yield name
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            yield info.name


def stray_exceptions(packages: Iterable[str] = PACKAGES) -> list[str]:
    """Qualified names of the Exception subclasses defined in `packages` that do not derive from BenchError."""
    stray = []
    for module_name in iter_modules(packages):
        if module_name.endswith("__main__"):
            continue
        module = importlib.import_module(module_name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module_name or not issubclass(cls, Exception):
                continue
            qualified = f"{cls.__module__}.{cls.__qualname__}"
            if not issubclass(cls, BenchError) and qualified not in ALLOWED:
                stray.append(qualified)
    return sorted(stray)


def main() -> None:
    """Run in a fresh interpreter: loadtests import locust, whose gevent patches ssl at import time and
    must therefore come before anything else imports ssl (as when locust itself runs)."""
    import locust  # noqa: F401 - first import of the process on purpose (see above)

    for name in stray_exceptions():
        print(name)


if __name__ == "__main__":
    main()
