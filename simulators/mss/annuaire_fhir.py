"""FHIR R4 resources of the Annuaire Santé v2 (profiles as-dp-*) built from the operator's mailboxes.

Mailboxes are `telecom` entries exactly as mss.md §5.2: the `fr-core-contact-point-email-type`
extension (TRE_R256 MSSANTE) and `as-ext-mailbox-mss-metadata` (type, description, service,
digitization). `responsible` is never published and liste-rouge boxes are left out (§7).
Sans-IO: mailboxes in, dicts out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .model import PATIENT_KIND, Mailbox

LAST_UPDATED = "2026-01-01T00:00:00.000+01:00"
EMAIL_TYPE_URL = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-contact-point-email-type"
TRE_R256 = "https://mos.esante.gouv.fr/NOS/TRE_R256-TypeMessagerie/FHIR/TRE-R256-TypeMessagerie"
METADATA_URL = "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-mailbox-mss-metadata"
TRE_R257 = "https://mos.esante.gouv.fr/NOS/TRE_R257-TypeBAL/FHIR/TRE-R257-TypeBAL"
ID_TYPE = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
PROFILE = "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/"
OID_IDNPS = "urn:oid:1.2.250.1.71.4.2.1"
OID_IDNST = "urn:oid:1.2.250.1.71.4.2.2"
RPPS_SYSTEM = "https://rpps.esante.gouv.fr"
FINESS_SYSTEM = "https://finess.esante.gouv.fr"
BENCH_SYSTEM = "https://socle-bench.test/identifiant"


def mailbox_telecom(box: Mailbox) -> dict[str, Any]:
    metadata: list[dict[str, Any]] = [
        {"url": "type", "valueCodeableConcept": {"coding": [{"system": TRE_R257, "code": box.kind}]}}]
    if box.description:
        metadata.append({"url": "description", "valueString": box.description})
    if box.service:
        metadata.append({"url": "service", "valueString": box.service})
    metadata.append({"url": "digitization", "valueBoolean": box.digitization})
    return {"system": "email", "value": box.address, "extension": [
        {"url": EMAIL_TYPE_URL, "valueCoding": {"system": TRE_R256, "code": "MSSANTE"}},
        {"url": METADATA_URL, "extension": metadata}]}


def _identifier(system: str, value: str, code: str = "") -> dict[str, Any]:
    ident: dict[str, Any] = {"system": system, "value": value}
    if code:
        ident["type"] = {"coding": [{"system": ID_TYPE, "code": code}]}
    return ident


def _meta(profile: str) -> dict[str, Any]:
    return {"lastUpdated": LAST_UPDATED, "profile": [PROFILE + profile]}


@dataclass
class Directory:
    """The three resource types, indexed by id, with the mailboxes they carry (for searching)."""

    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    boxes: dict[tuple[str, str], list[Mailbox]] = field(default_factory=lambda: defaultdict(list))

    def add(self, resource: dict[str, Any], boxes: list[Mailbox]) -> None:
        self.resources[resource["resourceType"]][resource["id"]] = resource
        self.boxes[(resource["resourceType"], resource["id"])] = boxes


def build_directory(mailboxes: Iterable[Mailbox]) -> Directory:
    published = [b for b in mailboxes if b.kind != PATIENT_KIND and b.active]
    directory = Directory()
    org_boxes: dict[str, list[Mailbox]] = defaultdict(list)
    cabinets: dict[str, list[Mailbox]] = defaultdict(list)
    orgs: dict[str, Mailbox] = {}
    for box in published:
        if box.establishment_id:
            orgs.setdefault(box.establishment_id, box)
        if box.kind in ("ORG", "APP") and not box.liste_rouge:
            org_boxes[box.establishment_id].append(box)
        if box.kind == "CAB" and not box.liste_rouge:
            cabinets[box.establishment_id].append(box)
    for est_id, sample in sorted(orgs.items()):
        idents = [_identifier(OID_IDNST, sample.idnst, "IDNST")] if sample.idnst else []
        if sample.finess:
            idents.append(_identifier(FINESS_SYSTEM, sample.finess, "FINEG"))
        resource = {"resourceType": "Organization", "id": f"org-{est_id}", "meta": _meta("as-dp-organization"),
                    "identifier": idents, "active": True, "name": sample.organisation_name,
                    "telecom": [mailbox_telecom(b) for b in org_boxes[est_id]]}
        directory.add(resource, org_boxes[est_id])
    for box in published:
        if box.kind != "PER":
            continue
        idents = []
        if box.idnps:
            idents.append(_identifier(OID_IDNPS, box.idnps, "IDNPS"))
        if box.rpps:
            idents.append(_identifier(RPPS_SYSTEM, box.rpps, "RPPS"))
        if not idents:
            idents.append(_identifier(BENCH_SYSTEM, box.owner_id))
        own = [box] if not box.liste_rouge else []
        carried = own + cabinets.get(box.establishment_id, [])
        practitioner = {"resourceType": "Practitioner", "id": f"pr-{box.owner_id}", "meta": _meta("as-dp-practitioner"),
                        "identifier": idents, "active": True,
                        "name": [{"family": box.last_name.upper(), "given": [box.first_name],
                                  "prefix": [box.civility] if box.civility else []}],
                        "telecom": [mailbox_telecom(b) for b in carried]}
        directory.add(practitioner, carried)
        role: dict[str, Any] = {"resourceType": "PractitionerRole", "id": f"role-{box.owner_id}",
                                "meta": _meta("as-dp-practitionerrole"), "active": True,
                                "practitioner": {"reference": f"Practitioner/pr-{box.owner_id}"},
                                "code": [{"coding": [{"code": box.profession_code,
                                                      "display": box.profession_label}]}],
                                "telecom": [mailbox_telecom(b) for b in own]}
        if box.establishment_id:
            role["organization"] = {"reference": f"Organization/org-{box.establishment_id}"}
        directory.add(role, own)
    return directory


def operation_outcome(code: str, diagnostics: str, severity: str = "error") -> dict[str, Any]:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}]}
