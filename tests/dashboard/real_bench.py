"""A real bench for the scenario player's tests: every shipped simulator, TLS from the shared test
PKI (pytest's cache, like the features' plugin: RSA keys are slow to make), the shipped live checks
and the dashboard with the real journey player (`Dashboard(scenarios="reference")`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.core.bench import Bench
from simulators.core.config import load_config
from simulators.dashboard import Dashboard
from simulators.registry import load_simulators


def shared_pki(config: pytest.Config, tmp_path: Path):
    from simulators.core.pki.testing import make_test_pki

    cache = getattr(config, "cache", None)
    return make_test_pki(cache.mkdir("socle-bench-pki") if cache is not None else tmp_path / "pki")


def start_real_bench(config: pytest.Config, tmp_path: Path) -> Bench:
    from conformance.live import make_live_checker
    from conformance.registry import default_registry

    bench_config = load_config(None, data_dir=tmp_path / "bench-data", tls=True).ephemeral()
    simulators = [*load_simulators(), Dashboard(scenarios="reference")]
    return Bench(bench_config, simulators, live_checker=make_live_checker(default_registry()),
                 pki=shared_pki(config, tmp_path)).start()
