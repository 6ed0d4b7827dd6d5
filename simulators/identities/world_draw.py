"""Seeded draws that turn the fixed stories into records: numbers, addresses, phones, coordinates.

Each record draws from its own generator, seeded with the world seed and the record id, so adding,
removing or reordering records never changes the numbers of the others: a vendor who loaded the
world keeps Fanny's NIR when a persona is added. Identifiers are still checked for uniqueness.
Phone numbers come from the ARCEP ranges reserved for fiction (01 99 00, 03 53 01, 04 65 71,
06 39 98), so none can ring a real person.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from simulators.identities import establishments as est_specs
from simulators.identities import identifiers as ids
from simulators.identities.communes import commune, department_of
from simulators.identities.ins import InsMatricule, patient_mss_address
from simulators.identities.model import Address, Establishment, Offer, Person, Professional, Relation
from simulators.identities.mssante import JUDICIARY_DOMAIN, ORDINARY_MAIL_DOMAIN, person_address
from simulators.identities.nir import generate_nir, nir_key
from simulators.identities.personas import PersonaSpec
from simulators.identities.professionals import PROFESSIONS, ProfessionalSpec
from simulators.identities.traits import normalise_birth_name, normalise_given_names

STREETS = (
    "rue des Lilas", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Pasteur",
    "rue de la République", "allée des Tilleuls", "rue Émile Zola", "place de la Mairie",
    "chemin des Vignes", "rue du Moulin", "impasse des Peupliers", "avenue de la Gare",
    "rue Jules Ferry", "rue Paul Éluard", "rue des Écoles", "avenue du Général de Gaulle",
    "rue Pierre Curie", "rue de la Fontaine", "boulevard de la Liberté", "rue Louise Michel",
)
FICTION_PHONE_PREFIX = {"01": "01 99 00", "03": "03 53 01", "04": "04 65 71"}
MOBILE_FICTION_PREFIX = "06 39 98"


def seeded_rng(seed: int, purpose: str = "world") -> random.Random:
    """String seeds hash with SHA-512: stable across Python versions and platforms."""
    return random.Random(f"socle-bench:{purpose}:{seed}")


def draw_address(rng: random.Random, commune_code: str, jitter_deg: float = 0.01) -> Address:
    town = commune(commune_code)
    line = f"{rng.randrange(1, 160)} {rng.choice(STREETS)}"
    lat = round(town.latitude + rng.uniform(-jitter_deg, jitter_deg), 6)
    lon = round(town.longitude + rng.uniform(-jitter_deg, jitter_deg), 6)
    return Address(line, town.postal_code, town.name, town.code, lat, lon)


def _two_digit_pairs(rng: random.Random) -> str:
    return f"{rng.randrange(100):02d} {rng.randrange(100):02d}"


def draw_landline(rng: random.Random, department: str) -> str:
    if department in ("59", "60", "62", "80", "02"):
        prefix = FICTION_PHONE_PREFIX["03"]
    elif department.startswith("6") or department in ("03", "15", "43"):
        prefix = FICTION_PHONE_PREFIX["04"]
    else:
        prefix = FICTION_PHONE_PREFIX["01"]
    return f"{prefix} {_two_digit_pairs(rng)}"


def draw_mobile(rng: random.Random) -> str:
    return f"{MOBILE_FICTION_PREFIX} {_two_digit_pairs(rng)}"


def _unique(draw: Callable[[], str], used: set[str]) -> str:
    value = draw()
    while value in used:
        value = draw()
    used.add(value)
    return value


def draw_establishments(
    seed: int, specs: tuple[est_specs.EstablishmentSpec, ...]
) -> tuple[Establishment, ...]:
    used: set[str] = set()
    entities: dict[str, tuple[str | None, str]] = {}
    for key in sorted(est_specs.LEGAL_ENTITIES):
        _, department, has_finess = est_specs.LEGAL_ENTITIES[key]
        rng = seeded_rng(seed, f"legal-entity:{key}")
        finess_ej = _unique(lambda: ids.random_finess(rng, department), used) if has_finess else None  # noqa: B023 - _unique calls it at once, in this iteration
        entities[key] = (finess_ej, _unique(lambda: ids.random_siren(rng), used))  # noqa: B023 - _unique calls it at once
    records = []
    for spec in specs:
        rng = seeded_rng(seed, f"establishment:{spec.id}")
        department = department_of(spec.commune)
        finess_ej, siren = entities[spec.legal_entity]
        finess_et = _unique(lambda: ids.random_finess(rng, department), used) if spec.category else None  # noqa: B023 - _unique calls it at once
        siret = ids.random_siret(rng, siren)
        offers = tuple(
            Offer(f"{spec.id}-offre-{i + 1}", o.label, o.offer_type, o.label, "04", o.age_min,
                  o.age_max, o.publics, o.capacity_type, o.installed, o.available)
            for i, o in enumerate(spec.offers)
        )
        records.append(Establishment(
            id=spec.id, name=spec.name, kind=spec.kind,
            category_code=spec.category[0] if spec.category else None,
            category_label=spec.category[1] if spec.category else "",
            finess_ej=finess_ej, finess_et=finess_et, siret=siret,
            idnst=ids.idnst("FINESS", finess_et) if finess_et else ids.idnst("SIRET", siret),
            legal_entity=est_specs.LEGAL_ENTITIES[spec.legal_entity][0],
            address=draw_address(rng, spec.commune, 0.006), department=department,
            sector_code=spec.sector, offers=offers, mss_domain=spec.domain,
            mss_org_address=f"{spec.org_box}@{spec.domain}" if spec.org_box and spec.domain else "",
            phone=draw_landline(rng, department), parent_id=spec.parent_id, journeys=spec.journeys,
        ))
    return tuple(records)


RESIDENTIAL_KINDS = frozenset({"EHPAD", "MECS", "Résidence autonomie", "Foyer de vie"})


def draw_persons(
    seed: int, specs: tuple[PersonaSpec, ...], oid: str, used_nirs: set[str],
    establishments: dict[str, Establishment],
) -> tuple[Person, ...]:
    """Residents of an EHPAD, MECS, residence or foyer de vie live at its address."""
    records = []
    for spec in specs:
        rng = seeded_rng(seed, f"person:{spec.id}")
        nir13 = _unique(
            lambda: generate_nir(spec.sex, spec.birth_date, spec.birth_place, rng.randrange(1, 1000)),  # noqa: B023 - _unique calls it at once
            used_nirs,
        )
        ins = InsMatricule(nir13, nir_key(nir13), oid)
        birth_name = normalise_birth_name(spec.birth_name or spec.last_name)
        used_name = normalise_birth_name(spec.last_name) if spec.birth_name else ""
        first_display = spec.given_names.split(" ")[0]
        adult = int(spec.birth_date[:4]) <= 2008
        address = draw_address(rng, spec.home)
        residence = establishments.get(spec.establishment_id)
        if residence is not None and residence.kind in RESIDENTIAL_KINDS:
            address = residence.address
        records.append(Person(
            id=spec.id, birth_name=birth_name, given_names=normalise_given_names(spec.given_names),
            sex=spec.sex, birth_date=spec.birth_date, birth_place=spec.birth_place,
            display_first_name=first_display, display_last_name=spec.last_name,
            used_name=used_name if used_name != birth_name else "", ins=ins,
            identity_status=spec.status, address=address,
            phone=draw_mobile(rng) if adult else "",
            email=person_address(first_display, spec.last_name, ORDINARY_MAIL_DOMAIN) if adult else "",
            mes_address=patient_mss_address(ins.value),
            relations=tuple(Relation(kind, other, authority) for kind, other, authority in spec.relations),
            legal_representatives=spec.legal_representatives, establishment_id=spec.establishment_id,
            dmp=spec.dmp, tags=spec.tags, story=spec.story,
        ))
    return tuple(records)


def draw_professionals(
    seed: int, specs: tuple[ProfessionalSpec, ...], establishments: dict[str, Establishment]
) -> tuple[Professional, ...]:
    used: set[str] = set()
    records = []
    for spec in specs:
        rng = seeded_rng(seed, f"professional:{spec.id}")
        code, system, label, in_rpps = PROFESSIONS[spec.profession]
        place = establishments[spec.establishment_id]
        rpps = _unique(lambda: ids.random_rpps(rng), used) if in_rpps else None  # noqa: B023 - _unique calls it at once
        judiciary = place.mss_domain == JUDICIARY_DOMAIN
        address = person_address(spec.first_name, spec.last_name, place.mss_domain)
        records.append(Professional(
            id=spec.id, civility=spec.civility, first_name=spec.first_name, last_name=spec.last_name,
            role=spec.role, profession_code=code, profession_system=system, profession_label=label,
            specialty_code=spec.specialty, rpps=rpps, idnps=ids.idnps("RPPS", rpps) if rpps else None,
            establishment_id=spec.establishment_id,
            mss_address="" if judiciary or not place.mss_domain else address,
            email=address if judiciary else "", phone=draw_landline(rng, place.department),
            journeys=spec.journeys,
        ))
    return tuple(records)
