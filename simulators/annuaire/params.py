"""Search parameters the Annuaire Santé v2 serves, per resource, as its documentation lists them
(`resources/{practitioner,practitioner-role,organization,healthcare-service,device}.md`, mss.md §5.3).

`mailbox-mss-type` is deliberately absent: the IG defines it but the live gateway answers
"Parameter mailbox-mss-type not found" (mss.md §5.3), so a DUI relying on it must fail here too.
String extractors return raw text (`:exact` is case- and accent-sensitive); matching normalises.
"""

from __future__ import annotations

from typing import Any

from simulators.fhir.values import ParamDef, codings, concepts, date_of, extensions, identifiers, reference

from . import model as m


def _raw_strings(*fields: str) -> Any:
    def pull(resource: dict[str, Any]) -> list[str]:
        out: list[str] = []
        for name in fields:
            value = resource.get(name)
            out += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
        return out
    return pull


def _names(part: str) -> Any:
    def pull(resource: dict[str, Any]) -> list[str]:
        out: list[str] = []
        for name in resource.get("name") or ():
            if not isinstance(name, dict):
                continue
            if part in ("family", "all") and name.get("family"):
                out.append(str(name["family"]))
            if part in ("given", "all"):
                out += [str(g) for g in name.get("given") or ()]
            if part == "all":
                out += [str(p) for p in name.get("prefix") or ()] + [str(s) for s in name.get("suffix") or ()]
        return out
    return pull


def _mailboxes(resource: dict[str, Any]) -> list[str]:
    return [str(t["value"]) for t in resource.get("telecom") or ()
            if isinstance(t, dict) and t.get("value") and extensions(t, m.EMAIL_TYPE_URL)]


def _address(field: str) -> Any:
    def pull(resource: dict[str, Any]) -> list[str]:
        out: list[str] = []
        for address in resource.get("address") or ():
            if not isinstance(address, dict):
                continue
            if field == "all":
                out += [*(address.get("line") or ()), address.get("city", ""), address.get("postalCode", "")]
            elif address.get(field):
                out.append(str(address[field]))
        return [o for o in out if o]
    return pull


def _data_system(resource: dict[str, Any]) -> list[tuple[str, str]]:
    return [("", str(s.get("valueCode"))) for e in extensions(resource, m.DATA_TRACE_URL)
            for s in extensions(e, "systeme-information")]


def _active(resource: dict[str, Any]) -> list[tuple[str, str]]:
    return [("", str(resource["active"]).lower())] if "active" in resource else []


def _identifier_types(resource: dict[str, Any]) -> list[tuple[str, str]]:
    return [t for ident in resource.get("identifier") or () if isinstance(ident, dict)
            for t in codings(ident.get("type"))]


def _common() -> list[ParamDef]:
    return [ParamDef("_id", "token", lambda r: [("", str(r.get("id", "")))]),
            ParamDef("_lastUpdated", "date", lambda r: date_of((r.get("meta") or {}).get("lastUpdated"))),
            ParamDef("_profile", "uri", lambda r: list((r.get("meta") or {}).get("profile") or ())),
            ParamDef("identifier", "token", identifiers),
            ParamDef("data-information-system", "token", _data_system)]


def _practitioner() -> list[ParamDef]:
    return [*_common(), ParamDef("active", "token", _active), ParamDef("family", "string", _names("family")), ParamDef("given", "string", _names("given")), ParamDef("name", "string", _names("all")), ParamDef("identifier-type", "token", _identifier_types), ParamDef("mailbox-mss", "string", _mailboxes), ParamDef("number-smartcard", "string", lambda r: []), ParamDef("qualification-code", "token", lambda r: [t for q in r.get("qualification") or () if isinstance(q, dict) for t in codings(q.get("code"))])]


def _practitioner_role() -> list[ParamDef]:
    return [*_common(), ParamDef("active", "token", _active), ParamDef("data-registration-authority", "token", lambda r: []), ParamDef("mailbox-mss", "string", _mailboxes), ParamDef("organization", "reference", reference("organization"), "Organization"), ParamDef("practitioner", "reference", reference("practitioner"), "Practitioner"), ParamDef("role", "token", lambda r: concepts(r.get("code")))]


def _organization() -> list[ParamDef]:
    return [*_common(), ParamDef("active", "token", _active), ParamDef("address", "string", _address("all")), ParamDef("address-city", "string", _address("city")), ParamDef("address-postalcode", "string", _address("postalCode")), ParamDef("identifier-type", "token", _identifier_types), ParamDef("mailbox-mss", "string", _mailboxes), ParamDef("name", "string", _raw_strings("name", "alias")), ParamDef("partof", "reference", reference("partOf"), "Organization"), ParamDef("pharmacy-licence", "string", lambda r: []), ParamDef("type", "token", lambda r: concepts(r.get("type")))]


def _healthcare_service() -> list[ParamDef]:
    return [*_common(), ParamDef("active", "token", _active), ParamDef("as-sp-data-information-system", "token", _data_system), ParamDef("characteristic", "token", lambda r: concepts(r.get("characteristic"))), ParamDef("organization", "reference", reference("providedBy"), "Organization"), ParamDef("service-category", "token", lambda r: concepts(r.get("category"))), ParamDef("service-type", "token", lambda r: concepts(r.get("type"))), ParamDef("_since", "date", lambda r: date_of((r.get("meta") or {}).get("lastUpdated")))]


def _device() -> list[ParamDef]:
    return [*_common(), ParamDef("manufacturer", "string", _raw_strings("manufacturer")), ParamDef("model", "string", _raw_strings("modelNumber")), ParamDef("organization", "reference", reference("owner"), "Organization"), ParamDef("status", "token", lambda r: [("http://hl7.org/fhir/device-status", str(r["status"]))] if r.get("status") else []), ParamDef("type", "token", lambda r: codings(r.get("type")))]


PARAMS: dict[str, dict[str, ParamDef]] = {
    rtype: {p.name: p for p in builder()} for rtype, builder in (
        ("Practitioner", _practitioner), ("PractitionerRole", _practitioner_role), ("Device", _device),
        ("Organization", _organization), ("HealthcareService", _healthcare_service))}
INCLUDES = {(rtype, name): p.target for rtype, defs in PARAMS.items() for name, p in defs.items()
            if p.type == "reference"}
