"""Benches for the dashboard tests: echo simulator + dashboard, live checks from the echo set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.live import make_live_checker
from conformance.registry import CheckRegistry
from simulators.core.bench import Bench
from simulators.dashboard import Dashboard, FeedSettings
from tests.conftest import make_config
from tests.dashboard.providers import FakeJourneys, FakeServices
from tests.support.echo import EchoSimulator
from tests.support.echo_checks import registry as echo_registry


def live_registry() -> CheckRegistry:
    """The echo checks without echo@5 (a deliberate bench error on every exchange), so arrows show
    the DUI-side colours: pass, fail, warning."""
    full = echo_registry()
    return CheckRegistry([c for c in full.checks() if c.id != "echo.checksum-recorded"],
                         requirements=full.requirements)


def start_bench(tmp_path: Path, *extra, feed: FeedSettings | None = None) -> Bench:
    return Bench(make_config(tmp_path), [EchoSimulator(), *extra, Dashboard(echo_registry, feed=feed)],
                 live_checker=make_live_checker(live_registry())).start()


@pytest.fixture
def dash(tmp_path: Path) -> Iterator[Bench]:
    """Echo + dashboard only: no service view, no journey player."""
    bench = start_bench(tmp_path)
    try:
        yield bench
    finally:
        bench.stop()


@pytest.fixture
def full_dash(tmp_path: Path) -> Iterator[Bench]:
    """Echo + fake ins/dmp/mss/ror services with their views + the fake journey player."""
    bench = start_bench(tmp_path, FakeServices(), FakeJourneys())
    try:
        yield bench
    finally:
        bench.stop()
