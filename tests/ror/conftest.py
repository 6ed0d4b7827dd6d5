"""ROR fixtures: one HTTPS bench per test module (EC test PKI, ephemeral ports) and reference
clients for profile 0 (secret) and profile 2 (certificate over mutual TLS)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

import pytest

from simulators.core.bench import Bench
from simulators.core.pki.testing import pki_fixture
from simulators.core.tls import requests_cert, requests_verify
from simulators.ror.client import RorApiClient
from simulators.ror.model import EXAMPLE_HEADERS, TOKEN_PATH
from simulators.ror.server import RorSimulator
from tests.conftest import make_config

pki = pki_fixture(key_type="ec-p256")
_sessions = itertools.count()


@pytest.fixture(scope="module")
def ror_bench(tmp_path_factory: pytest.TempPathFactory, pki) -> Iterator[Bench]:
    config = make_config(tmp_path_factory.mktemp("ror"), tls=True,
                         services={"ror": {"export_delay_s": 0.2, "header_status": 403}})
    with Bench(config, [RorSimulator()], pki=pki) as bench:
        yield bench


@pytest.fixture
def session_name(request: pytest.FixtureRequest) -> str:
    name = re.sub(r"[^A-Za-z0-9-]", "-", request.node.name)[:40]
    return f"t{next(_sessions)}-{name}"


def urls(bench: Bench, session: str) -> tuple[str, str, str]:
    """(origin, FHIR base of the session, token URL of the session, so token calls are journaled with it)."""
    origin = bench.url("ror").split("/ws-diffusion-fhir")[0]
    return origin, f"{origin}/s/{session}/ws-diffusion-fhir", f"{origin}/s/{session}{TOKEN_PATH}"


@pytest.fixture
def client_factory(ror_bench: Bench, pki, session_name: str) -> Callable[..., RorApiClient]:
    def make(profile: int = 0, *, session: str | None = None, **kwargs) -> RorApiClient:
        _, base, token_url = urls(ror_bench, session or session_name)
        if profile == 0:
            return RorApiClient(base, token_url, client_id="bench-profil-0", client_secret="secret-profil-0",
                                verify=requests_verify(pki), **kwargs)
        return RorApiClient(base, token_url, client_id=f"bench-profil-{profile}",
                            cert=requests_cert(pki, "org-auth-cli"), verify=requests_verify(pki), **kwargs)
    return make


@pytest.fixture
def client(client_factory: Callable[..., RorApiClient]) -> RorApiClient:
    return client_factory(0)


HEADERS = dict(EXAMPLE_HEADERS)
