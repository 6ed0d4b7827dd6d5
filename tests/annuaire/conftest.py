"""An MSS bench (which mounts the Annuaire Santé v2) over plain HTTP on an ephemeral port, so
third-party FHIR clients need no CA configuration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulators.core.bench import Bench
from simulators.mss.factory import SERVICE as MSS
from tests.conftest import make_config

KEY = "socle-bench-test-key"


@pytest.fixture(scope="module")
def annuaire_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    config = make_config(tmp_path_factory.mktemp("annuaire"), tls=False)
    with Bench(config, [MSS]) as bench:
        yield bench.url("annuaire").rstrip("/")
