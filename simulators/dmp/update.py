"""ITI-57 Update Document Set (TD3.3a-d): visibility changes as new metadata versions, and
availability-status changes (archive, unarchive, logical delete by the author only).

A metadata update keeps the logical id (`lid`) and the document, increments the version, gives
the new version a fresh entryUUID and deprecates the previous one, in one transaction. Only the
confidentiality codes may change: the DMP uses ITI-57 for visibility, nothing else.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from simulators.dmp.codec.xds import RegistryFailure
from simulators.dmp.context import Caller, Services
from simulators.dmp.model import (
    APPROVED, ARCHIVED, DELETED, HAS_MEMBER, INVISIBLE_REPS, UPDATE_STATUS, Association, DocumentEntry, Submission,
)

UPDATE_ERROR = "XDSMetadataUpdateError"
_TRANSITIONS = {(APPROVED, ARCHIVED): "archivage", (ARCHIVED, APPROVED): "desarchivage",
                (APPROVED, DELETED): "suppression", (ARCHIVED, DELETED): "suppression"}


def _uuid(value: str) -> str:
    return value if value.startswith("urn:uuid:") else f"urn:uuid:{uuid.uuid4()}"


def update_document_set(sub: Submission, caller: Caller, services: Services) -> dict[str, Any]:
    """Apply an ITI-57 request; refusals are written to the access history too."""
    try:
        return _update(sub, caller, services)
    except RegistryFailure as failure:
        if caller.dossier is not None:
            services.store.record_access(caller.session, [caller.access("mise_a_jour", "refuse",
                                                                        detail=failure.errors[0].context)])
        raise


def _update(sub: Submission, caller: Caller, services: Services) -> dict[str, Any]:
    ss = sub.submission_set
    if ss is None:
        raise RegistryFailure("XDSRegistryMetadataError", "ITI-57 : lot de soumission absent.")
    if ss.patient_id.split("^")[0] != caller.ins:
        raise RegistryFailure(services.error_code("vihf_patient_mismatch"), "ITI-57 : patientId du lot différent de "
                              "l'INS du VIHF.")
    if caller.dossier is None or caller.dossier.state != "ACTIF":
        raise RegistryFailure(services.error_code("unknown_patient"), "ITI-57 : DMP inexistant ou fermé.")
    original_ss_id = ss.entry_uuid
    ss.entry_uuid = _uuid(ss.entry_uuid)
    new_entries: list[DocumentEntry] = []
    deprecate: list[str] = []
    status_changes: list[tuple[str, str]] = []
    assocs: list[Association] = []
    actions: list[tuple[str, str]] = []
    by_id = {e.entry_uuid: e for e in sub.entries}
    for a in sub.associations:
        a.id = _uuid(a.id)
        if a.source == original_ss_id:
            a.source = ss.entry_uuid
        if a.type == HAS_MEMBER and a.target in by_id:
            entry, old = _new_version(by_id[a.target], a, caller, services)
            a.target = entry.entry_uuid
            new_entries.append(entry)
            deprecate.append(old.entry_uuid)
            actions.append(("masquage" if entry.visibility != old.visibility else "mise_a_jour", entry.unique_id))
        elif a.type == UPDATE_STATUS:
            target, new_status = _status_change(a, caller, services)
            status_changes.append((target.entry_uuid, new_status))
            actions.append((_TRANSITIONS[(target.status, new_status)], target.unique_id))
        elif a.type == HAS_MEMBER:
            raise RegistryFailure(UPDATE_ERROR, f"Association HasMember vers {a.target} : objet absent de la requête.")
        a.status = APPROVED
        assocs.append(a)
    if not new_entries and not status_changes:
        raise RegistryFailure(UPDATE_ERROR, "ITI-57 : ni nouvelle version de fiche ni UpdateAvailabilityStatus.")
    services.store.register(caller.session, ss, new_entries, assocs, [], deprecate=deprecate,
                            status_changes=status_changes)
    services.store.record_access(caller.session, [caller.access(action, "autorise", document=uid)
                                                  for action, uid in actions])
    return {"updates": [{"action": action, "uniqueId": uid} for action, uid in actions],
            "new_versions": [{"uniqueId": e.unique_id, "version": e.version, "entryUUID": e.entry_uuid,
                              "confidentiality": [c.code for c in e.confidentiality]} for e in new_entries]}


def _may_modify(entry: DocumentEntry, caller: Caller, services: Services) -> None:
    author = any(caller.actor.structure_id in a.structure_ids for a in entry.authors)
    if author:
        return
    decision = services.policy.can_consult(caller.dossier, caller.authorization, caller.actor)
    if not decision.allowed:
        raise services.refuse(decision)


def _new_version(submitted: DocumentEntry, a: Association, caller: Caller, services: Services) -> tuple[DocumentEntry, DocumentEntry]:
    previous = a.slot("PreviousVersion")
    if not submitted.lid or not previous:
        raise RegistryFailure(UPDATE_ERROR, "Nouvelle version : lid de la fiche et slot PreviousVersion de "
                              "l'association HasMember obligatoires.", location=submitted.entry_uuid)
    versions = [e for e in services.store.entries_by(caller.session, lids=[submitted.lid]) if e.status != "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"]
    if not versions:
        raise RegistryFailure(UPDATE_ERROR, f"Aucune fiche active de lid {submitted.lid}.", location=submitted.lid)
    old = max(versions, key=lambda e: e.version)
    if str(old.version) != previous:
        raise RegistryFailure("XDSMetadataVersionError", f"PreviousVersion {previous} ≠ version courante {old.version} "
                              f"de la fiche {old.unique_id}.", location=old.unique_id)
    if old.patient_ins != caller.ins or submitted.unique_id not in ("", old.unique_id):
        raise RegistryFailure(UPDATE_ERROR, "Nouvelle version : patient ou uniqueId différent de la fiche d'origine.",
                              location=old.unique_id)
    _may_modify(old, caller, services)
    for attr in ("class_code", "type_code", "format_code", "facility_code", "practice_code"):
        sent, kept = getattr(submitted, attr), getattr(old, attr)
        if sent is not None and kept is not None and sent.code != kept.code:
            raise RegistryFailure(UPDATE_ERROR, f"Nouvelle version : {attr} modifié ({kept.code} → {sent.code}) ; le DMP "
                                  "ne modifie par ITI-57 que la visibilité et le statut.", location=old.unique_id)
    conf_vs = services.vs["confidentiality_code"]
    for code in submitted.confidentiality:
        if not conf_vs.contains(code.code, code.scheme):
            raise RegistryFailure("XDSRegistryMetadataError", f"confidentialityCode {code.key} hors {conf_vs.name}.",
                                  location=old.unique_id)
    entry = replace(old, entry_uuid=_uuid(submitted.entry_uuid), version=old.version + 1, status=APPROVED,
                    confidentiality=list(submitted.confidentiality) or list(old.confidentiality))
    if INVISIBLE_REPS in entry.visibility - old.visibility and caller.dossier and not services.policy.is_minor(caller.dossier):
        raise RegistryFailure(services.error_code("secret_connection"), "INVISIBLE_REPRESENTANTS_LEGAUX réservé au "
                              "DMP d'un mineur.", location=old.unique_id)
    decision = services.policy.check_feed(caller.dossier, [entry], caller.actor)
    if not decision.allowed and decision.key == "visibility_cumul":
        raise services.refuse(decision, location=old.unique_id)
    return entry, old


def _status_change(a: Association, caller: Caller, services: Services) -> tuple[DocumentEntry, str]:
    original, new = a.slot("OriginalStatus"), a.slot("NewStatus")
    targets = services.store.entries_by(caller.session, uuids=[a.target])
    if not targets or targets[0].patient_ins != caller.ins:
        raise RegistryFailure(UPDATE_ERROR, f"UpdateAvailabilityStatus : fiche {a.target} inconnue pour ce patient.",
                              location=a.target)
    target = targets[0]
    if target.status != original:
        raise RegistryFailure(UPDATE_ERROR, f"OriginalStatus {original} ≠ statut courant {target.status}.",
                              location=target.unique_id)
    if (original, new) not in _TRANSITIONS:
        raise RegistryFailure(UPDATE_ERROR, f"Transition de statut {original} → {new} non admise.",
                              location=target.unique_id)
    if new == DELETED and not any(caller.actor.structure_id in au.structure_ids for au in target.authors):
        raise RegistryFailure(services.error_code("delete_not_author"), "Suppression refusée : seul l'auteur du "
                              "document peut le supprimer.", location=target.unique_id)
    if new != DELETED:
        _may_modify(target, caller, services)
    return target, new
