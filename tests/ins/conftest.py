"""INSi fixtures: one plain-HTTP bench and one TLS bench (mTLS + CPx ports) per test process, over
ephemeral ports, with the session-scoped test PKI. Tests never share a bench session name, so they
stay independent (state, journal and fault rules are all per session)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulators.core.bench import Bench
from simulators.core.pki import Pki
from simulators.core.pki.testing import pki_fixture
from simulators.ins.client import InsiClient
from simulators.ins.server import InsSimulator
from tests.conftest import make_config

pki = pki_fixture(key_type="ec-p256")  # 20x faster to build; behaviour does not depend on the key type


@pytest.fixture(scope="session")
def http_bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    config = make_config(tmp_path_factory.mktemp("ins-http"),
                         services={"ins": {"idam_allowlist": [], "include_prenom": False}})
    with Bench(config, [InsSimulator()]) as bench:
        yield bench


@pytest.fixture(scope="session")
def tls_bench(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    config = make_config(tmp_path_factory.mktemp("ins-tls"), tls=True)
    with Bench(config, [InsSimulator()], pki=pki) as bench:
        yield bench


def session_url(bench: Bench, session: str, name: str = "ins") -> str:
    """`/s/<session>/lps` on the given server: tests never share a session."""
    base = bench.url(name)
    root, _, _path = base.rpartition("/lps")
    return f"{root}/s/{session}/lps"


def http_client(bench: Bench, session: str) -> InsiClient:
    return InsiClient(session_url(bench, session))
