"""One RSA test PKI per test session (per xdist worker): tests that change it use unique names."""

from __future__ import annotations

import itertools

import pytest

from simulators.core.pki.testing import pki_fixture

pki = pki_fixture()

_counter = itertools.count()


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """A certificate name no other test uses, so tests may issue and revoke in the shared PKI."""
    return f"t{next(_counter)}-{request.node.name.lower().replace('[', '-').replace(']', '')}"[:60]
