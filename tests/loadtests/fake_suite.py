"""A benchmark suite that measures nothing: `bench.main` end to end without load (tests only)."""

from __future__ import annotations

from typing import Any

from .bench_results import synthetic


def run(quick: bool = False) -> dict[str, Any]:
    return {"lookups_per_s": 1.0, "quick": quick}


def table(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [("lookups/s", str(result["lookups_per_s"]))]


def sizes_run(quick: bool = False) -> dict[str, Any]:
    return synthetic()["suites"]["sizes"]
