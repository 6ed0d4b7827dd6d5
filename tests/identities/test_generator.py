"""Load-test generator: coherent, unique, reproducible, fast."""

from __future__ import annotations

import time

from simulators.identities.communes import commune, haversine_km
from simulators.identities.generator import (
    generate_establishments, generate_people, generate_professionals,
)
from simulators.identities.identifiers import is_valid_finess, is_valid_rpps
from simulators.identities.nir import is_valid_nir, split_nir
from simulators.identities.traits import is_valid_trait


def test_people_are_coherent_and_reproducible() -> None:
    people = generate_people(500, seed=11, region="93")
    assert people == generate_people(500, seed=11, region="93")
    assert people != generate_people(500, seed=12, region="93")
    assert len({p.ins.nir for p in people}) == 500
    for person in people:
        assert is_valid_nir(person.ins.value)
        assert split_nir(person.ins.nir).place == person.birth_place
        assert is_valid_trait(person.birth_name) and all(is_valid_trait(g) for g in person.given_names)
        assert person.address.commune_code.startswith("93")


def test_establishments_are_coherent_and_fast() -> None:
    start = time.perf_counter()
    establishments = generate_establishments(5000, seed=5)
    elapsed = time.perf_counter() - start
    print(f"\n5 000 établissements générés en {elapsed:.2f} s")  # figures belong to the benchmark
    finess = [e.finess_et for e in establishments] + [e.finess_ej for e in establishments]
    assert len(set(finess)) == len(finess)
    for est in establishments[:1000]:
        assert is_valid_finess(est.finess_et) and est.finess_et.startswith(est.department[:2])
        centre = commune(est.address.commune_code)
        where = (est.address.latitude, est.address.longitude)
        assert haversine_km(centre.latitude, centre.longitude, *where) < 4
        offer = est.offers[0]
        assert 0 <= offer.capacity_available <= offer.capacity_installed


def test_region_filter_and_professionals() -> None:
    establishments = generate_establishments(50, seed=1, region=("63", "93"))
    assert {e.department for e in establishments} <= {"63", "93"}
    pros = generate_professionals(300, seed=1, establishments=establishments)
    assert pros == generate_professionals(300, seed=1, establishments=establishments)
    rpps = [p.rpps for p in pros if p.rpps]
    assert rpps and len(set(rpps)) == len(rpps) and all(is_valid_rpps(r) for r in rpps)
    assert len({p.mss_address for p in pros}) == len(pros)
    assert {p.establishment_id for p in pros} <= {e.id for e in establishments}
