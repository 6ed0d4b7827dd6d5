"""ITI-18 stored queries (TD3.1) and ITI-43 retrieve (TD3.2) with the DMP's access rules.

Queries filter in SQL on indexed columns (patient, status, codes, times) and then apply the
per-caller visibility rules in Python, because those depend on the caller, the dossier and the
habilitation matrix, not on columns. Every query and every retrieved document is written to the
patient's access history, refusals included.
"""

from __future__ import annotations

import re
from datetime import datetime

from typing import Any

from simulators.dmp.codec.xds import (
    FIND_DOCUMENTS, FIND_DOCUMENTS_BY_REFERENCE_ID, FIND_SUBMISSION_SETS, GET_ASSOCIATIONS, GET_DOCUMENTS,
    GET_DOCUMENTS_AND_ASSOCIATIONS, GET_SUBMISSION_SET_AND_CONTENTS, SEVERITY_WARNING, DocumentRequest,
    RegistryErrorItem, RegistryFailure, RetrievedDocument, StoredQuery,
)
from simulators.dmp.context import Caller, Services
from simulators.dmp.model import DELETED, HAS_MEMBER, STATUSES, Association, DocumentEntry, pad_time

P = "$XDSDocumentEntry"


def _codes(values: list[str]) -> list[str]:
    return [v.split("^")[0] for v in values if v]


def _require(q: StoredQuery, name: str) -> list[str]:
    values = q.params.get(name)
    if not values:
        raise RegistryFailure("XDSStoredQueryMissingParam", f"{q.name} : paramètre {name} obligatoire.", location=name)
    return values


def _patient(q: StoredQuery, name: str, caller: Caller, services: Services) -> str:
    values = _require(q, name)
    if len(values) != 1:
        raise RegistryFailure("XDSStoredQueryParamNumber", f"{name} : une seule valeur attendue.", location=name)
    ins = values[0].split("^")[0]
    if ins != caller.ins:
        raise RegistryFailure(services.error_code("vihf_patient_mismatch"), f"{name} ({ins}) différent de l'INS du "
                              f"VIHF ({caller.ins}).", location=name)
    return ins


_DTM = re.compile(r"^\d{4}(?:\d{2}){0,5}$")
_DTM_FORMATS = {4: "%Y", 6: "%Y%m", 8: "%Y%m%d", 10: "%Y%m%d%H", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}


def _time_bound(q: StoredQuery, name: str) -> str | None:
    """An XDS time parameter (HL7 V2 DTM in UTC, ITI TF-3 §4.2.3.1.7), padded for comparison; garbage is
    the registry's error with a text saying what was expected, never a silent empty filter."""
    values = q.params.get(name) or []
    if not values:
        return None
    if len(values) > 1:
        raise RegistryFailure("XDSStoredQueryParamNumber", f"{name} : une seule valeur attendue.", location=name)
    value = values[0].strip()
    valid = bool(_DTM.match(value))
    if valid:
        try:
            datetime.strptime(value, _DTM_FORMATS[len(value)])
        except ValueError:
            valid = False
    if not valid:
        raise RegistryFailure("XDSRegistryError", f"{name} : date/heure invalide {value[:40]!r} (attendu "
                              "AAAA[MM[JJ[hh[mm[ss]]]]] en UTC, ex. 20250131235959).", location=name)
    return pad_time(value)


def _statuses(q: StoredQuery, name: str) -> list[str]:
    values = _require(q, name)
    unknown = [v for v in values if v not in STATUSES and not v.endswith(":Submitted")]
    if unknown:
        raise RegistryFailure("XDSRegistryError", f"{name} : statut inconnu {unknown[0]}.", location=name)
    return values


def _find_entries(q: StoredQuery, caller: Caller, services: Services, stored: dict[str, str], *,
                  own_only: bool = False) -> list[DocumentEntry]:
    ins = _patient(q, f"{P}PatientId", caller, services)
    filters: list[tuple[str, str, Any]] = [("=", "patient_ins", ins), ("in", "status", _statuses(q, f"{P}Status"))]
    if own_only:
        filters.append(("like", "author_structures", f"% {caller.actor.structure_id} %"))
    for param, column in (("ClassCode", "class_code"), ("TypeCode", "type_code"), ("FormatCode", "format_code"),
                          ("PracticeSettingCode", "practice_code"), ("HealthcareFacilityTypeCode", "facility_code")):
        values = _codes(q.params.get(P + param, []))
        if values:
            filters.append(("in", column, values))
    for param, column in (("CreationTime", "creation_time"), ("ServiceStartTime", "service_start"),
                          ("ServiceStopTime", "service_stop")):
        low, high = _time_bound(q, f"{P}{param}From"), _time_bound(q, f"{P}{param}To")
        if low:
            filters.append((">=", column, low))
        if high:
            filters.append(("<", column, high))
    filters.extend(("like", "conf", f"% {code} %") for code in _codes(q.params.get(f"{P}ConfidentialityCode", [])))
    limit = services.options.max_results + 1
    entries = services.store.entries_filtered(caller.session, filters, limit=limit, stored=stored)
    if len(entries) > services.options.max_results:
        raise RegistryFailure("XDSTooManyResults", f"Plus de {services.options.max_results} résultats : affiner la "
                              "recherche (dates, types).")
    authors = q.params.get(f"{P}AuthorPerson", [])
    if authors:
        import re

        patterns = [re.compile(re.escape(a).replace("%", ".*").replace("_", ".") + "$", re.I) for a in authors]
        entries = [e for e in entries if any(p.match(au.person) for au in e.authors for p in patterns)]
    events = _codes(q.params.get(f"{P}EventCodeList", []))
    if events:
        entries = [e for e in entries if {c.code for c in e.event_codes} & set(events)]
    refs = q.params.get(f"{P}ReferenceIdList", [])
    if q.query_id == FIND_DOCUMENTS_BY_REFERENCE_ID:
        if not refs:
            raise RegistryFailure("XDSStoredQueryMissingParam", f"{P}ReferenceIdList obligatoire.")
        entries = [e for e in entries if set(e.reference_ids) & set(refs)]
    return entries


def _visible(entries: list[DocumentEntry], caller: Caller, services: Services) -> tuple[list[DocumentEntry], int]:
    assert caller.dossier is not None
    shown = [e for e in entries if services.policy.visible(e, caller.dossier, caller.authorization, caller.actor)[0]]
    return shown, len(entries) - len(shown)


def _own(entry: DocumentEntry, caller: Caller) -> bool:
    return any(caller.actor.structure_id in a.structure_ids for a in entry.authors)


class _Gate:
    """Consultation decision; without an authorisation a structure still reaches the documents it
    authored (TD3.1b: an LPS looks up the entryUUID of its own document to replace or delete it)."""

    def __init__(self, caller: Caller, services: Services, action: str) -> None:
        self.caller, self.services, self.action = caller, services, action
        self.decision = services.policy.can_consult(caller.dossier, caller.authorization, caller.actor)
        self.own_only = (not self.decision.allowed and self.decision.status in ("NON_EXISTE", "EXPIRE")
                         and self.decision.key == "access_denied" and services.options.access.author_sees_own_documents)
        if not self.decision.allowed and not self.own_only:
            self.refuse()

    def refuse(self) -> None:
        self.services.store.record_access(self.caller.session, [self.caller.access(self.action, "refuse",
                                                                                   detail=self.decision.reason)])
        raise self.services.refuse(self.decision)

    def filter(self, entries: list[DocumentEntry]) -> list[DocumentEntry]:
        if not self.own_only:
            return entries
        own = [e for e in entries if _own(e, self.caller)]
        if not own:
            self.refuse()
        return own


def stored_query(q: StoredQuery, caller: Caller, services: Services) -> tuple[list[bytes], list[RegistryErrorItem], dict[str, Any]]:
    """Objects of the response (serialised, for `fragments.splice`), warnings, and a summary for the journal."""
    gate = _Gate(caller, services, "recherche")
    if gate.own_only and q.query_id not in (FIND_DOCUMENTS, GET_DOCUMENTS, FIND_DOCUMENTS_BY_REFERENCE_ID):
        gate.refuse()
    warnings: list[RegistryErrorItem] = []
    entries: list[DocumentEntry] = []
    sets: list[Any] = []
    assocs: list[Association] = []
    stored: dict[str, str] = {}  # entryUUID -> JSON row read, the version of its cached fragment
    stored_sets: dict[str, str] = {}  # the same for submission sets
    if q.query_id in (FIND_DOCUMENTS, FIND_DOCUMENTS_BY_REFERENCE_ID):
        entries = _find_entries(q, caller, services, stored, own_only=gate.own_only)
    elif q.query_id == FIND_SUBMISSION_SETS:
        t = services.store.subsets_table
        ins = _patient(q, "$XDSSubmissionSetPatientId", caller, services)
        conds = [t.c.patient_ins == ins, t.c.status.in_(_statuses(q, "$XDSSubmissionSetStatus"))]
        low = _time_bound(q, "$XDSSubmissionSetSubmissionTimeFrom")
        high = _time_bound(q, "$XDSSubmissionSetSubmissionTimeTo")
        if low:
            conds.append(t.c.submission_time >= low)
        if high:
            conds.append(t.c.submission_time < high)
        if q.params.get("$XDSSubmissionSetSourceId"):
            conds.append(t.c.source_id.in_(q.params["$XDSSubmissionSetSourceId"]))
        sets = services.store.submission_sets(caller.session, *conds, stored=stored_sets)
    elif q.query_id in (GET_DOCUMENTS, GET_DOCUMENTS_AND_ASSOCIATIONS, GET_ASSOCIATIONS):
        uuids = q.params.get(f"{P}EntryUUID", []) or (q.params.get("$uuid", []) if q.query_id == GET_ASSOCIATIONS else [])
        uids = q.params.get(f"{P}UniqueId", [])
        if not uuids and not uids:
            raise RegistryFailure("XDSStoredQueryMissingParam", f"{q.name} : {P}EntryUUID ou {P}UniqueId (ou $uuid) "
                                  "obligatoire.")
        entries = services.store.entries_by(caller.session, uuids=uuids, unique_ids=uids, stored=stored)
        foreign = [e for e in entries if e.patient_ins != caller.ins]
        if foreign:
            warnings.append(RegistryErrorItem("XDSPatientIdDoesNotMatch", f"{len(foreign)} fiche(s) d'un autre patient "
                                              "ignorée(s).", severity=SEVERITY_WARNING))
        entries = [e for e in entries if e.patient_ins == caller.ins]
        if q.query_id == GET_ASSOCIATIONS:
            set_ids = [u for u in uuids if u not in {e.entry_uuid for e in entries}]
            own_sets = services.store.submission_sets(caller.session, services.store.subsets_table.c.entry_uuid.in_(set_ids)) if set_ids else []
            visible, _ = _visible(entries, caller, services)
            ids = [e.entry_uuid for e in visible] + [s.entry_uuid for s in own_sets if s.patient_id.split("^")[0] == caller.ins]
            assocs = services.store.associations(caller.session, ids)
            entries = []
    elif q.query_id == GET_SUBMISSION_SET_AND_CONTENTS:
        uuid_ = q.one("$XDSSubmissionSetEntryUUID")
        uid = q.one("$XDSSubmissionSetUniqueId")
        t = services.store.subsets_table
        sets = services.store.submission_sets(caller.session, t.c.entry_uuid == uuid_ if uuid_ else t.c.unique_id == uid,
                                              stored=stored_sets)
        sets = [s for s in sets if s.patient_id.split("^")[0] == caller.ins]
        assocs = services.store.associations(caller.session, [s.entry_uuid for s in sets])
        members = [a.target for a in assocs if a.type == HAS_MEMBER]
        entries = services.store.entries_by(caller.session, uuids=members, stored=stored) if members else []
    else:
        raise RegistryFailure("XDSUnknownStoredQuery", f"Requête stockée inconnue : {q.query_id}.")
    entries = gate.filter(entries)
    entries, hidden = _visible(entries, caller, services)
    if q.query_id in (GET_DOCUMENTS_AND_ASSOCIATIONS, GET_SUBMISSION_SET_AND_CONTENTS) and entries:
        shown = {e.entry_uuid for e in entries} | {s.entry_uuid for s in sets}
        assocs = [a for a in services.store.associations(caller.session, list(shown))
                  if a.source in shown and (a.target in shown or a.type != HAS_MEMBER)]
    objects = _render(q, caller.session, services, (stored, stored_sets), entries, sets, assocs)
    services.store.record_access(caller.session, [caller.access(
        "recherche", "autorise", detail=f"{q.name} : {len(entries)} fiche(s), {hidden} masquée(s) pour l'appelant")])
    summary = {"query": q.name, "return_type": q.return_type, "results": len(objects), "hidden": hidden,
               "params": dict(q.params.items())}
    return objects, warnings, summary


def _render(q: StoredQuery, session: str, services: Services, rows: tuple[dict[str, str], dict[str, str]],
            entries: list[DocumentEntry], sets: list[Any], assocs: list[Association]) -> list[bytes]:
    """The serialised objects, in the order the codec writes them (entries, sets, associations)."""
    cache = services.store.fragments
    stored, stored_sets = rows
    if q.return_type == "ObjectRef":
        return [cache.object_ref(x) for x in [e.entry_uuid for e in entries] + [s.entry_uuid for s in sets]
                + [a.id for a in assocs]]
    objects = [cache.entry(session, e, stored.get(e.entry_uuid)) for e in entries]
    objects.extend(cache.submission_set(session, s, stored_sets.get(s.entry_uuid)) for s in sets)
    objects.extend(cache.association(session, a) for a in assocs)
    return objects


def retrieve(requests: list[DocumentRequest], caller: Caller, services: Services) -> tuple[list[RetrievedDocument], list[RegistryErrorItem], dict[str, Any]]:
    gate = _Gate(caller, services, "consultation")
    docs: list[RetrievedDocument] = []
    errors: list[RegistryErrorItem] = []
    records = []
    for r in requests:
        if r.repository_uid != services.options.repository_uid:
            errors.append(RegistryErrorItem("XDSUnknownRepositoryId", f"Entrepôt {r.repository_uid} inconnu (attendu "
                                            f"{services.options.repository_uid}).", r.unique_id))
            continue
        versions = [e for e in services.store.entries_by(caller.session, unique_ids=[r.unique_id])
                    if e.patient_ins == caller.ins and e.status != DELETED]
        stored = services.store.document(caller.session, r.unique_id) if versions else None
        if not versions or stored is None:
            errors.append(RegistryErrorItem("XDSDocumentUniqueIdError", f"Document {r.unique_id} inconnu pour ce patient.",
                                            r.unique_id))
            continue
        entry = max(versions, key=lambda e: e.version)
        assert caller.dossier is not None
        if gate.own_only and not _own(entry, caller):
            gate.refuse()
        ok, why = services.policy.visible(entry, caller.dossier, caller.authorization, caller.actor)
        if not ok:
            records.append(caller.access("consultation", "refuse", document=r.unique_id, detail=why))
            errors.append(RegistryErrorItem(services.error_code("access_denied_repository"),
                                            f"Document {r.unique_id} non accessible : {why}.", r.unique_id))
            continue
        records.append(caller.access("consultation", "autorise", document=r.unique_id))
        docs.append(RetrievedDocument(stored[0], r.unique_id, stored[1] or entry.mime_type, stored[2]))
    services.store.record_access(caller.session, records)
    summary = {"requested": [r.unique_id for r in requests], "returned": [d.unique_id for d in docs],
               "errors": [e.code for e in errors]}
    return docs, errors, summary
