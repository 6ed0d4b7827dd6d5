"""Search parameters of the ROR API (ror.md §1.7): for each resource type, each parameter's type and
the function that pulls its indexed values out of a resource.

Indexed values are plain Python: token -> (system, code) tuples (identifiers also (type system,
type code, value) for `:of-type`), string -> normalised text, number -> float, quantity ->
(value, unit code), date -> (lowest, highest) epoch seconds, reference -> "Type/id". The
`ror-location-supported-capacity` sub-extensions are indexed per entry as well, so the optional
same-entry semantics can be evaluated (ror.md §1.12 item 5).
Price sub-extension names of `ror-organization-price` are not in the stored sources (UNCONFIRMED).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.fhir.values import (
    Extractor,
    ParamDef,
    codings,
    concepts,
    date_of,
    extensions,
    identifiers,
    normal_reference,
    normalise,
    period_of,
    reference,
    strings,
    sub_tokens,
    sub_values,
)
from simulators.ror import model as m

__all__ = [
    "INCLUDES",
    "PARAMS",
    "SORTABLE",
    "ParamDef",
    "capacity_entry_values",
    "codings",
    "concepts",
    "extensions",
    "identifiers",
    "normal_reference",
    "normalise",
]


# --- common parameters -------------------------------------------------------------------------------
def _common() -> list[ParamDef]:
    return [
        ParamDef("_id", "token", lambda r: [("", str(r.get("id", "")))]),
        ParamDef("_lastUpdated", "date", lambda r: date_of((r.get("meta") or {}).get("lastUpdated"))),
        ParamDef("_tag", "token", lambda r: [(t.get("system") or "", str(t.get("code")))
                                             for t in (r.get("meta") or {}).get("tag") or () if isinstance(t, dict)]),
        ParamDef("_content", "special", lambda r: []),
        ParamDef("identifier", "token", identifiers),
    ]


def _patient(sub: str) -> Callable[[dict[str, Any]], list[Any]]:
    return lambda r: [s for e in extensions(r, m.EXT_PATIENT_TYPE) for s in extensions(e, sub)]


def _age(bound: str) -> Extractor:
    def pull(resource: dict[str, Any]) -> list[tuple[float, str]]:
        out = []
        for sub in _patient("ageRange")(resource):
            quantity = (sub.get("valueRange") or {}).get(bound) or {}
            if isinstance(quantity.get("value"), (int, float)):
                out.append((float(quantity["value"]), str(quantity.get("code") or quantity.get("unit") or "a")))
        return out
    return pull


def _healthcare_service() -> list[ParamDef]:
    return [*_common(),
        ParamDef("name", "string", strings("name")),
        ParamDef("active", "token", lambda r: [("", str(r["active"]).lower())] if "active" in r else []),
        ParamDef("service-category", "token", lambda r: concepts(r.get("category"))),
        ParamDef("service-type", "token", lambda r: concepts(r.get("type"))),
        ParamDef("characteristic", "token", lambda r: concepts(r.get("characteristic"))),
        ParamDef("specialty", "token", lambda r: concepts(r.get("specialty"))),
        ParamDef("specific-competence", "token", lambda r: [t for t in concepts(r.get("characteristic"))
                                                             if t[0] == m.nos("TRE_R243-CompetenceSpecifique")]),
        ParamDef("location", "reference", reference("location"), "Location"),
        ParamDef("organization", "reference", reference("providedBy"), "Organization"),
        ParamDef("age-range-low", "quantity", _age("low")),
        ParamDef("age-range-high", "quantity", _age("high")),
        ParamDef("patient-type", "token", lambda r: [t for s in _patient("supportedPatientInfo")(r)
                                                     for t in codings(s.get("valueCodeableConcept"))]),
        ParamDef("intervention-zone", "token", sub_tokens(m.EXT_TERRITORIAL, "codeTerritorialDivision")),
        ParamDef("psychiatric-sector", "string", lambda r: [
            normalise(str(e.get("valueString") or e.get("valueCode") or "")) for e in extensions(r, m.EXT_PSY_SECTOR)]
            + [normalise(s.get("valueString", "")) for e in extensions(r, m.EXT_PSY_SECTOR)
               for s in e.get("extension") or () if isinstance(s, dict) and s.get("valueString")]),
        ParamDef("notavailable-closing-reopeningdate", "date", lambda r: [
            d for n in r.get("notAvailable") or () if isinstance(n, dict) for d in period_of(n.get("during"))]),
    ]


CAPACITY_TOKENS = {"capacity-type": "capacityType", "capacity-status": "capacityStatus",
                   "temporality-capacity": "temporalityCapacity",
                   "gender-capacity-available": "genderCapacityAvailable",
                   "capacity-closing-type": "capacityClosingType", "additional-bed-type": "additionalBedType",
                   "crisis-type": "crisisType", "temporary-assignement": "temporaryAssignement"}


def capacity_entry_values(entry: dict[str, Any], param: str) -> list[Any]:
    """Values of one capacity parameter inside one `ror-location-supported-capacity` entry."""
    if param in CAPACITY_TOKENS:
        return [t for s in extensions(entry, CAPACITY_TOKENS[param]) for t in codings(s.get("valueCodeableConcept"))]
    if param == "nb-capacity":
        return [float(s["valueInteger"]) for s in extensions(entry, "nbCapacity")
                if isinstance(s.get("valueInteger"), int)]
    if param == "capacity-update-date":
        return [d for s in extensions(entry, "capacityUpdateDate") for d in date_of(s.get("valueDateTime"))]
    return []


def _capacity(param: str) -> Extractor:
    return lambda r: [v for e in extensions(r, m.EXT_SUPPORTED_CAPACITY) for v in capacity_entry_values(e, param)]


def _position(resource: dict[str, Any]) -> list[tuple[float, float]]:
    pos = resource.get("position") or {}
    lat, lon = pos.get("latitude"), pos.get("longitude")
    return [(float(lat), float(lon))] if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) else []


def _address(field: str) -> Extractor:
    def pull(resource: dict[str, Any]) -> list[str]:
        raw = resource.get("address")
        items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
        return [normalise(str(a[field])) for a in items if isinstance(a, dict) and a.get(field)]
    return pull


def _location() -> list[ParamDef]:
    defs = [*_common(),
        ParamDef("name", "string", strings("name", "alias")),
        ParamDef("status", "token", lambda r: [("http://hl7.org/fhir/location-status", r["status"])]
                 if r.get("status") else []),
        ParamDef("type", "token", lambda r: concepts(r.get("type"))),
        ParamDef("address-postalcode", "string", _address("postalCode")),
        ParamDef("address-city", "string", _address("city")),
        ParamDef("commune-cog", "token", lambda r: [t for e in extensions(r, m.EXT_COMMUNE)
                                                    for t in codings(e.get("valueCodeableConcept"))]),
        ParamDef("near", "special", _position),
        ParamDef("near-insee-code", "special", _position),
        ParamDef("organization", "reference", reference("managingOrganization"), "Organization"),
        ParamDef("partof", "reference", reference("partOf"), "Location"),
        ParamDef("nb-capacity", "number", _capacity("nb-capacity"), capacity=True),
        ParamDef("capacity-update-date", "date", _capacity("capacity-update-date"), capacity=True),
        ParamDef("residential-type", "token", sub_tokens(m.EXT_RESIDENTIAL_CAPACITY, "residentialType")),
        ParamDef("residential-number", "number", lambda r: [float(v) for v in sub_values(
            m.EXT_RESIDENTIAL_CAPACITY, "residentialNumber", "valueInteger")(r)]),
        ParamDef("equipment-type", "token", sub_tokens(m.EXT_EQUIPMENT, "equipmentType")),
        ParamDef("equipment-feature", "token", sub_tokens(m.EXT_EQUIPMENT, "equipmentFeature")),
        ParamDef("limit-value", "quantity", lambda r: [
            (float(value), str(q.get("code") or q.get("unit") or ""))
            for q in sub_values(m.EXT_EQUIPMENT, "limitValue", "valueQuantity")(r)
            if isinstance(q, dict) and isinstance(value := q.get("value"), (int, float))]),
    ]
    defs += [ParamDef(name, "token", _capacity(name), capacity=True) for name in CAPACITY_TOKENS]
    return defs


PRICE_SUBS = {"price-type": "priceType", "price-unit": "priceUnit", "price-dependency-level": "dependencyLevel",
              "price-residential-type": "residentialType", "price-welcome-type": "welcomeType",
              "special-price": "specialPrice"}


def _organization() -> list[ParamDef]:
    defs = [*_common(),
        ParamDef("name", "string", strings("name", "alias")),
        ParamDef("type", "token", lambda r: concepts(r.get("type"))),
        ParamDef("active", "token", lambda r: [("", str(r["active"]).lower())] if "active" in r else []),
        ParamDef("partof", "reference", reference("partOf"), "Organization"),
        ParamDef("address-postalcode", "string", _address("postalCode")),
        ParamDef("address-city", "string", _address("city")),
        ParamDef("closing-type", "token", lambda r: [t for e in extensions(r, m.EXT_ORG_CLOSING)
                                                     for t in codings(e.get("valueCodeableConcept"))]),
        ParamDef("drop-zone", "token", lambda r: [t for e in extensions(r, m.EXT_ORG_DROP_ZONE)
                                                  for t in codings(e.get("valueCodeableConcept"))]),
        ParamDef("period-end", "date", lambda r: [(d[1], d[1]) for e in extensions(r, m.EXT_ORG_PERIOD)
                                                  for d in period_of(e.get("valuePeriod")) if d[1] != float("inf")]),
        ParamDef("price-amount-value", "quantity", lambda r: [
            (float(value), str(q.get("currency") or q.get("code") or ""))
            for key in ("valueMoney", "valueQuantity")
            for q in sub_values(m.EXT_ORG_PRICE, "priceAmount", key)(r)
            if isinstance(q, dict) and isinstance(value := q.get("value"), (int, float))]),
        ParamDef("price-validity-start-date", "date", lambda r: [
            d for v in sub_values(m.EXT_ORG_PRICE, "validityStartDate", "valueDate")(r) for d in date_of(v)]),
    ]
    defs += [ParamDef(name, "token", sub_tokens(m.EXT_ORG_PRICE, sub)) for name, sub in PRICE_SUBS.items()]
    return defs


def _practitioner_role() -> list[ParamDef]:
    return [*_common(),
        ParamDef("practitioner", "reference", reference("practitioner"), "Practitioner"),
        ParamDef("service", "reference", reference("healthcareService"), "HealthcareService"),
        ParamDef("organization", "reference", reference("organization"), "Organization"),
        ParamDef("location", "reference", reference("location"), "Location"),
        ParamDef("role", "token", lambda r: concepts(r.get("code"))),
        ParamDef("specialty", "token", lambda r: concepts(r.get("specialty"))),
    ]


def _practitioner() -> list[ParamDef]:
    def names(resource: dict[str, Any]) -> list[str]:
        out = []
        for n in resource.get("name") or ():
            if isinstance(n, dict):
                out += [normalise(str(x)) for x in [n.get("family"), *(n.get("given") or ())] if x]
        return out
    return [*_common(), ParamDef("name", "string", names), ParamDef("family", "string", lambda r: [
        normalise(str(n.get("family"))) for n in r.get("name") or () if isinstance(n, dict) and n.get("family")])]


PARAMS: dict[str, dict[str, ParamDef]] = {
    rtype: {p.name: p for p in builder()} for rtype, builder in (
        ("HealthcareService", _healthcare_service), ("Location", _location), ("Organization", _organization),
        ("PractitionerRole", _practitioner_role), ("Practitioner", _practitioner))
}

# _include / _revinclude targets: (source type, reference param) -> target type.
INCLUDES = {(rtype, name): p.target for rtype, defs in PARAMS.items() for name, p in defs.items()
            if p.type == "reference"}
SORTABLE = {"_id", "_lastUpdated", "name", "identifier"}
