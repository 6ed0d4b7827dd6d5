"""The `[services.server]` bounds are read and checked; a bad value is a configuration error, not a
server that silently runs without a deadline."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.core.bench import http_limits
from simulators.core.config import ConfigError
from simulators.core.httpserver import HttpLimits
from tests.conftest import make_config


def test_limits_come_from_the_server_table(tmp_path: Path) -> None:
    config = make_config(tmp_path, max_body_bytes=1234)
    config.services["server"] = {"header_timeout_s": 2, "threads": 4, "tls_names": ["x"]}
    limits = http_limits(config)
    assert (limits.header_timeout_s, limits.threads, limits.max_body_bytes) == (2.0, 4, 1234)
    assert isinstance(limits.threads, int) and limits.body_timeout_s == HttpLimits().body_timeout_s


@pytest.mark.parametrize("value", [0, -1, "10", True, None])
def test_a_bad_bound_is_refused(tmp_path: Path, value: object) -> None:
    config = make_config(tmp_path)
    config.services["server"] = {"body_timeout_s": value}
    with pytest.raises(ConfigError, match="body_timeout_s"):
        http_limits(config)
