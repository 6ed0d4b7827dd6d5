"""Fixtures: one TLS bench running the MSSanté simulator per test process (tests use their own sessions)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from simulators.core.bench import Bench
from simulators.core.pki.testing import pki_fixture
from simulators.core.tls import client_context
from simulators.mss.factory import SERVICE as MSS
from simulators.mss.client import MailClient, get_token
from tests.conftest import make_config

pki = pki_fixture(key_type="ec-p256")


@pytest.fixture(scope="session")
def mss_bench(tmp_path_factory: pytest.TempPathFactory, pki) -> Iterator[Bench]:
    tmp = tmp_path_factory.mktemp("mss")
    config = make_config(tmp, tls=True, services={"mss": {"max_message_bytes": 2_000_000, "max_recipients": 100}})
    with Bench(config, [MSS], pki=pki) as bench:
        yield bench


def port_of(bench: Bench, name: str) -> int:
    return int(urlparse(bench.url(name)).port or 0)


@pytest.fixture(scope="session")
def mail(mss_bench: Bench, pki) -> MailClient:
    return MailClient("127.0.0.1", port_of(mss_bench, "smtp"), port_of(mss_bench, "imap"), client_context(pki))


@pytest.fixture(scope="session")
def app_mail(mss_bench: Bench, pki) -> MailClient:
    return MailClient("127.0.0.1", port_of(mss_bench, "smtp"), port_of(mss_bench, "imap"),
                      client_context(pki, "org-auth-cli"))


@pytest.fixture(scope="session")
def token_for(mss_bench: Bench, pki):
    psc = mss_bench.url("psc").split("/auth/")[0]

    def issue(address: str, **kwargs) -> str:
        return get_token(psc, address, verify=str(pki.root_path), **kwargs).access_token
    return issue


@pytest.fixture
def session(request: pytest.FixtureRequest) -> str:
    """A session of its own for each test (state never leaks between tests of a module)."""
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "-", request.node.name)[:60].strip("-")


def exchanges(bench: Bench, session: str, operation: str | None = None) -> list:
    from simulators.core.journal import ExchangeQuery

    assert bench.runtime is not None
    return bench.runtime.journal.query(ExchangeQuery(session=session, service="mss", operation=operation))
