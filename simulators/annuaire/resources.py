"""The directory's FHIR resources (profiles as-dp-*), built from the operator's mailboxes and the
bench world's establishments. Sans-IO: mailboxes and establishments in, dicts out.

Mailboxes are `telecom` entries exactly as mss.md §5.2 (`fr-core-contact-point-email-type` TRE_R256
MSSANTE and `as-ext-mailbox-mss-metadata`); `responsible` is never published and liste-rouge boxes
are left out. Every resource carries the documented `meta` (versionId, lastUpdated, source
`https://annuaire.sante.fr`, FR Core + AS profiles) and `language` "fr" (test-api.md example).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from simulators.identities.model import Establishment

from . import model as m
from .model import PATIENT_KIND, PublishedMailbox

EstablishmentLookup = Callable[[str], "Establishment | None"]
HOSPITAL_CATEGORIES = {"101", "106", "355", "362", "365"}


def mailbox_telecom(box: PublishedMailbox) -> dict[str, Any]:
    metadata: list[dict[str, Any]] = [
        {"url": "type", "valueCodeableConcept": {"coding": [{"system": m.TRE_R257, "code": box.kind}]}}]
    if box.description:
        metadata.append({"url": "description", "valueString": box.description})
    if box.service:
        metadata.append({"url": "service", "valueString": box.service})
    metadata.append({"url": "digitization", "valueBoolean": box.digitization})
    return {"extension": [{"url": m.EMAIL_TYPE_URL, "valueCoding": {"system": m.TRE_R256, "code": "MSSANTE"}},
                          {"url": m.METADATA_URL, "extension": metadata}],
            "system": "email", "value": box.address}


def identifier(system: str, value: str, code: str = "") -> dict[str, Any]:
    ident: dict[str, Any] = {"use": "official"}
    if code:
        ident["type"] = {"coding": [{"system": m.ID_TYPE, "code": code}]}
    ident.update(system=system, value=value)
    return ident


def meta(profile_key: str, version: str = "1") -> dict[str, Any]:
    return {"versionId": version, "lastUpdated": m.LAST_UPDATED, "source": m.SOURCE,
            "profile": list(m.PROFILES[profile_key])}


def data_trace(*systems: str) -> dict[str, Any]:
    return {"url": m.DATA_TRACE_URL, "extension": [{"url": "systeme-information", "valueCode": s} for s in systems]}


def _head(rtype: str, rid: str, profile_key: str, systems: tuple[str, ...]) -> dict[str, Any]:
    return {"resourceType": rtype, "id": rid, "meta": meta(profile_key), "language": m.LANGUAGE,
            "extension": [data_trace(*systems)]}


@dataclass
class Directory:
    """The five resource types, indexed by id, with the mailboxes each carries (for searching)."""

    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    boxes: dict[tuple[str, str], list[PublishedMailbox]] = field(default_factory=lambda: defaultdict(list))

    def add(self, resource: dict[str, Any], boxes: list[PublishedMailbox] | None = None) -> None:
        self.resources[resource["resourceType"]][resource["id"]] = resource
        self.boxes[(resource["resourceType"], resource["id"])] = list(boxes or ())

    def resolve(self, reference: str) -> dict[str, Any] | None:
        rtype, _, rid = reference.partition("/")
        return self.resources.get(rtype, {}).get(rid)


def _org_type(system: str, code: str, kind: str = "") -> dict[str, Any]:
    concept: dict[str, Any] = {}
    if kind:
        concept["extension"] = [{"url": m.ORG_TYPES_URL, "valueCode": kind}]
    concept["coding"] = [{"system": system, "code": code}]
    return concept


def _organization(est_id: str, sample: PublishedMailbox | None, est: Establishment | None,
                  boxes: list[PublishedMailbox]) -> dict[str, Any]:
    idnst = (est.idnst if est else "") or (sample.idnst if sample else "")
    finess = (est.finess_et if est else "") or (sample.finess if sample else "")
    resource = _head("Organization", f"org-{est_id}", "Organization", ("FINESS",) if finess else ("RPPS",))
    idents = [identifier(m.OID_IDNST, idnst, "IDNST")] if idnst else []
    if finess:
        idents.append(identifier(m.FINESS_SYSTEM, finess, "FINEG"))
    resource["identifier"] = idents or [identifier(m.BENCH_SYSTEM, est_id)]
    resource["active"] = True
    types = [_org_type(m.ORG_KIND, "GEOGRAPHICAL-ENTITY", "organizationType")]
    if est is not None and est.sector_code:
        types.append(_org_type(m.TRE_R02, est.sector_code, "secteurActiviteRASS"))
    if est is not None and est.category_code:
        types.append(_org_type(m.TRE_R66, est.category_code))
    resource["type"] = types
    resource["name"] = est.name if est else (sample.organisation_name if sample else est_id)
    resource["telecom"] = [mailbox_telecom(b) for b in boxes]
    if est is not None:
        resource["address"] = [{"use": "work", "line": [est.address.line], "city": est.address.city.upper(),
                                "postalCode": est.address.postal_code, "country": "FRA"}]
        if est.finess_ej:
            resource["partOf"] = {"reference": f"Organization/ej-{est.finess_ej}"}
    return resource


def _legal_entity(est: Establishment) -> dict[str, Any]:
    resource = _head("Organization", f"ej-{est.finess_ej}", "Organization", ("FINESS",))
    resource["identifier"] = [identifier(m.FINESS_SYSTEM, str(est.finess_ej), "FINEJ")]
    resource["active"] = True
    resource["type"] = [_org_type(m.ORG_KIND, "LEGAL-ENTITY", "organizationType")]
    resource["name"] = est.legal_entity
    return resource


def _services(est: Establishment) -> list[dict[str, Any]]:
    out = []
    for number, offer in enumerate(est.offers, start=1):
        rid = f"hs-{est.id}-{number:02d}"
        resource = _head("HealthcareService", rid, "HealthcareService:social", ("FINESS",))
        resource["identifier"] = [{"system": m.FINESS_SYSTEM, "value": f"{est.finess_et or est.id}-{number:02d}"}]
        resource["active"] = True
        resource["providedBy"] = {"reference": f"Organization/org-{est.id}"}
        if offer.offer_type:
            resource["category"] = [{"coding": [{"system": m.TRE_R244, "code": offer.offer_type}]}]
        resource["type"] = [{"coding": [{"system": m.TRE_R227, "code": offer.activity_field}]}]
        resource["name"] = offer.name
        out.append(resource)
    return out


def _device(est: Establishment) -> dict[str, Any]:
    rid = f"dev-{est.id}-01"
    resource = _head("Device", rid, "Device", ("FINESS",))
    resource["identifier"] = [{"system": m.ARHGOS_SYSTEM, "value": f"{est.department}-{est.department}-0{est.id[-4:]}"}]
    resource["status"] = "active"
    resource["manufacturer"] = "SIMULATEUR"
    resource["modelNumber"] = "IRM-1.5T"
    resource["type"] = {"coding": [{"system": m.TRE_R272, "code": "05602"}]}
    resource["owner"] = {"reference": f"Organization/org-{est.id}"}
    return resource


def build_directory(mailboxes: Iterable[PublishedMailbox], establishments: Iterable[Establishment] = ()) -> Directory:
    published = [b for b in mailboxes if b.kind != PATIENT_KIND and b.active]
    world = {e.id: e for e in establishments}
    directory = Directory()
    org_boxes: dict[str, list[PublishedMailbox]] = defaultdict(list)
    cabinets: dict[str, list[PublishedMailbox]] = defaultdict(list)
    samples: dict[str, PublishedMailbox] = {}
    for box in published:
        if box.establishment_id:
            samples.setdefault(box.establishment_id, box)
        if box.kind in ("ORG", "APP") and not box.liste_rouge:
            org_boxes[box.establishment_id].append(box)
        if box.kind == "CAB" and not box.liste_rouge:
            cabinets[box.establishment_id].append(box)
    for est_id in sorted(set(samples) | {e for e, est in world.items() if est.finess_et or est.idnst}):
        est = world.get(est_id)
        directory.add(_organization(est_id, samples.get(est_id), est, org_boxes[est_id]), org_boxes[est_id])
        if est is None:
            continue
        legal = f"ej-{est.finess_ej}"
        if est.finess_ej and est.finess_ej != est.finess_et and legal not in directory.resources["Organization"]:
            directory.add(_legal_entity(est))
        for service in _services(est):
            directory.add(service)
        if est.category_code in HOSPITAL_CATEGORIES:
            directory.add(_device(est))
    for box in published:
        if box.kind == "PER":
            _practitioner(directory, box, cabinets.get(box.establishment_id, []))
    return directory


def _practitioner(directory: Directory, box: PublishedMailbox, cabinet_boxes: list[PublishedMailbox]) -> None:
    idents = []
    if box.idnps:
        idents.append(identifier(m.OID_IDNPS, box.idnps, "IDNPS"))
    if box.rpps:
        idents.append(identifier(m.RPPS_SYSTEM, box.rpps, "RPPS"))
    if not idents:
        idents.append(identifier(m.BENCH_SYSTEM, box.owner_id))
    own = [box] if not box.liste_rouge else []
    carried = own + cabinet_boxes
    practitioner = _head("Practitioner", f"pr-{box.owner_id}", "Practitioner", ("RPPS", "MSS"))
    name: dict[str, Any] = {"use": "usual", "family": box.last_name.upper(), "given": [box.first_name]}
    if box.civility:
        name["prefix"] = [box.civility]
    practitioner.update(identifier=idents, active=True, name=[name],
                        telecom=[mailbox_telecom(b) for b in carried])
    if box.profession_code:
        practitioner["qualification"] = [{"code": {"coding": [
            {"system": m.TRE_G15, "code": box.profession_code, "display": box.profession_label}]}}]
    directory.add(practitioner, carried)
    role = _head("PractitionerRole", f"role-{box.owner_id}", "PractitionerRole", ("RPPS", "MSS"))
    role["identifier"] = [{"system": m.RPPS_SYSTEM, "value": f"{box.rpps or box.owner_id}-1"}]
    role["active"] = True
    role["practitioner"] = {"reference": f"Practitioner/pr-{box.owner_id}"}
    if box.establishment_id:
        role["organization"] = {"reference": f"Organization/org-{box.establishment_id}"}
    if box.profession_code:
        role["code"] = [{"coding": [{"system": m.TRE_G15, "code": box.profession_code,
                                     "display": box.profession_label}]}]
    role["telecom"] = [mailbox_telecom(b) for b in own]
    directory.add(role, own)
