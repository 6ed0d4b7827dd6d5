"""The dashboard's ROR view (`GET /_bench/ror/dashboard`): establishments with their place on the map,
age ranges and available places, paged so that a 20,000-offer session stays fast."""

from __future__ import annotations

import time

import requests

from simulators.core.bench import Bench
from simulators.identities.world import build_world
from simulators.ror.dashboard_view import short_category
from simulators.ror.model import nos
from tests.dashboard.view_contract import assert_view

VOLUME = 20_000  # the bench seed and this size share the generator's cache with test_volume.py


def view(bench: Bench, session: str, **params: str) -> dict:
    reply = requests.get(f"{bench.admin_url}/_bench/ror/dashboard", params={"session": session, **params},
                         timeout=60)
    assert reply.status_code == 200, reply.text
    document = reply.json()
    assert_view("establishments", document)
    return document


def test_world_establishments_with_coordinates_ages_and_places(ror_bench: Bench, session_name: str) -> None:
    world = build_world(ror_bench.config.seed)
    tilleuls = world.establishment("mecs-les-tilleuls")
    document = view(ror_bench, session_name)
    rows = {e["id"]: e for e in document["establishments"]}
    assert document["total"] == len(rows) and document["next_offset"] is None
    row = rows["mecs-les-tilleuls"]
    assert (row["name"], row["finess"], row["category"], row["commune_code"], row["commune"]) == (
        "MECS Les Tilleuls", tilleuls.finess_et, "MECS", "93064", "Rosny-sous-Bois")
    assert (row["latitude"], row["longitude"]) == (tilleuls.address.latitude, tilleuls.address.longitude)
    offer = tilleuls.offers[0]
    assert (row["age_min"], row["age_max"], row["places_available"]) == (
        offer.age_min, offer.age_max, offer.capacity_available)
    assert [o["places_installed"] for o in row["offers"]] == [offer.capacity_installed]
    volcans = rows["ehpad-les-volcans"]  # its protected unit (an OI partOf it) counts among its offers
    assert volcans["category"] == "EHPAD" and volcans["offer_count"] == len(world.establishment("ehpad-les-volcans").offers)
    sources = rows["itep-les-sources"]  # the closed offer's places are not available
    assert [o["active"] for o in sources["offers"]] == [True, False] and sources["places_available"] == 2
    mdph = rows["mdph-93"]  # no offer, no Location: its address's commune, no invented coordinates
    assert (mdph["latitude"], mdph["commune_code"], mdph["commune"], mdph["department"], mdph["age_min"]) == (
        None, "93008", "Bobigny", "93", None)


def test_vendor_resources_appear_after_a_write_even_odd_ones(ror_bench: Bench, session_name: str) -> None:
    requests.post(f"{ror_bench.admin_url}/_bench/sessions", json={"name": session_name}, timeout=10)
    view(ror_bench, session_name)  # builds and caches the view of the seeded index
    odd = {"resourceType": "Organization", "id": "vendor-eg", "name": "Foyer du vendeur",
           "type": [{"coding": [{"system": nos("TRE_R66-CategorieEtablissement"), "code": "999"}]}],
           "identifier": "pas une liste", "address": "pas une liste"}
    service = {"resourceType": "HealthcareService", "id": "vendor-hs", "providedBy": {"reference": "Organization/vendor-eg"},
               "location": [{"reference": "Location/absent"}], "extension": [{"url": 3}]}
    loaded = requests.post(f"{ror_bench.admin_url}/_bench/ror/sessions/{session_name}/resources",
                           json=[odd, service], timeout=10)
    assert loaded.status_code == 201, loaded.text
    row = next(e for e in view(ror_bench, session_name)["establishments"] if e["id"] == "vendor-eg")
    assert (row["category"], row["finess"], row["offer_count"], row["places_available"], row["age_min"]) == (
        "999", "", 1, 0, None)
    reset = requests.post(f"{ror_bench.admin_url}/_bench/sessions/{session_name}/reset", timeout=10)
    assert reset.status_code == 200, reset.text
    assert "vendor-eg" not in {e["id"] for e in view(ror_bench, session_name)["establishments"]}
    assert short_category({"code": "186", "display": "Institut thérapeutique éducatif et pédagogique (ITEP)"}) == "ITEP"


def test_a_20000_offer_session_is_paged_and_fast(ror_bench: Bench, session_name: str) -> None:
    loaded = requests.post(f"{ror_bench.admin_url}/_bench/ror/sessions/{session_name}/volume",
                           json={"volume": VOLUME}, timeout=120)
    assert loaded.status_code == 200, loaded.text
    view(ror_bench, session_name, limit="1")  # the index itself is built here, as any first search would
    started = time.perf_counter()
    first = view(ror_bench, session_name)
    elapsed = time.perf_counter() - started
    assert first["total"] > 5_000 and len(first["establishments"]) == 500 and first["next_offset"] == 500
    assert "MECS Les Tilleuls" in [e["name"] for e in first["establishments"][:30]]  # the world's come first
    print(f"\npremière page en {elapsed:.2f} s")  # figures belong to the benchmark
    second = view(ror_bench, session_name, offset="500")
    assert {e["id"] for e in second["establishments"]}.isdisjoint(e["id"] for e in first["establishments"])
    assert sum(1 for e in second["establishments"] if e["places_available"] > 0) > 100
    assert all(isinstance(e["latitude"], float) for e in second["establishments"])
    last = view(ror_bench, session_name, offset=str(first["total"] - 1))
    assert len(last["establishments"]) == 1 and last["next_offset"] is None
    bad = requests.get(f"{ror_bench.admin_url}/_bench/ror/dashboard", params={"session": session_name, "limit": "x"},
                       timeout=10)
    assert bad.status_code == 400 and "entiers" in bad.json()["detail"]
