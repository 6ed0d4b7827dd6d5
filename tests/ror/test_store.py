"""The store on both databases: lazy seeding, vendor loads served verbatim, removal, reset."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from simulators.core.db import open_database
from simulators.ror.seed import ig_example_resources, seed_resources
from simulators.ror.store import RorStore


def _exercise(store: RorStore) -> None:
    store.create_tables()
    index = store.index("s1")
    assert index.get("Organization", "camsp-bondy") is not None
    assert store.index("s1") is index  # cached until a write
    changed = dict(ig_example_resources()[0], name="Offre de l'éditeur")
    assert store.put("s1", [changed, changed]) == 1
    reloaded = store.index("s1")
    assert reloaded is not index and reloaded.get("HealthcareService", changed["id"]) == changed
    assert store.remove("s1", "Organization", "camsp-bondy")
    assert store.index("s1").get("Organization", "camsp-bondy") is None
    assert store.index("s2").get("Organization", "camsp-bondy") is not None  # sessions are separate
    store.drop_session("s1")
    assert store.index("s1").get("Organization", "camsp-bondy") is not None  # reseeded
    store._indexes.clear()  # a new process reads what the first one wrote
    assert store.index("s2").get("HealthcareService", "camsp-bondy-offre-1") is not None


def test_store_on_sqlite(tmp_path: Path) -> None:
    _exercise(RorStore(open_database(f"sqlite:///{tmp_path / 'ror.db'}"), seeder=lambda _s: seed_resources()))


def test_store_on_postgresql(postgres_url: str, pg_schema: str) -> None:
    db = open_database(postgres_url, schema=pg_schema)
    try:
        _exercise(RorStore(db, seeder=lambda _s: seed_resources()))
    finally:
        db.dispose()


def test_volume_is_rebuilt_not_stored(tmp_path: Path) -> None:
    calls = []
    generated = {"resourceType": "Organization", "id": "gen-eg-000001", "name": "Généré"}

    def generator(volume: int, region: str | None) -> tuple[dict, ...]:
        calls.append((volume, region))
        return (generated,)

    store = RorStore(open_database(f"sqlite:///{tmp_path / 'ror.db'}"), seeder=lambda _s: seed_resources(),
                     generator=generator)
    store.create_tables()
    store.set_volume("v", 500, "11")
    assert store.index("v").get("Organization", "gen-eg-000001") is generated
    assert calls == [(500, "11")]
    with store.db.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(store.resources)
                            .where(store.resources.c.session == "v")).scalar()
    assert rows == len(seed_resources())  # only the seed is stored; the volume is rebuilt from (size, region)
