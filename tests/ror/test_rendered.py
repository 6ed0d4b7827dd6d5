"""Entries serialised once per resource version: the assembled JSON is byte-identical to the plain
`json.dumps` of the Bundle, and a write, a reset or another replica's change drops the serialised
resources (the cache lives in the session index, which all three replace)."""

from __future__ import annotations

import copy

import pytest

from simulators.core.db import open_database
from simulators.fhir.formats import render
from simulators.ror.auth import TokenIssuer
from simulators.ror.client import token
from simulators.ror.engine import RorService
from simulators.ror.model import TokenClaims
from simulators.ror.options import RorOptions
from simulators.ror.rendered import RenderedBundle
from simulators.ror.seed import seed_resources
from simulators.ror.store import RorStore

OFFER = "mecs-les-tilleuls-offre-1"
QUERIES = [
    [("location.near-insee-code", "93048|30|km"), ("_include", "HealthcareService:location"),
     ("_include", "HealthcareService:organization"), ("_count", "5")],
    [("_revinclude", "PractitionerRole:service"), ("_include:iterate", "PractitionerRole:practitioner")],
    [("_elements", "name,location"), ("_include", "HealthcareService:location")],
    [("_summary", "true"), ("_include", "HealthcareService:organization")],
    [("service-category", token("TRE_R244-CategorieOrganisation", "61")), ("_summary", "data")],
    [("_id", OFFER)],
]


@pytest.fixture
def service(tmp_path):
    store = RorStore(open_database(f"sqlite:///{tmp_path}/ror.db"), seeder=lambda _s: seed_resources())
    store.create_tables()
    return RorService(store, RorOptions(), TokenIssuer("test"))


def search(service: RorService, query, profile: int = 2, rtype: str = "HealthcareService") -> RenderedBundle:
    claims = TokenClaims("c", profile, 2**40, 0, "j", session="s")
    bundle = service.search("s", claims, rtype, query, base_url="https://h/fhir", self_url="https://h/fhir/x",
                            summary={})
    assert isinstance(bundle, RenderedBundle)
    return bundle


@pytest.mark.parametrize("profile", [0, 1, 2, 3, 4, 5])
def test_assembled_json_is_the_plain_dump(service: RorService, profile: int) -> None:
    for query in QUERIES:
        for _ in range(2):  # the second time from the cache
            bundle = search(service, query, profile)
            assert bundle.get("entry"), query
            assert bundle.to_json() == render(dict(bundle), "json")[0]
    places = search(service, [("near", "48.9|2.4|10|km")], profile, "Location")
    assert places.to_json() == render(dict(places), "json")[0]


def test_a_different_body_is_caught(service: RorService) -> None:
    """The comparison can fail: stale bytes for one entry differ from the dump of the dict."""
    bundle = search(service, QUERIES[0])
    bundle.entries_json[0] = bundle.entries_json[0].replace(b'"match"', b'"include"')
    assert bundle.to_json() != render(dict(bundle), "json")[0]


def _renamed(service: RorService, name: str) -> dict:
    offer = copy.deepcopy(service.store.index("s").get("HealthcareService", OFFER))
    offer["name"] = name
    return offer


def test_update_reset_and_replica_change_drop_the_serialised_resources(service: RorService) -> None:
    assert b"Nouveau nom" not in search(service, QUERIES[-1]).to_json()
    service.store.put("s", [_renamed(service, "Nouveau nom")])
    assert b"Nouveau nom" in search(service, QUERIES[-1]).to_json()
    service.store.drop_session("s")  # a session reset: back to the seed
    assert b"Nouveau nom" not in search(service, QUERIES[-1]).to_json()
    service.store.put("s", [_renamed(service, "Autre nom")])
    search(service, QUERIES[-1])
    service.store._changed_elsewhere("s")  # what the replicas' change feed calls (docs/replicas.md)
    rebuilt = service.store.index("s")
    assert len(rebuilt.presented) == 0
    assert b"Autre nom" in search(service, QUERIES[-1]).to_json()


def test_kept_serialisations_would_serve_the_old_resource(service: RorService) -> None:
    """Without invalidation (the old cache carried over to the new index) the update is not seen:
    the check above fails on a cache that survives writes."""
    search(service, QUERIES[-1])
    kept = service.store.index("s").presented
    service.store.put("s", [_renamed(service, "Nouveau nom")])
    service.store.index("s").presented = kept
    assert b"Nouveau nom" not in search(service, QUERIES[-1]).to_json()


def test_entry_bytes_are_the_dump_of_the_entry_for_any_url_and_search_part() -> None:
    from simulators.fhir.bundle import dumps
    from simulators.ror.rendered import entry_json
    from simulators.ror.results import entry

    resource = {"resourceType": "Location", "id": "l1", "name": "Château « d'eau »"}
    for url in ("https://h/fhir/Location/l1", 'https://h/f"i\\r/é/\u2028/\x01/Location/l1', ""):
        for mode, distance in (("match", None), ("include", None), ("include", 1.25), ("outcome", None)):
            item = entry(url, resource, mode, distance)
            assert entry_json(url, dumps(resource), item["search"]) == dumps(item), (url, mode)
    assert entry_json("u", b"{}", {"mode": "match", "score": 1}) == b'{"fullUrl":"u","resource":{},"search":' \
                                                                  b'{"mode":"match","score":1}}'
