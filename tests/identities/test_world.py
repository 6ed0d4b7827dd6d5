"""The shared world: determinism, coherence of the stories, the §5 persons, trust space."""

from __future__ import annotations

import time
from datetime import date

from simulators.identities import world_draw
from simulators.identities.communes import distance_km
from simulators.identities.identifiers import is_valid_finess, is_valid_rpps, is_valid_siret
from simulators.identities.ins import OID_INS_NIA, OID_INS_NIR, OID_INS_NIR_TEST
from simulators.identities.model import Person
from simulators.identities.mssante import JUDICIARY_DOMAIN
from simulators.identities.nir import is_valid_nir, split_nir
from simulators.identities.personas import PERSONAS
from simulators.identities.traits import is_valid_trait
from simulators.identities.world import build_world

uncached = build_world.__wrapped__


def _age(person: Person, on: date = date(2026, 11, 22)) -> int:
    born = date.fromisoformat(person.birth_date)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_same_seed_gives_byte_identical_export() -> None:
    first, second = uncached(7).to_json(), uncached(7).to_json()
    assert first.encode("utf-8") == second.encode("utf-8")
    assert first != uncached(8).to_json()


def test_build_is_fast_and_cached() -> None:
    start = time.perf_counter()
    uncached(12345)
    assert time.perf_counter() - start < 0.3
    assert build_world(99) is build_world(99)


def test_persona_ages_and_families() -> None:
    world = build_world()
    ages = [_age(world.person(pid)) for pid in ("fanny", "elliot", "elise")]
    assert ages == [8, 14, 15]
    for pid in ("irene", "eleanore", "daniel", "christiane", "samir", "louis", "claude", "ginaud",
                "adrien", "lucas", "yanis"):
        assert "persona" in world.person(pid).tags
    for person in world.persons:
        for relation in person.relations:
            other = world.find(relation.person_id)
            assert isinstance(other, Person)
            assert person.id in {r.person_id for r in other.relations}, (person.id, other.id)  # reciprocal
        for rep in person.legal_representatives:
            assert world.find(rep) is not None
        if person.establishment_id:
            world.establishment(person.establishment_id)
    assert world.person("samir").address == world.establishment("ehpad-les-volcans").address
    assert world.person("yanis").address == world.establishment("mecs-les-tilleuls").address
    assert world.person("yanis").legal_representatives == ("ase-93",)
    elise = world.person("elise")
    assert elise.birth_name == "D'ALMEIDA-ROCHE" and elise.given_names == ("ELISE", "MARGAUX")
    mother = world.person("fanny-mere")
    assert (mother.birth_name, mother.used_name) == ("CARON", "LAVERGNE")


def test_identities_are_valid_and_coherent() -> None:
    world = build_world()
    nirs = [p.ins.nir for p in world.persons if p.ins]
    assert len(nirs) == len(set(nirs))
    for person in world.persons:
        assert is_valid_trait(person.birth_name), person.id
        assert all(is_valid_trait(name) for name in person.given_names), person.id
        if person.ins is None:
            continue
        parts = split_nir(person.ins.nir)
        assert parts.sex == {"M": "1", "F": "2"}[person.sex]
        assert parts.year == person.birth_date[2:4]
        if "lieu-incoherent" not in person.tags:  # ADRDEUX: kept as observed
            assert parts.place == person.birth_place, person.id
        assert is_valid_nir(person.ins.value) == (not person.insi.invalid_key), person.id
        if "persona" in person.tags or "parent" in person.tags:
            assert person.ins.oid == OID_INS_NIR_TEST
            assert person.mes_address == f"{person.ins.value}@patient.mssante.fr"


def test_cnam_test_persons() -> None:
    world = build_world()
    tchitchi = world.person("cnam-tchitchi-catarina")
    assert (tchitchi.ins.value, tchitchi.ins.oid, tchitchi.liste_prenom) == (
        "236066322083656", OID_INS_NIR, "CATARINA BELLA")
    nia = world.person("cnam-provisoire-matricule")
    assert nia.ins.oid == OID_INS_NIA and nia.ins.is_nia and nia.mes_address == ""
    hermann = world.person("cnam-hermann-gatien")
    assert hermann.insi.invalid_key and hermann.ins.key == "60" and not hermann.ins.key_valid
    assert [h.value for h in hermann.ins_history] == ["181036322045660", "281036322045610"]
    histo = world.person("cnam-ecetinsi-pierre-alain").ins_history[0]
    assert (histo.value, histo.date_deb, histo.date_fin) == ("209076322083439", "2019-03-01", "2019-02-28")
    homonyms = [p for p in world.persons if "homonyme" in p.tags]
    assert len(homonyms) == 2 and {p.first_given_name for p in homonyms} == {"LEONARDO"}
    assert {p.birth_date for p in homonyms} == {"2014-02-01"}
    faults = {p.id for p in world.persons if p.insi.fault == "insi_102"}
    assert faults == {"cnam-daeion-coeur", "cnam-de-vinci-ruth"}
    assert world.person("cnam-adrun-zoe").insi.production_cr == "01"
    assert any(p.birth_date.endswith("-00-00") for p in world.persons)
    assert {probe.expected_cr for probe in world.insi_probes} == {"01", "02"}


def test_oids_are_parameters() -> None:
    world = uncached(3, persona_oid=OID_INS_NIR, cnam_oid=OID_INS_NIR_TEST)
    assert world.person("fanny").ins.oid == OID_INS_NIR
    assert world.person("cnam-adrun-zoe").ins.oid == OID_INS_NIR_TEST
    assert world.person("cnam-provisoire-matricule").ins.oid == OID_INS_NIA


def test_mecs_candidates_around_elise() -> None:
    world = build_world()
    home = world.person("elise").address.commune_code
    matches = []
    for est in world.establishments:
        if est.category_code != "177":
            continue
        offer = est.offers[0]
        near = distance_km(home, est.address.commune_code) <= 30
        if near and offer.age_min <= 15 <= offer.age_max and offer.capacity_available > 0:
            matches.append(est.id)
    assert "mecs-les-tilleuls" in matches and "mecs-le-phare" not in matches
    assert "mecs-la-passerelle" not in matches and "mecs-les-hirondelles" not in matches
    assert distance_km(world.person("lucas").address.commune_code, "93010") < 10


def test_daniels_cousin_and_the_protected_units_near_him() -> None:
    world = build_world()
    cousin = world.person("daniel-cousin")
    assert ("cousin", "daniel-cousin") in {(r.kind, r.person_id) for r in world.person("daniel").relations}
    assert [(r.kind, r.person_id) for r in cousin.relations] == [("cousin", "daniel")]
    assert _age(cousin) >= 18 and "persona" not in cousin.tags and cousin.identity_status == "QUAL"
    home = cousin.address.commune_code
    assert home == "63124" and cousin.address.city == "Cournon-d'Auvergne"
    uvp = {est.id: offer for est in world.establishments for offer in est.offers
           if offer.offer_type == "24" and distance_km(home, est.address.commune_code) <= 20}
    assert set(uvp) == {"ehpad-les-volcans", "ehpad-la-roseraie"}
    assert [eid for eid, offer in uvp.items() if offer.capacity_available > 0] == ["ehpad-les-volcans"]
    assert 9 < distance_km(home, world.establishment("ehpad-les-volcans").address.commune_code) < 13


def test_establishments_and_professionals() -> None:
    world = build_world()
    for est in world.establishments:
        if est.finess_et:
            assert is_valid_finess(est.finess_et) and is_valid_finess(est.finess_ej or "")
            assert est.finess_et.startswith(est.department[:2]) and est.idnst == "1" + est.finess_et
        else:
            assert est.idnst == "3" + (est.siret or "")
        assert is_valid_siret(est.siret or "")
    ehpad = world.establishment("ehpad-les-volcans")
    assert any(o.offer_type == "24" and o.capacity_available > 0 for o in ehpad.offers)
    for pro in world.professionals:
        world.establishment(pro.establishment_id)
        if pro.rpps:
            assert is_valid_rpps(pro.rpps) and pro.idnps == "8" + pro.rpps
    assert world.professional("medecin-elise").rpps
    assert world.professional("ase-gestionnaire").rpps is None


def test_trust_space() -> None:
    world = build_world()
    trusted = world.trust_space()
    assert "cd93.mssante.test" in trusted and "patient.mssante.fr" in trusted
    assert JUDICIARY_DOMAIN not in trusted
    judge = world.professional("juge-des-enfants")
    assert judge.mss_address == "" and judge.email.endswith("@" + JUDICIARY_DOMAIN)
    for pro in world.professionals:
        if pro.mss_address:
            assert pro.mss_address.split("@")[1] in trusted
    assert world.establishment("crip-93").mss_org_address == "crip@cd93.mssante.test"


def test_records_keep_their_numbers_when_others_change() -> None:
    world = build_world(4)
    by_id = {e.id: e for e in world.establishments}
    only_elise = [s for s in PERSONAS if s.id == "elise"]
    alone = world_draw.draw_persons(4, tuple(only_elise), world.persona_oid, set(), by_id)
    assert alone[0] == world.person("elise")
