"""Optional extras: a command that needs one says so in one line instead of failing later and obscurely."""

from __future__ import annotations

import importlib.util
import sys
from typing import TextIO

# extra name -> modules it brings (as imported), from pyproject.toml [project.optional-dependencies]
EXTRAS: dict[str, tuple[str, ...]] = {
    "load": ("locust", "gunicorn", "pyinstrument"),
    "test": ("xdist", "zeep", "playwright"),
}


def missing_modules(extra: str, needed: tuple[str, ...] | None = None) -> list[str]:
    return [name for name in (needed or EXTRAS[extra]) if importlib.util.find_spec(name) is None]


def require_extra(command: str, extra: str, needed: tuple[str, ...] | None = None,
                  err: TextIO | None = None) -> bool:
    """True when the extra's modules are importable; otherwise print the one line naming it."""
    missing = missing_modules(extra, needed)
    if missing:
        print(f"socle-bench {command}: needs the '{extra}' extra ({', '.join(missing)} not installed): "
              f"pip install 'socle-bench[{extra}]'", file=err or sys.stderr)
        return False
    return True
