"""The bench's state is private on disk: data directory 0700, database (and its WAL) 0600."""

from __future__ import annotations

import stat
from pathlib import Path

import requests

from simulators.core.bench import Bench
from tests.conftest import make_config
from tests.support.echo import EchoSimulator


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_dir_and_database_are_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "bench-data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)  # a world-readable directory left by an older version is tightened
    with Bench(make_config(tmp_path), [EchoSimulator()]) as bench:
        assert requests.post(bench.url("echo") + "/echo", data=b"x", timeout=5).status_code == 200
        assert _mode(data) == 0o700
        assert _mode(data / "bench.db") == 0o600
        wal = data / "bench.db-wal"
        if wal.exists():
            assert _mode(wal) == 0o600


def test_a_fresh_data_dir_is_created_owner_only(tmp_path: Path) -> None:
    with Bench(make_config(tmp_path), [EchoSimulator()]):
        assert _mode(tmp_path / "bench-data") == 0o700
        assert _mode(tmp_path / "bench-data" / "bench.db") == 0o600
