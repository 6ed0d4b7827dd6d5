"""The NOS nomenclatures the simulator emits and checks, from `data/nomenclatures.json`.

Only the codes ror.md lists are shipped (the real TRE have hundreds more, relabelled monthly); the
table gives displays to seeded resources and lets the checker tell a wrong system from a new code.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from simulators.ror.model import nos


@lru_cache(maxsize=1)
def nomenclatures() -> dict[str, dict[str, str]]:
    text = resources.files("simulators.ror").joinpath("data/nomenclatures.json").read_text("utf-8")
    return json.loads(text)


def display(tre: str, code: str) -> str:
    return nomenclatures().get(tre, {}).get(code, "")


def coding(tre: str, code: str) -> dict[str, Any]:
    """A Coding of a NOS system with its display when known."""
    result: dict[str, Any] = {"system": nos(tre), "code": code}
    label = display(tre, code)
    if label:
        result["display"] = label
    return result


@lru_cache(maxsize=4096)
def concept(tre: str, code: str) -> dict[str, Any]:
    """Shared (cached) object: resources built from it are never modified in place, only copied."""
    return {"coding": [coding(tre, code)]}
