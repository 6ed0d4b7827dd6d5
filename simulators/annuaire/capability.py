"""The CapabilityStatement at `[base]/metadata`: valid R4 (status, date, kind, fhirVersion, format,
every served search parameter with its type and definition, includes), so generic clients such as
fhirclient can start from it. Built from the parameter table: it never advertises what is not served.
"""

from __future__ import annotations

from typing import Any

from . import model as m
from .params import INCLUDES, PARAMS

_STANDARD = {"_id": "Resource-id", "_lastUpdated": "Resource-lastUpdated", "_profile": "Resource-profile"}
_AS_SP = "https://interop.esante.gouv.fr/ig/fhir/annuaire/SearchParameter/"
_FHIR_TYPES = {"token", "string", "date", "reference", "uri", "number", "quantity", "special"}


def _definition(rtype: str, name: str) -> str:
    if name in _STANDARD:
        return f"http://hl7.org/fhir/SearchParameter/{_STANDARD[name]}"
    if name.startswith("_"):
        return f"http://hl7.org/fhir/SearchParameter/{rtype}-{name.lstrip('_')}"
    return f"{_AS_SP}as-sp-{rtype.lower()}-{name}" if name in ("mailbox-mss", "data-information-system",
                                                              "qualification-code", "number-smartcard",
                                                              "identifier-type", "pharmacy-licence",
                                                              "data-registration-authority") \
        else f"http://hl7.org/fhir/SearchParameter/{rtype}-{name}"


def capability_statement(base_url: str, *, date: str) -> dict[str, Any]:
    resources = []
    for rtype in m.RESOURCE_TYPES:
        profile = m.PROFILES.get(rtype) or m.PROFILES["HealthcareService:social"]
        resources.append({
            "type": rtype, "profile": profile[-1],
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchInclude": ["*", *sorted(f"{s}:{p}" for s, p in INCLUDES if s == rtype)],
            "searchRevInclude": sorted(f"{s}:{p}" for (s, p), t in INCLUDES.items() if t == rtype),
            "searchParam": [{"name": name, "type": p.type if p.type in _FHIR_TYPES else "special",
                             "definition": _definition(rtype, name)} for name, p in PARAMS[rtype].items()],
        })
    return {
        "resourceType": "CapabilityStatement", "id": "annuaire-sante-v2-simulateur", "status": "active",
        "date": date, "publisher": "socle-bench (simulateur)", "kind": "instance",
        "name": "AnnuaireSanteV2Simulateur", "title": "Simulateur de l'API FHIR Annuaire Santé v2",
        "software": {"name": "HAPI FHIR Server (simulé par socle-bench)"},
        "implementation": {"description": "API FHIR Annuaire Santé v2 (simulateur)", "url": base_url},
        "fhirVersion": m.FHIR_VERSION, "format": ["application/fhir+json", "json", "application/fhir+xml", "xml"],
        "rest": [{"mode": "server",
                  "security": {"description": "En-tête ESANTE-API-KEY obligatoire (passerelle Gravitee)"},
                  "resource": resources,
                  "searchParam": [{"name": "_count", "type": "number"}, {"name": "_elements", "type": "string"},
                                  {"name": "_summary", "type": "token"}, {"name": "_total", "type": "token"},
                                  {"name": "_sort", "type": "string"}]}],
    }
