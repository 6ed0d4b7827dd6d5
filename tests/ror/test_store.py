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


def test_warmed_visible_holders_equal_the_plain_intersection_and_follow_writes(tmp_path: Path) -> None:
    import copy

    from simulators.core.db import open_database as open_db
    from simulators.ror import rules
    from simulators.ror.auth import TokenIssuer
    from simulators.ror.engine import RorService
    from simulators.ror.index import WARMED
    from simulators.ror.options import RorOptions
    from simulators.ror.params import PARAMS

    store = RorStore(open_db(f"sqlite:///{tmp_path / 'ror.db'}"), seeder=lambda _s: seed_resources())
    store.create_tables()
    RorService(store, RorOptions(), TokenIssuer("t"))  # installs the warmer

    def check(index) -> int:
        judged = 0
        for profile in (0, 1, 2):
            hidden = index.hidden(rules.visibility_class(profile), rules.hidden_predicate(profile))
            for rtype, names in WARMED.items():
                for name in [n for n in names if PARAMS[rtype][n].type == "token"]:
                    pdef = PARAMS[rtype][name]
                    for key, holders in index.tokens(rtype, pdef).items():
                        plain = {rid for rid in holders if f"{rtype}/{rid}" not in hidden}
                        assert index.visible_with(rtype, pdef, key, hidden) == plain, (profile, key)
                        judged += 1
        return judged

    index = store.index("s")
    assert index._visible_tokens and check(index) > 50  # built with the index, before any search
    hidden = index.hidden(rules.visibility_class(2), rules.hidden_predicate(2))
    assert any(f"HealthcareService/{rid}" in hidden for rid in index.by_type["HealthcareService"])  # sets differ
    pdef = PARAMS["HealthcareService"]["service-category"]
    offer = next(r for r in index.by_type["HealthcareService"].values() if r.get("category"))
    key = next(k for k, ids in index.tokens("HealthcareService", pdef).items() if offer["id"] in ids and k[0] != "*"
               and k[1] != "*")
    moved = copy.deepcopy(offer)
    moved["category"] = [{"coding": [{"system": key[0], "code": "code-inconnu"}]}]
    store.put("s", [moved])  # a write: the new index answers for the new data
    assert offer["id"] not in store.index("s").visible_with("HealthcareService", pdef, key, frozenset())
    assert check(store.index("s")) > 50
