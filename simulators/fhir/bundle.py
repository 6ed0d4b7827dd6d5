"""What a FHIR server sends back: searchset Bundles with their entries and paging links,
OperationOutcomes, and the result shaping of `_elements` and `_summary` (FHIR R4 search §3.1.1.5).
"""

from __future__ import annotations

import json
from typing import Any

from simulators.fhir.errors import SearchError

SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}
MANDATORY = ("resourceType", "id", "meta")
# Elements flagged isSummary in the R4 definitions of the resources both servers expose.
SUMMARY_ELEMENTS = {
    "Practitioner": ("identifier", "active", "name", "telecom", "address", "gender", "birthDate"),
    "PractitionerRole": ("identifier", "active", "period", "practitioner", "organization", "code", "specialty",
                         "location", "healthcareService", "telecom", "endpoint"),
    "Organization": ("identifier", "active", "type", "name", "alias", "partOf", "endpoint"),
    "HealthcareService": ("identifier", "active", "providedBy", "category", "type", "specialty", "location",
                          "name", "endpoint"),
    "Device": ("identifier", "status", "udiCarrier", "definition", "type", "owner", "location", "parent"),
    "Location": ("identifier", "status", "operationalStatus", "name", "alias", "mode", "type", "address",
                 "physicalType", "position", "managingOrganization", "partOf", "endpoint"),
}


# one encoder for every call (json.dumps with options builds a new one each time); same output
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(resource: Any) -> bytes:
    return _ENCODER.encode(resource).encode("utf-8")


def loads_resource(body: bytes) -> dict[str, Any]:
    """A resource posted to a server (admin API, FHIR write)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SearchError(f"JSON invalide : {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise SearchError("ressource FHIR attendue (objet JSON avec resourceType)")
    return data


def operation_outcome(message: str, *, code: str = "invalid", severity: str = "error") -> dict[str, Any]:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": message}]}


def searchset(*, total: int | None, entries: list[dict[str, Any]], links: list[tuple[str, str]],
              bundle_id: str, last_updated: str = "") -> dict[str, Any]:
    bundle: dict[str, Any] = {"resourceType": "Bundle", "id": bundle_id}
    if last_updated:
        bundle["meta"] = {"lastUpdated": last_updated}
    bundle["type"] = "searchset"
    if total is not None:
        bundle["total"] = total
    if links:
        bundle["link"] = [{"relation": rel, "url": url} for rel, url in links]
    if entries:
        bundle["entry"] = entries
    return bundle


def entry(full_url: str, resource: dict[str, Any], mode: str,
          extensions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    search: dict[str, Any] = {"mode": mode}
    if extensions:
        search["extension"] = extensions
    return {"fullUrl": full_url, "resource": resource, "search": search}


def _subsetted(resource: dict[str, Any], keep: set[str]) -> dict[str, Any]:
    kept = {k: v for k, v in resource.items() if k in MANDATORY or k in keep}
    meta = dict(kept.get("meta") or {})
    meta["tag"] = [*(meta.get("tag") or []), SUBSETTED]
    kept["meta"] = meta
    return kept


def subset(resource: dict[str, Any], elements: tuple[str, ...]) -> dict[str, Any]:
    """`_elements`: the listed top-level elements plus the mandatory ones, tagged SUBSETTED.
    `Type.element` forms apply to their type only."""
    rtype = resource.get("resourceType", "")
    keep = {e.partition(".")[2] if "." in e else e for e in elements
            if "." not in e or e.partition(".")[0] == rtype}
    return _subsetted(resource, keep)


def summarise(resource: dict[str, Any], summary: str) -> dict[str, Any]:
    """`_summary=true|text|data|false` on one resource (`count` is handled by the caller)."""
    if summary in ("", "false"):
        return resource
    if summary == "data":
        return {k: v for k, v in resource.items() if k != "text"}
    if summary == "text":
        return _subsetted(resource, {"text"})
    keep = set(SUMMARY_ELEMENTS.get(resource.get("resourceType", ""), ())) | {"implicitRules"}
    return _subsetted(resource, keep)
