"""Per-session identity base: default shared, changes per session, visible to a second process."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.core.db import open_database
from simulators.ins.options import InsOptions, OptionsError
from simulators.ins.seed import PersonError, person_from_json
from simulators.ins.store import InsStore

ALICE = {"id": "alice", "nom_naissance": "EDITEUR", "prenoms": "ALICE", "sexe": "F", "date_naissance": "1990-05-17",
         "ins": "2900535238001"}


def _store(path: Path, **options) -> InsStore:
    db = open_database(f"sqlite:///{path / 'ins.db'}")
    store = InsStore(db, seed=7, options=InsOptions.from_mapping(options))
    store.create_tables()
    return store


def test_changes_stay_in_their_session_and_reset_restores_the_default(tmp_path: Path) -> None:
    store = _store(tmp_path)
    default_count = len(store.persons("a"))
    store.add("a", person_from_json(ALICE))
    assert store.remove("a", "cnam-adrun-zoe")
    assert store.get("a", "alice") is not None and store.get("a", "cnam-adrun-zoe") is None
    assert len(store.persons("a")) == default_count
    assert store.get("b", "alice") is None and store.get("b", "cnam-adrun-zoe") is not None
    assert not store.remove("a", "nobody")
    store.drop_session("a")
    assert store.get("a", "alice") is None and store.get("a", "cnam-adrun-zoe") is not None


def test_replacing_a_default_person_keeps_one_entry(tmp_path: Path) -> None:
    store = _store(tmp_path)
    zoe = store.get("s", "cnam-adrun-zoe").to_json()
    zoe["prenoms"] = ["ZOE", "LINE"]
    store.add("s", person_from_json(zoe))
    assert [p.prenoms for p in store.persons("s") if p.id == "cnam-adrun-zoe"] == [("ZOE", "LINE")]


def test_a_second_process_sees_changes_after_the_cache_ttl(tmp_path: Path) -> None:
    writer, reader = _store(tmp_path, cache_ttl_s=0), _store(tmp_path, cache_ttl_s=0)
    assert reader.get("s", "alice") is None
    writer.add("s", person_from_json(ALICE))
    assert reader.get("s", "alice") is not None


def test_config_persons_and_exclusions(tmp_path: Path) -> None:
    store = _store(tmp_path, persons=[ALICE], exclude=["fanny"])
    assert store.get("any", "alice").origin == "config"
    assert store.get("any", "fanny") is None


def test_bad_options_and_persons_are_explained() -> None:
    with pytest.raises(OptionsError, match="idam_allowlist"):
        InsOptions.from_mapping({"idam_allowlist": "X"})
    with pytest.raises(OptionsError, match="fault_style"):
        InsOptions.from_mapping({"fault_style": "2020"})
    with pytest.raises(PersonError, match="date_naissance"):
        person_from_json(dict(ALICE, date_naissance="17/05/1990"))
    with pytest.raises(PersonError, match="history"):
        person_from_json(dict(ALICE, history="x"))


def test_production_environment_drops_qualification_only_persons(tmp_path: Path) -> None:
    assert _store(tmp_path).get("s", "cnam-adrun-zoe") is not None
    assert _store(tmp_path, environment="production").get("s", "cnam-adrun-zoe") is None
    with pytest.raises(OptionsError, match="environment"):
        InsOptions.from_mapping({"environment": "recette"})


def test_store_on_postgresql(postgres_url: str, pg_schema: str) -> None:
    db = open_database(postgres_url, schema=pg_schema)
    try:
        store = InsStore(db, seed=7, options=InsOptions(cache_ttl_s=0))
        store.create_tables()
        store.add("pg", person_from_json(ALICE))
        assert store.remove("pg", "cnam-adrun-zoe")
        assert store.get("pg", "alice") is not None and store.get("pg", "cnam-adrun-zoe") is None
        store.drop_session("pg")
        assert store.get("pg", "alice") is None
    finally:
        db.dispose()
