"""One real bench (every simulator, TLS from the shared test PKI) per test process for the defect suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.drivers.local_bench import start_local_bench
from tests.conformance.defects.harness import DefectBench


@pytest.fixture(scope="session")
def defect_bench(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DefectBench]:
    cache = getattr(pytestconfig, "cache", None)
    pki_dir = Path(cache.mkdir("socle-bench-pki")) if cache is not None else tmp_path_factory.mktemp("pki")
    local = start_local_bench(tmp_path_factory.mktemp("banc-defauts"), pki_dir=pki_dir)
    try:
        yield DefectBench(local)
    finally:
        local.stop()
