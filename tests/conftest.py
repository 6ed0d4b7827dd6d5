"""Shared fixtures: an in-process bench with the test-only echo simulator on ephemeral ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulators.core.bench import Bench
from simulators.core.config import BenchConfig, load_config
from tests.support.echo import EchoSimulator


def make_config(tmp_path: Path, **overrides) -> BenchConfig:
    overrides.setdefault("tls", False)
    return load_config(None, data_dir=tmp_path / "bench-data", **overrides).ephemeral()


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    """A started bench (SQLite under tmp_path, no TLS) running the echo simulator."""
    with Bench(make_config(tmp_path), [EchoSimulator()]) as b:
        yield b


# --- PostgreSQL ---------------------------------------------------------------------------------
PG_URL_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def _pg_reachable(url: str) -> str | None:
    """None when a connection works, else the reason."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    try:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=NullPool,
                               connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure is a reason to start or skip
        return str(exc).splitlines()[0]


def _try_start_postgres() -> None:
    """Start the machine's PostgreSQL cluster when it is installed but stopped (test set-up)."""
    import shutil
    import subprocess

    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir():
        return
    for version in sorted(p.name for p in Path("/etc/postgresql").iterdir()):
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                       capture_output=True, timeout=60, check=False)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    import os

    url = os.environ.get("SOCLE_BENCH_TEST_PG", PG_URL_DEFAULT)
    reason = _pg_reachable(url)
    if reason is not None:
        _try_start_postgres()
        reason = _pg_reachable(url)
    if reason is not None:
        pytest.skip(f"PostgreSQL not reachable at {url} and could not be started: {reason}")
    return url


@pytest.fixture
def pg_schema(postgres_url: str) -> Iterator[str]:
    """A private schema per test so parallel workers never share tables."""
    import uuid

    from simulators.core.db import drop_schema

    schema = f"t_{uuid.uuid4().hex[:16]}"
    yield schema
    drop_schema(postgres_url, schema)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium per test worker, shared by every browser test (skips with the reason when
    there is none). Playwright's sync API cannot start twice in one thread: a test that launched its own
    browser while another was open failed "Sync API inside the asyncio loop" under xdist."""
    from tests.dashboard.browser import launch_browser

    with launch_browser() as instance:
        yield instance


# The seeded-defect suite's end-of-run summary (defects and catch rate per service, test-artifacts/
# seeded-defects.json); hooks defined here so the xdist controller runs them too.
from tests.conformance.defects.summary import pytest_runtest_logreport, pytest_terminal_summary  # noqa: E402,F401
