"""Units of the replicas' shared state: the shipped HAProxy file, the change feed, PSC grants and keys."""

from __future__ import annotations

import time

import pytest

from loadtests.haproxy import SHIPPED, shipped_config
from simulators.core.db import open_database


def test_shipped_haproxy_config_is_the_rendered_one() -> None:
    assert SHIPPED.read_text(encoding="utf-8") == shipped_config(), "regenerate deploy/haproxy/haproxy.cfg"


def test_change_feed_is_inert_on_sqlite(tmp_path) -> None:
    a = open_database(f"sqlite:///{tmp_path}/one.db")
    seen: list[str] = []
    a.changes.subscribe("ror", seen.append)
    a.changes.publish("ror", "s1")
    a.changes.poll(force=True)
    assert seen == [] and not a.shared
    assert "shared_changes" not in a.metadata.tables  # single-process SQLite: nothing new in the file


@pytest.mark.postgres
def test_change_feed_tells_the_other_replica_only(postgres_url: str, pg_schema: str) -> None:
    a, b = open_database(postgres_url, schema=pg_schema), open_database(postgres_url, schema=pg_schema)
    seen_a: list[str] = []
    seen_b: list[str] = []
    a.changes.subscribe("ror", seen_a.append)
    b.changes.subscribe("ror", seen_b.append)
    b.changes.subscribe("ins", lambda s: seen_b.append("ins:" + s))
    a.changes.poll(force=True)
    b.changes.poll(force=True)
    a.changes.publish("ror", "s1")
    a.changes.publish("ror", "s1")
    a.changes.publish("ins", "s2")
    a.changes.poll(force=True)
    b.changes.poll(force=True)
    assert seen_a == []  # its own writes: caches already fresh
    assert seen_b == ["s1", "ins:s2"]
    b.changes.poll(force=True)
    assert seen_b == ["s1", "ins:s2"]  # told once
    a.dispose()
    b.dispose()


@pytest.mark.postgres
def test_psc_key_and_grants_shared(postgres_url: str, pg_schema: str, tmp_path) -> None:
    from simulators.psc.model import AuthorizationCode
    from simulators.psc.store import SharedGrantStore, signing_key

    a, b = open_database(postgres_url, schema=pg_schema), open_database(postgres_url, schema=pg_schema)
    key_a, key_b = signing_key(tmp_path / "a", a), signing_key(tmp_path / "b", b)
    assert key_a.kid == key_b.kid and not (tmp_path / "a").exists()
    assert signing_key(tmp_path / "c").kid != key_a.kid  # SQLite benches keep their own file key
    grants_a, grants_b = SharedGrantStore(a), SharedGrantStore(b)
    code = AuthorizationCode(code="c1", client_id="x", redirect_uri="https://dui", national_id="899",
                             scope="openid", nonce="", code_challenge="", session="s", auth_time=0, sid="sid1",
                             expires_at=time.time() + 60)
    grants_a.put_code(code)
    first, reused = grants_b.take_code("c1")
    assert first is not None and first.national_id == "899" and not reused
    again, reused = grants_a.take_code("c1")
    assert again is not None and reused  # a replayed code is seen by the other replica
    assert grants_b.take_code("nope") == (None, False)
    grants_a.end_sid("sid1")
    assert grants_b.sid_ended("sid1") and not grants_b.sid_ended("sid2")
    a.dispose()
    b.dispose()
