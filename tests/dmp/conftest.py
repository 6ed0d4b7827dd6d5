"""DMP test fixtures: one RSA test PKI per worker with AUTH_CLI + SIGN certificates for the journeys'
structures, one TLS bench per worker, a fresh bench session per test (so tests never share state)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from simulators.core.bench import Bench
from simulators.core.pki import Pki
from simulators.core.pki.testing import pki_fixture
from simulators.core.tls import requests_verify
from simulators.dmp.client import DmpClient
from simulators.dmp.journey import cda_for, identity_for, issue_org_certs
from simulators.dmp.simulator import DmpSimulator
from simulators.identities.world import World, build_world
from tests.conftest import make_config

SEED = 20261122
__all__ = ["SEED", "cda_for", "identity_for", "issue_org_certs"]
pki = pki_fixture()
_sessions = itertools.count()


@pytest.fixture(scope="session")
def world() -> World:
    return build_world(SEED)


@pytest.fixture(scope="session")
def dmp_bench(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[Bench]:
    tmp = tmp_path_factory.mktemp("dmp-bench")
    config = make_config(Path(tmp), tls=True, seed=SEED, only=("dmp",))
    with Bench(config, [DmpSimulator()], pki=pki) as bench:
        yield bench


@pytest.fixture
def session(request: pytest.FixtureRequest) -> str:
    return f"t{next(_sessions)}-{request.node.name.lower()}"[:60].replace("[", "-").replace("]", "")


@pytest.fixture
def make_client(dmp_bench: Bench, pki: Pki, world: World, session: str) -> Callable[..., DmpClient]:
    def make(professional_id: str, **kwargs: object) -> DmpClient:
        identity = identity_for(pki, world, professional_id, **kwargs)  # type: ignore[arg-type]
        return DmpClient(dmp_bench.url("dmp"), identity, verify=requests_verify(pki), session=session)

    return make
