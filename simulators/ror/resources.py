"""Builders of ROR-profiled resources (EJ/EG/OI Organization, Location with capacities,
HealthcareService, Practitioner, PractitionerRole), shared by the world seed and the volume
generator so both produce the same shapes the IG examples show (ror.md §3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from simulators.ror import model as m
from simulators.ror.codes import coding, concept

SEED_UPDATED = "2026-10-01T08:00:00.000+00:00"
SEED_CREATED = "2019-03-14T10:00:00+00:00"
CAPACITY_UPDATED = "2026-11-20T07:30:00+00:00"

REGION_OF_DEPARTMENT: dict[str, str] = {}
for _region, _departments in {
    "11": "75 77 78 91 92 93 94 95", "24": "18 28 36 37 41 45", "27": "21 25 39 58 70 71 89 90",
    "28": "14 27 50 61 76", "32": "02 59 60 62 80", "44": "08 10 51 52 54 55 57 67 68 88",
    "52": "44 49 53 72 85", "53": "22 29 35 56", "75": "16 17 19 23 24 33 40 47 64 79 86 87",
    "76": "09 11 12 30 31 32 34 46 48 65 66 81 82", "84": "01 03 07 15 26 38 42 43 63 69 73 74",
    "93": "04 05 06 13 83 84", "94": "2A 2B", "01": "971", "02": "972", "03": "973", "04": "974", "06": "976",
}.items():
    for _d in _departments.split():
        REGION_OF_DEPARTMENT[_d] = _region


def region_of(department: str) -> str:
    return REGION_OF_DEPARTMENT.get(department, "11")


@lru_cache(maxsize=1024)
def meta(rtype: str, region: str, updated: str = SEED_UPDATED) -> dict[str, Any]:
    """Shared (cached) object, like `codes.concept`: resources are copied, never modified in place."""
    return {"lastUpdated": updated, "profile": [m.PROFILES[rtype]],
            "tag": [{"system": m.REGION, "code": region}]}


def creation(created: str = SEED_CREATED) -> dict[str, Any]:
    return {"url": m.EXT_CREATION, "valueDateTime": created}


def confidentiality(url: str, level: str) -> dict[str, Any]:
    return {"url": url, "valueCodeableConcept": concept("TRE_R283-NiveauConfidentialite", level)}


def phone(number: str, level: str = "1") -> dict[str, Any]:
    return {"system": "phone", "value": number, "extension": [
        {"url": m.EXT_TELECOM_CHANNEL, "valueCodeableConcept": concept("TRE_R200-CanalCommunication", "2")},
        confidentiality(m.EXT_TELECOM_CONFIDENTIALITY, level)]}


@dataclass
class Place:
    line: str
    postal_code: str
    city: str
    commune: str
    commune_name: str
    latitude: float
    longitude: float


def address(place: Place) -> dict[str, Any]:
    return {"use": "work", "type": "physical", "line": [place.line], "city": place.city.upper(),
            "postalCode": place.postal_code}


def organization(rid: str, *, name: str, region: str, kind: str, identifiers: list[dict[str, Any]],
                 types: list[dict[str, Any]], place: Place | None = None, part_of: str = "",
                 phone_number: str = "", restricted_phone: str = "") -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Organization", "id": rid, "meta": meta("Organization", region),
                                "extension": [creation()], "identifier": identifiers, "active": True,
                                "type": types, "name": name}
    if kind == "EG":
        resource["extension"].append({"url": m.ext("ror-organization-financial-help-type"),
                                      "valueCodeableConcept": concept("TRE_R241-AideFinanciere", "02")})
    if place is not None:
        resource["address"] = [address(place)]
    if phone_number:
        contacts = [{"extension": [confidentiality(m.EXT_CONTACT_CONFIDENTIALITY, "1")],
                     "purpose": concept("TRE_R287-NatureContact", "06"), "telecom": [phone(phone_number)]}]
        if restricted_phone:
            contacts.append({"extension": [confidentiality(m.EXT_CONTACT_CONFIDENTIALITY, "2")],
                             "purpose": concept("TRE_R287-NatureContact", "01"),
                             "telecom": [phone(restricted_phone, "2")]})
        resource["contact"] = contacts
    if part_of:
        resource["partOf"] = {"reference": f"Organization/{part_of}"}
    return resource


def structure_identifiers(*, finess: str = "", siren: str = "", siret: str = "", oi: str = "") -> list[dict[str, Any]]:
    result = []
    if finess:
        result.append({"use": "official", "type": concept("TRE_G07-TypeIdentifiantStructure", "40"),
                       "system": m.IDNST_SYSTEM, "value": "1" + finess})
        result.append({"type": concept("TRE_G07-TypeIdentifiantStructure", "1"), "system": m.FINESS_SYSTEM,
                       "value": finess})
    if siren:
        result.append({"type": concept("TRE_G07-TypeIdentifiantStructure", "2"), "system": m.SIRENE_SYSTEM,
                       "value": siren})
    if siret:
        result.append({"type": concept("TRE_G07-TypeIdentifiantStructure", "3"), "system": m.SIRENE_SYSTEM,
                       "value": siret})
    if oi:
        result.append({"type": concept("TRE_R345-TypeIdentifiantAutre", "42"), "system": m.OI_SYSTEM, "value": oi})
    return result


@dataclass
class Capacity:
    capacity_type: str  # TRE_R329 01 lit / 02 place
    installed: int
    available: int
    gender: str = "03"
    updated: str = CAPACITY_UPDATED


def _capacity_entry(cap: Capacity, status: str, number: int, gender: str = "") -> dict[str, Any]:
    subs = [{"url": "nbCapacity", "valueInteger": number},
            {"url": "capacityUpdateDate", "valueDateTime": cap.updated},
            {"url": "capacityStatus", "valueCodeableConcept": concept("TRE_R330-TypeStatutCapacite", status)},
            {"url": "capacityType", "valueCodeableConcept": concept("TRE_R329-NatureCapacite", cap.capacity_type)},
            {"url": "temporalityCapacity", "valueCodeableConcept": concept("TRE_R331-TemporaliteCapacite", "01")},
            {"url": "capacitySourceType", "valueCodeableConcept": concept("TRE_R335-TypeSourceCapacite", "01")}]
    if gender:
        subs.append({"url": "genderCapacityAvailable",
                     "valueCodeableConcept": concept("TRE_R332-GenreCapacite", gender)})
    subs.append({"url": "temporaryAssignement",
                 "valueCodeableConcept": concept("TRE_R337-AffectationTemporaire", "01")})
    return {"url": m.EXT_SUPPORTED_CAPACITY, "extension": subs}


def location(rid: str, *, name: str, region: str, place: Place, ror_id: str, managing: str,
             capacity: Capacity | None) -> dict[str, Any]:
    extensions = [{"url": m.EXT_COMMUNE, "valueCodeableConcept": {"coding": [
        {"system": m.COMMUNE, "code": place.commune, "display": place.commune_name}]}}]
    if capacity is not None:
        extensions.append(_capacity_entry(capacity, "01", capacity.installed))
        extensions.append(_capacity_entry(capacity, "02", capacity.available, capacity.gender))
    extensions.append(creation())
    return {"resourceType": "Location", "id": rid, "meta": meta("Location", region), "extension": extensions,
            "identifier": [{"type": concept("TRE_R354-TypeIdentifiantRessourceOperationnelle", "25"),
                            "value": ror_id}],
            "status": "active", "name": name, "type": [concept("TRE_R343-FonctionLieu", "001")],
            "address": {"line": [place.line], "city": place.city.upper(), "postalCode": place.postal_code},
            "position": {"extension": [{"url": m.EXT_COORD_RELIABILITY, "valueBoolean": True}],
                         "longitude": place.longitude, "latitude": place.latitude},
            "managingOrganization": {"reference": f"Organization/{managing}"}}


@dataclass
class OfferShape:
    """What distinguishes one offer from another in the seed: codes, ages, people, place."""

    name: str
    category: str | None  # TRE_R244; None when the ROR has no offer type (MECS)
    activity: str  # TRE_R211
    care_mode: str  # TRE_R213
    age_min: int
    age_max: int
    publics: tuple[str, ...]
    extra_characteristics: list[tuple[str, str]] = field(default_factory=list)  # (TRE name, code)
    sensitive: bool = False
    closed: tuple[str, str] | None = None  # (closing date, planned reopening date)
    commune_zone: str = ""
    phone_number: str = ""
    direct_line: str = ""  # level-2 (restricted) contact


def _age(value: int) -> dict[str, Any]:
    return {"value": value, "system": m.UCUM_ROR, "code": "a"}


def healthcare_service(rid: str, *, shape: OfferShape, region: str, ror_id: str, provider: str,
                       location_id: str) -> dict[str, Any]:
    patient = [{"url": "supportedPatientInfo", "valueCodeableConcept": concept("TRE_R239-PublicPrisEnCharge", p)}
               for p in shape.publics]
    patient.append({"url": "ageRange", "valueRange": {"low": _age(shape.age_min), "high": _age(shape.age_max)}})
    extensions: list[dict[str, Any]] = [
        {"url": m.EXT_SENSITIVE, "valueBoolean": shape.sensitive},
        {"url": m.EXT_PATIENT_TYPE, "extension": patient}, creation()]
    if shape.commune_zone:
        extensions.append({"url": m.EXT_TERRITORIAL, "extension": [
            {"url": "codeTerritorialDivision", "valueCodeableConcept": {"coding": [
                {"system": m.COMMUNE, "code": shape.commune_zone}]}},
            {"url": "typeTerritorialDivision",
             "valueCodeableConcept": concept("TRE_R201-TypeDivisionTerritoriale", "3")}]})
    for number, level, purpose in ((shape.phone_number, "1", "06"), (shape.direct_line, "2", "01")):
        if number:
            extensions.append({"url": m.EXT_CONTACT, "extension": [
                {"url": "purposeContact", "valueCodeableConcept": concept("TRE_R287-NatureContact", purpose)},
                confidentiality(m.EXT_CONFIDENTIALITY, level),
                {"url": m.ext("ror-healthcareservice-contact-telecom"), "extension": [
                    {"url": m.EXT_TELECOM_CHANNEL, "valueCodeableConcept": concept("TRE_R200-CanalCommunication", "2")},
                    confidentiality(m.EXT_TELECOM_CONFIDENTIALITY, level),
                    {"url": "telecomAddress", "valueString": number}]}]})
    characteristics = [concept("TRE_R213-ModePriseEnCharge", shape.care_mode)]
    characteristics += [concept(tre, code) for tre, code in shape.extra_characteristics]
    resource: dict[str, Any] = {
        "resourceType": "HealthcareService", "id": rid, "meta": meta("HealthcareService", region),
        "extension": extensions,
        "identifier": [{"type": concept("TRE_R355-TypeIdentifiantOffre", "35"), "value": ror_id}],
        "active": shape.closed is None, "providedBy": {"reference": f"Organization/{provider}"}}
    if shape.category:
        resource["category"] = [concept("TRE_R244-CategorieOrganisation", shape.category)]
    resource["type"] = [concept("TRE_R227-ChampActivite", "04")]
    resource["specialty"] = [concept("TRE_R211-ActiviteOperationnelle", shape.activity)]
    resource["location"] = [{"reference": f"Location/{location_id}"}]
    resource["name"] = shape.name
    resource["characteristic"] = characteristics
    if shape.closed:
        resource["notAvailable"] = [{"id": "closingReopeningDate", "description": "Fermeture temporaire",
                                     "during": {"start": shape.closed[0], "end": shape.closed[1]}}]
    return resource


def practitioner(rid: str, *, region: str, idnps: str, family: str, given: str, civility: str) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Practitioner", "id": rid, "meta": meta("Practitioner", region),
                                "extension": [creation()],
                                "identifier": [{"system": m.RPPS_SYSTEM, "value": idnps}],
                                "name": [{"family": family, "given": [given]}]}
    if civility in ("MME", "M", "DR"):  # JDV-J207-Civilite-ROR codes
        resource["name"][0]["prefix"] = [civility]
    return resource


def practitioner_role(rid: str, *, region: str, practitioner_id: str, service_id: str,
                      profession: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "PractitionerRole", "id": rid, "meta": meta("PractitionerRole", region),
            "extension": [creation(), {"url": m.ext("ror-practitionerrole-unit-exercise-mode"),
                                       "valueCodeableConcept": {"coding": [coding("TRE_R23-ModeExercice", "S")]}}],
            "active": True, "practitioner": {"reference": f"Practitioner/{practitioner_id}"},
            "healthcareService": [{"reference": f"HealthcareService/{service_id}"}],
            "code": [{"coding": [profession]}]}
