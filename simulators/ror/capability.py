"""The CapabilityStatement served at `[base]/metadata`, shaped like the production `ror-serveur-prod`
(HAPI FHIR Server 6.4.4, ror.md §1.4) and built from the parameter table, so it never advertises a
parameter the simulator does not implement nor hides one it does.
"""

from __future__ import annotations

from typing import Any

from simulators.ror.model import FHIR_VERSION, IG, PROFILES, RESOURCE_TYPES
from simulators.ror.params import INCLUDES, PARAMS

_DOC_TYPES = {"token", "string", "number", "date", "quantity", "reference", "special"}
CHAINS = {"HealthcareService": ("location", "organization")}


# Parameters of the FHIR R4 specification itself; the others are the IG's `ror-sp-*`.
_STANDARD = {"_id": "Resource-id", "_lastUpdated": "Resource-lastUpdated", "_tag": "Resource-tag",
             "_content": "Resource-content"}
_CORE = {"identifier", "name", "service-category", "service-type", "characteristic", "specialty", "location",
         "organization", "active", "near", "status", "type", "address-postalcode", "address-city", "partof",
         "practitioner", "service", "role", "family"}


def _definition(rtype: str, name: str) -> str:
    if name in _STANDARD:
        return f"http://hl7.org/fhir/SearchParameter/{_STANDARD[name]}"
    if name in _CORE:
        return f"http://hl7.org/fhir/SearchParameter/{rtype}-{name}"
    return f"{IG}/SearchParameter/ror-sp-{name}"


def capability_statement(base_url: str, *, date: str) -> dict[str, Any]:
    resources = []
    for rtype in RESOURCE_TYPES:
        params = [{"name": name, "type": p.type if p.type in _DOC_TYPES else "special",
                   "definition": _definition(rtype, name)} for name, p in PARAMS[rtype].items()]
        chained = [f"{link}.{name}" for link in CHAINS.get(rtype, ())
                   for name in PARAMS[PARAMS[rtype][link].target]]
        resources.append({
            "type": rtype, "profile": PROFILES[rtype],
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchInclude": sorted(f"{s}:{p}" for (s, p) in INCLUDES if s == rtype)
            + (["Organization:partof", "PractitionerRole:practitioner"] if rtype == "HealthcareService" else []),
            "searchRevInclude": sorted(f"{s}:{p}" for (s, p), t in INCLUDES.items() if t == rtype),
            "searchParam": params + [
                {"name": c, "type": PARAMS[PARAMS[rtype][c.split(".")[0]].target][c.split(".")[1]].type}
                for c in chained],
        })
    return {
        "resourceType": "CapabilityStatement", "id": "ror-serveur-simulateur", "status": "active",
        "date": date, "publisher": "socle-bench (simulateur)", "kind": "instance",
        "name": "RORServeurSimulateur", "title": "Simulateur de l'API FHIR du ROR national (ME 3.0)",
        "software": {"name": "HAPI FHIR Server (simulé par socle-bench)", "version": "6.4.4"},
        "implementation": {"description": "Simulateur socle-bench de l'API d'exposition du ROR", "url": base_url},
        "fhirVersion": FHIR_VERSION, "format": ["application/fhir+xml", "xml", "application/fhir+json", "json"],
        "instantiates": [f"{IG}/CapabilityStatement/ror-serveur"],
        "rest": [{"mode": "server", "security": {
            "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                     "code": "OAuth"}]}],
            "description": "OAuth2 client_credentials ; secret (profil 0) ou certificat IGC-Santé en TLS mutuel "
                           "(profils 1 à 5) ; en-têtes Ror-* obligatoires"},
            "resource": resources,
            "operation": [
                {"name": "export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"},
                {"name": "export-poll-status", "definition": f"{IG}/OperationDefinition/export-poll-status"}]}],
    }
