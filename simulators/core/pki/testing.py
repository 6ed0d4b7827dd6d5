"""Test PKIs for pytest in every package: build once per session, reuse everywhere.

    # tests/<pkg>/conftest.py
    from simulators.core.pki.testing import pki_fixture
    pki = pki_fixture()          # session-scoped fixture named "pki" (one per xdist worker)

or call `make_test_pki(tmp_dir)` directly. RSA keys (the default, as IGC-Santé) cost about 0.8 s for
the whole default set; `key_type="ec-p256"` makes it ~20x faster when the key type does not matter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from collections.abc import Callable

from .store import Pki

TEST_BASE_URL = "http://127.0.0.1:8080/_bench/pki"


def make_test_pki(directory: Path | str, *, key_type: str = "rsa2048", defaults: bool = True) -> Pki:
    """The same PKI `socle-bench pki init` creates, in `directory` (a tmp dir)."""
    return Pki.init(Path(directory), base_url=TEST_BASE_URL, key_type=key_type, defaults=defaults)


def pki_fixture(name: str = "pki", *, scope: str = "session", key_type: str = "rsa2048") -> Callable[..., Any]:
    """A pytest fixture called `name`, yielding a test PKI in a tmp dir; assign it in a conftest."""
    import pytest

    @pytest.fixture(scope=scope, name=name)  # type: ignore[call-overload]
    def _pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
        return make_test_pki(tmp_path_factory.mktemp("pki"), key_type=key_type)

    return _pki
