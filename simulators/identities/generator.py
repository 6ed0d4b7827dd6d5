"""Random but coherent people, professionals and establishments for load tests.

Coherent means: birth places and homes are known communes, NIR keys are valid and the NIR matches
the traits, coordinates sit near the commune centre, FINESS numbers start with the establishment's
department and carry a valid key, RPPS numbers are Luhn keyed, and no identifier repeats within one
call. Names come from faker ``fr_FR`` through one seeded Faker instance per call (never the global
seed); everything else from a ``random.Random`` with the same seed, so a call is reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable

from faker import Faker

from simulators.identities import identifiers as ids
from simulators.identities.communes import COUNTRIES, Commune, all_communes, department_of
from simulators.identities.ins import (
    IDENTITY_STATUSES, OID_INS_NIR_TEST, InsMatricule, patient_mss_address,
)
from simulators.identities.model import Establishment, Offer, Person, Professional
from simulators.identities.mssante import LIBERAL_DOMAINS, person_address, slug
from simulators.identities.nir import generate_nir, nir_key
from simulators.identities.professionals import PROFESSIONS
from simulators.identities.traits import normalise_birth_name, normalise_given_names
from simulators.identities.world_draw import draw_address, draw_landline, draw_mobile, seeded_rng

#: (TRE_R66 code, label, TRE_R244 offer type or None, age min, age max, TRE_R239 public)
CATEGORIES = (
    ("500", "Etablissement d'hébergement pour personnes âgées dépendantes", "21", 60, 120, "01"),
    ("500", "Etablissement d'hébergement pour personnes âgées dépendantes", "24", 60, 120, "01"),
    ("183", "Institut médico-éducatif (IME)", "48", 6, 20, "02"),
    ("190", "Centre action médico-sociale précoce (CAMSP)", "61", 0, 6, "02"),
    ("189", "Centre médico-psycho-pédagogique (CMPP)", "62", 0, 20, "02"),
    ("186", "Institut thérapeutique éducatif et pédagogique (ITEP)", "50", 6, 20, "02"),
    ("354", "Service de soins infirmiers à domicile (SSIAD)", "28", 60, 120, "01"),
    ("246", "Etablissement et service d'aide par le travail (ESAT)", "43", 18, 62, "02"),
    ("382", "Foyer de vie pour adultes handicapés", "97", 20, 60, "02"),
    ("177", "Maison d'enfants à caractère social", None, 6, 18, "07"),
    ("175", "Foyer de l'enfance", None, 0, 18, "07"),
)
PROFESSION_WEIGHTS = (("medecin", 30), ("infirmier", 30), ("pharmacien", 10), ("psychologue", 5),
                      ("ergotherapeute", 3), ("assistant-social", 10), ("educateur-specialise", 10),
                      ("autre", 2))


def _communes(region: str | Iterable[str] | None) -> tuple[Commune, ...]:
    if region is None:
        return all_communes()
    wanted = {region} if isinstance(region, str) else set(region)
    chosen = tuple(c for c in all_communes() if c.department in wanted)
    if not chosen:
        raise ValueError(f"aucune commune connue pour {sorted(wanted)}")
    return chosen


def _faker(seed: int) -> Faker:
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    return fake


def generate_people(
    n: int, seed: int, *, region: str | Iterable[str] | None = None, oid: str = OID_INS_NIR_TEST
) -> tuple[Person, ...]:
    """``n`` persons with valid, unique NIRs; ids ``gen-person-<i>``."""
    rng, fake = seeded_rng(seed, "people"), _faker(seed)
    homes, births = _communes(region), all_communes()
    used: set[str] = set()
    people = []
    for i in range(n):
        sex = rng.choice("MF")
        year = rng.randrange(1930, 2026)
        date = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        place = rng.choice(sorted(COUNTRIES)) if rng.random() < 0.06 else rng.choice(births).code
        nir13 = generate_nir(sex, date, place, rng.randrange(1, 1000))
        while nir13 in used:
            nir13 = generate_nir(sex, date, place, rng.randrange(1, 1000))
        used.add(nir13)
        first = fake.first_name_male() if sex == "M" else fake.first_name_female()
        second = fake.first_name_male() if sex == "M" else fake.first_name_female()
        last = fake.last_name()
        ins = InsMatricule(nir13, nir_key(nir13), oid)
        people.append(Person(
            id=f"gen-person-{i}", birth_name=normalise_birth_name(last),
            given_names=normalise_given_names([first, second]), sex=sex, birth_date=date,
            birth_place=place, display_first_name=first, display_last_name=last, used_name="",
            ins=ins, identity_status=rng.choice(IDENTITY_STATUSES),
            address=draw_address(rng, rng.choice(homes).code), phone=draw_mobile(rng),
            mes_address=patient_mss_address(ins.value), tags=("generated",),
        ))
    return tuple(people)


def generate_professionals(
    n: int, seed: int, *, establishments: tuple[Establishment, ...] = ()
) -> tuple[Professional, ...]:
    """``n`` professionals with unique RPPS where the profession has one; ids ``gen-pro-<i>``."""
    rng, fake = seeded_rng(seed, "professionals"), _faker(seed)
    kinds = [kind for kind, weight in PROFESSION_WEIGHTS for _ in range(weight)]
    used: set[str] = set()
    pros = []
    for i in range(n):
        kind = rng.choice(kinds)
        code, system, label, in_rpps = PROFESSIONS[kind]
        rpps = None
        if in_rpps:
            rpps = ids.random_rpps(rng)
            while rpps in used:
                rpps = ids.random_rpps(rng)
            used.add(rpps)
        first, last = fake.first_name(), fake.last_name()
        place = rng.choice(establishments) if establishments else None
        domain = place.mss_domain if place and place.mss_domain else LIBERAL_DOMAINS.get(
            kind, LIBERAL_DOMAINS["paramedical"])
        pros.append(Professional(
            id=f"gen-pro-{i}", civility="DR" if kind == "medecin" else rng.choice(("MME", "M")),
            first_name=first, last_name=last, role=label.lower(), profession_code=code,
            profession_system=system, profession_label=label, rpps=rpps,
            idnps=ids.idnps("RPPS", rpps) if rpps else None,
            establishment_id=place.id if place else "",
            mss_address=person_address(first, f"{last}{i}", domain),
            phone=draw_landline(rng, place.department if place else "75"),
        ))
    return tuple(pros)


def generate_establishments(
    n: int, seed: int, *, region: str | Iterable[str] | None = None
) -> tuple[Establishment, ...]:
    """``n`` establishments with unique valid FINESS (EJ and ET) in the region's communes."""
    rng, fake = seeded_rng(seed, "establishments"), _faker(seed)
    towns = _communes(region)
    used: set[str] = set()

    def unique_finess(department: str) -> str:
        value = ids.random_finess(rng, department)
        while value in used:
            value = ids.random_finess(rng, department)
        used.add(value)
        return value

    records = []
    for i in range(n):
        town = rng.choice(towns)
        department = department_of(town.code)
        code, label, offer_type, age_min, age_max, public = rng.choice(CATEGORIES)
        name = f"{label.split(' (')[0]} {fake.last_name()} - {town.name}"
        finess_ej, finess_et = unique_finess(department), unique_finess(department)
        installed = rng.randrange(10, 120)
        offer = Offer(f"gen-est-{i}-offre-1", label, offer_type, label, "04", age_min, age_max,
                      (public,), "02", installed, rng.randrange(0, min(installed, 6)))
        domain = f"{slug(name)[:40].strip('-')}-{i}.mssante.test"
        records.append(Establishment(
            id=f"gen-est-{i}", name=name, kind=label, category_code=code, category_label=label,
            finess_ej=finess_ej, finess_et=finess_et, siret=ids.random_siret(rng),
            idnst=ids.idnst("FINESS", finess_et), legal_entity=f"Organisme gestionnaire {i}",
            address=draw_address(rng, town.code, 0.02), department=department, offers=(offer,),
            mss_domain=domain, mss_org_address=f"accueil@{domain}",
            phone=draw_landline(rng, department),
        ))
    return tuple(records)


__all__ = ["generate_establishments", "generate_people", "generate_professionals"]
