"""Default data of a session: the world's establishments as ROR resources (EJ -> EG -> OI, offers,
places with capacities, professionals), plus the IG examples of ror.md §3.

Derived deterministically here because the world does not carry them (told to the lead):
care modes, activities and characteristics per offer type; an ITEP and a SAVS the journeys name but
the world lacks; an OI (internal organisation) for the protected units of EHPADs; the edge cases
ror.md §6 asks for (a closed offer, a sensitive unit, a deprecated code, a restricted contact).
MECS and other child-protection establishments (no ROR offer type exists, ror.md §2.3) follow the
`mecs` option: "offers" (EG + offer without category + place), "organizations" (EG only) or "absent".
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources as pkg
from typing import Any

from simulators.identities.communes import commune
from simulators.identities.identifiers import finess_with_key
from simulators.identities.model import Establishment, Offer
from simulators.identities.world import build_world
from simulators.ror import resources as r
from simulators.ror.codes import coding
from simulators.ror.model import nos

MECS_MODES = ("offers", "organizations", "absent")
CHILD_PROTECTION = {"177", "175", "172", "295"}
SKIPPED_CATEGORIES = {"620"}  # officines are not described in the ROR

# offer type -> (activity TRE_R211, care mode TRE_R213, extra characteristics)
SHAPES: dict[str | None, tuple[str, str, list[tuple[str, str]]]] = {
    None: ("298", "46", [("TRE_R240-TemporaliteAccueil", "02")]),
    "21": ("293", "46", [("TRE_R240-TemporaliteAccueil", "02")]),
    "22": ("298", "46", [("TRE_R240-TemporaliteAccueil", "02")]),
    "24": ("293", "46", [("TRE_R240-TemporaliteAccueil", "02"), ("TRE_R245-SpecialisationDePriseEnCharge", "28")]),
    "25": ("293", "47", [("TRE_R245-SpecialisationDePriseEnCharge", "28")]),
    "28": ("293", "49", []),
    "31": ("295", "49", []),
    "43": ("301", "47", []),
    "48": ("300", "47", [("TRE_R240-TemporaliteAccueil", "02"), ("TRE_R245-SpecialisationDePriseEnCharge", "14")]),
    "50": ("289", "46", [("TRE_R245-SpecialisationDePriseEnCharge", "26")]),
    "61": ("290", "47", [("TRE_R245-SpecialisationDePriseEnCharge", "02")]),
    "62": ("289", "32", []),
    "96": ("298", "46", []),
    "97": ("298", "46", []),
    "125": ("308", "32", []),
}

# Establishments the journeys name but the world lacks: (id, name, commune, category, sector, offers, EJ of)
EXTRA: tuple[tuple[str, str, str, tuple[str, str], str, tuple[Offer, ...], str], ...] = (
    ("itep-les-sources", "ITEP Les Sources", "93055", ("186", "Institut thérapeutique éducatif et pédagogique (ITEP)"),
     "SA16", (Offer("itep-les-sources-offre-1", "ITEP - internat", "50", "", "04", 6, 20, ("02",), "02", 30, 2),
              Offer("itep-les-sources-offre-2", "ITEP - semi-internat (fermé pour travaux)", "50", "", "04", 6, 20,
                    ("02",), "02", 12, 0)), "dime-les-coquelicots"),
    ("savs-clermont", "SAVS Arverne", "63113", ("446", "Service d'accompagnement à la vie sociale (SAVS)"), "SA16",
     (Offer("savs-clermont-offre-1", "Accompagnement à la vie sociale", "31", "", "04", 18, 99, ("02",), "02", 45, 5),),
     "foyer-de-vie-les-couteliers"),
    ("cmpp-pantin", "CMPP de Pantin", "93055", ("189", "Centre médico-psycho-pédagogique (CMPP)"), "SA16",
     (Offer("cmpp-pantin-offre-1", "Consultations CMPP - unité sensible", "62", "", "04", 0, 20, ("02",), "02", 0, 0),),
     "camsp-bondy"),
)


def _place(e: Establishment) -> r.Place:
    a = e.address
    return r.Place(a.line, a.postal_code, a.city, a.commune_code, a.city, a.latitude, a.longitude)


def _ej_id(e: Establishment) -> str:
    return f"ej-{e.finess_ej}"


def _shape(e: Establishment, offer: Offer) -> r.OfferShape:
    activity, care_mode, extra = SHAPES.get(offer.offer_type, ("293", "46", []))
    shape = r.OfferShape(name=f"{offer.name} - {e.name}", category=offer.offer_type, activity=activity,
                         care_mode=care_mode, age_min=offer.age_min, age_max=offer.age_max, publics=offer.publics,
                         extra_characteristics=list(extra), commune_zone=e.address.commune_code,
                         phone_number=e.phone)
    if offer.id == "itep-les-sources-offre-2":
        shape.closed = ("2026-09-01", "2027-01-04")
    if offer.id == "cmpp-pantin-offre-1":
        shape.sensitive = True
    if offer.id == "camsp-saint-denis-offre-1":
        shape.extra_characteristics.append(("TRE_R213-ModePriseEnCharge", "03"))  # deprecated code (dateFin)
    if offer.offer_type == "61":
        shape.direct_line = "01 99 00 61 61"
    return shape


def _extra_establishments(world_by_id: dict[str, Establishment]) -> list[Establishment]:
    from dataclasses import replace

    extra = []
    for eid, name, code, category, sector, offers, sibling_id in EXTRA:
        sibling = world_by_id[sibling_id]
        town = commune(code)
        digits = "".join(str(ord(ch) % 10) for ch in eid)[:6]
        finess = finess_with_key(f"{town.department}{digits}")
        address = replace(sibling.address, line=f"{len(name)} rue des Écoles", postal_code=town.postal_code,
                          city=town.name, commune_code=code, latitude=round(town.latitude + 0.004, 6),
                          longitude=round(town.longitude - 0.003, 6))
        extra.append(replace(sibling, id=eid, name=name, kind=category[1], category_code=category[0],
                             category_label=category[1], finess_et=finess, idnst="1" + finess, address=address,
                             sector_code=sector, offers=offers, parent_id="", journeys=()))
    return extra


def _organizations(e: Establishment, region: str) -> list[dict[str, Any]]:
    types = [{"coding": [coding("TRE_R66-CategorieEtablissement", e.category_code or "")]}]
    if e.sector_code:
        types.append({"coding": [coding("TRE_R02-SecteurActivite", e.sector_code)]})
    eg = r.organization(e.id, name=e.name, region=region, kind="EG", types=types, place=_place(e),
                        identifiers=r.structure_identifiers(finess=e.finess_et or "", siret=e.siret or ""),
                        part_of=_ej_id(e) if e.finess_ej else "", phone_number=e.phone,
                        restricted_phone=e.phone[:-2] + "99" if e.phone else "")
    result = [eg]
    if any(o.offer_type == "24" for o in e.offers):
        result.append(r.organization(f"{e.id}-uvp", name=f"Unité de vie protégée - {e.name}", region=region,
                                     kind="OI", types=[{"coding": [coding("TRE_R207-TypeOrganisationInterne", "03")]}],
                                     identifiers=r.structure_identifiers(oi=f"{e.finess_et}-UVP"), part_of=e.id))
    return result


def _ej(e: Establishment, region: str) -> dict[str, Any]:
    siren = (e.siret or "")[:9]
    return r.organization(_ej_id(e), name=e.legal_entity, region=region, kind="EJ",
                          identifiers=r.structure_identifiers(finess=e.finess_ej or "", siren=siren),
                          types=[{"coding": [{"system": nos("TRE_R72-FinessStatutJuridique"), "code": "60"}]}])


def seed_resources(seed: int = 2026, *, mecs: str = "offers", ig_examples: bool = True) -> list[dict[str, Any]]:
    """Resources of a fresh session. The dicts are cached per parameters and shared by sessions
    (a few ms per session instead of a rebuild): callers must copy, never modify them."""
    return list(_seed(seed, mecs, ig_examples))


@lru_cache(maxsize=8)
def _seed(seed: int, mecs: str, ig_examples: bool) -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(_seed_json(seed, mecs, ig_examples)))


def _seed_json(seed: int, mecs: str, ig_examples: bool) -> str:
    if mecs not in MECS_MODES:
        raise ValueError(f"option mecs inconnue : {mecs!r} (attendu {', '.join(MECS_MODES)})")
    world = build_world(seed)
    by_id = {e.id: e for e in world.establishments}
    establishments = [e for e in world.establishments if e.category_code and e.category_code not in SKIPPED_CATEGORIES]
    establishments += _extra_establishments(by_id)
    out: list[dict[str, Any]] = []
    legal: dict[str, dict[str, Any]] = {}
    for e in establishments:
        child_protection = e.category_code in CHILD_PROTECTION
        if child_protection and mecs == "absent":
            continue
        region = r.region_of(e.department)
        if e.finess_ej and _ej_id(e) not in legal:
            legal[_ej_id(e)] = _ej(e, region)
        orgs = _organizations(e, region)
        out += orgs
        if child_protection and mecs == "organizations":
            continue
        for number, offer in enumerate(e.offers, start=1):
            provider = f"{e.id}-uvp" if offer.offer_type == "24" else e.id
            shape = _shape(e, offer)
            loc_id = f"{offer.id}-lieu"
            cap = r.Capacity(offer.capacity_type, offer.capacity_installed, offer.capacity_available, offer.gender) \
                if offer.capacity_installed else None
            out.append(r.location(loc_id, name=f"{e.name} - {offer.name}", region=region, place=_place(e),
                                  ror_id=f"{region}/{e.finess_et}{number}", managing=e.id, capacity=cap))
            out.append(r.healthcare_service(offer.id, shape=shape, region=region, provider=provider,
                                            ror_id=f"{region}/{e.finess_et}-{number}", location_id=loc_id))
    out = list(legal.values()) + out
    out += _professionals(world, {e.id: e for e in establishments}, {x["id"] for x in out})
    if ig_examples:
        out += ig_example_resources()
    return json.dumps(out, ensure_ascii=False)


def _professionals(world: Any, establishments: dict[str, Establishment], present: set[str]) -> list[dict[str, Any]]:
    out = []
    for p in world.professionals:
        e = establishments.get(p.establishment_id)
        if e is None or not p.idnps or not e.offers or e.offers[0].id not in present:
            continue
        region = r.region_of(e.department)
        g15 = p.profession_system.endswith("1.2.250.1.71.1.2.7")
        profession = {"system": nos("TRE_G15-ProfessionSante") if g15 else f"urn:oid:{p.profession_system}",
                      "code": p.profession_code, "display": p.profession_label}
        out.append(r.practitioner(f"pra-{p.id}", region=region, idnps=p.idnps, family=p.last_name.upper(),
                                  given=p.first_name, civility=p.civility))
        out.append(r.practitioner_role(f"role-{p.id}", region=region, practitioner_id=f"pra-{p.id}",
                                       service_id=e.offers[0].id, profession=profession))
    return out


@lru_cache(maxsize=1)
def _ig_examples_text() -> str:
    return pkg.files("simulators.ror").joinpath("data/ig_examples.json").read_text("utf-8")


def ig_example_resources() -> list[dict[str, Any]]:
    """The IG example resources of ror.md §3, verbatim (served back unchanged)."""
    return json.loads(_ig_examples_text())
