"""The journeys' fixtures: the socle-bench pytest plugin (normally loaded by its ``pytest11`` entry
point; registered here when the installed distribution predates it) and the French step library."""

from __future__ import annotations

import pytest

import conformance.pytest_plugin as socle_bench_plugin
from features.steps import *  # noqa: F403 - step definitions and the ``parcours`` fixture


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.is_registered(socle_bench_plugin):
        config.pluginmanager.register(socle_bench_plugin, "socle_bench")
