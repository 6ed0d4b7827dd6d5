"""One TLS bench with the MSSanté simulator (which mounts Pro Santé Connect) per test process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulators.core.bench import Bench
from simulators.core.pki.testing import pki_fixture
from simulators.mss.factory import SERVICE as MSS
from simulators.psc.client import PscClient
from tests.conftest import make_config

pki = pki_fixture(key_type="ec-p256")
CONFIDENTIAL = "dui-confidentiel"
SECRET = "secret-de-test"
REDIRECT = "https://dui.socle-bench.test/retour"


@pytest.fixture(scope="session")
def psc_bench(tmp_path_factory: pytest.TempPathFactory, pki) -> Iterator[Bench]:
    tmp = tmp_path_factory.mktemp("psc")
    options = {"psc_ciba_approval_delay_s": 0.5, "psc_ciba_interval_s": 1,
               "psc_clients": {"socle-bench-dui": {},
                               CONFIDENTIAL: {"secret": SECRET, "redirect_uris": [REDIRECT]}}}
    config = make_config(tmp, tls=True, services={"mss": options})
    with Bench(config, [MSS], pki=pki) as bench:
        yield bench


@pytest.fixture(scope="session")
def psc_root(psc_bench: Bench) -> str:
    return psc_bench.url("psc").split("/auth/")[0]


@pytest.fixture
def psc(psc_root: str, pki) -> PscClient:
    return PscClient(psc_root, verify=str(pki.root_path))


@pytest.fixture
def confidential(psc_root: str, pki) -> PscClient:
    return PscClient(psc_root, client_id=CONFIDENTIAL, client_secret=SECRET, verify=str(pki.root_path))
