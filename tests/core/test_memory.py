"""Long-lived data is frozen out of the cyclic collector's walks, and given back on a reset."""

from __future__ import annotations

import gc

from simulators.core.bench import Bench
from simulators.core.config import load_config
from simulators.core.memory import release, settle


def test_settle_freezes_what_is_alive_and_release_gives_it_back() -> None:
    try:
        kept = [[i] for i in range(1000)]
        assert settle() >= len(kept)
        assert gc.get_freeze_count() >= len(kept)
        release()
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_a_started_bench_is_settled_and_a_session_reset_releases(tmp_path) -> None:
    gc.unfreeze()
    config = load_config(None, data_dir=tmp_path / "data", tls=False).ephemeral()
    try:
        with Bench(config, [], live_checker=None) as bench:
            assert gc.get_freeze_count() > 0  # frozen at the end of start
            bench.started_runtime.sessions.create("s1")
            bench.started_runtime.sessions.reset("s1")
            assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
