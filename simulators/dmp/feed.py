"""ITI-41 Provide and Register (TD2.1 / TD2.2): every check of dmp.md §4 and §10 on a submission,
then one atomic registration.

Checks run in the order a registry would meet the problems (structure, patient, codes, content,
signature, access rules, duplicates). Independent metadata problems are all reported, as an IHE registry
does (ITI TF-3 §4.2.4: one RegistryError per problem, with its location): the submission set's fields, each
document entry's metadata and content. What depends on a valid submission (access rules, signature,
associations, duplicates in the registry) stops at its first error.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, UTC
from typing import Any

from simulators.dmp.cda import read_cda_header
from simulators.dmp.codec.xds import RegistryErrorItem, RegistryFailure
from simulators.dmp.context import Caller, Services
from simulators.dmp.model import (
    APPROVED, HAS_MEMBER, RPLC, SIGNS, Association, DocumentEntry, DuplicateUniqueId, Submission,
)
from simulators.dmp.vihf import check_certificate, VihfError
from simulators.dmp.xades import SignatureProblem, verify_signature

META = "XDSRegistryMetadataError"
_ENTRY_CODES = {"class_code": "classCode", "type_code": "typeCode", "format_code": "formatCode",
                "facility_code": "healthcareFacilityTypeCode", "practice_code": "practiceSettingCode"}


def _new_uuid() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _resolve_symbolic_ids(sub: Submission) -> None:
    """Symbolic ids (`Document01`) become UUIDs everywhere they are used, as a registry assigns them."""
    mapping: dict[str, str] = {}
    objects = list(sub.entries) + ([sub.submission_set] if sub.submission_set else [])
    for obj in objects:
        if not obj.entry_uuid.startswith("urn:uuid:"):
            mapping[obj.entry_uuid] = _new_uuid()
            obj.entry_uuid = mapping[obj.entry_uuid]
    for a in sub.associations:
        if not a.id.startswith("urn:uuid:"):
            a.id = _new_uuid()
        a.source = mapping.get(a.source, a.source)
        a.target = mapping.get(a.target, a.target)
    sub.documents = {mapping.get(k, k): v for k, v in sub.documents.items()}


def _check_patient_cx(value: str, what: str, services: Services) -> tuple[str, str]:
    parts = value.split("^")
    if len(parts) != 5 or parts[4] != "NH" or parts[3].count("&") != 2:
        raise RegistryFailure(META, f"{what} : {value!r} n'est pas un identifiant CX <INS>^^^&<OID>&ISO^NH.")
    oid = parts[3].split("&")[1]
    if oid not in services.vs.vihf["ins_oids"]:
        raise RegistryFailure(META, f"{what} : OID {oid} non autorisé pour un INS.")
    return parts[0], oid


class Problems:
    """RegistryErrors gathered over independent checks, raised together."""

    def __init__(self) -> None:
        self.errors: list[Any] = []

    def add(self, code: str, context: str, location: str = "") -> None:
        self.errors.append(RegistryErrorItem(code, context, location))

    def run(self, check: Any, *args: Any) -> None:
        try:
            check(*args)
        except RegistryFailure as failure:
            self.errors.extend(failure.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            failure = RegistryFailure(self.errors[0].code, self.errors[0].context, location=self.errors[0].location)
            failure.errors = list(self.errors)
            raise failure


def check_structure(sub: Submission, caller: Caller, services: Services, problems: Problems | None = None) -> None:
    """Submission set and patient: every independent problem is gathered (raised at once without ``problems``)."""
    ss = sub.submission_set
    if ss is None:
        raise RegistryFailure(META, "Aucun lot de soumission (RegistryPackage classé SubmissionSet).")
    if not sub.entries:
        raise RegistryFailure(META, "Le lot ne contient aucune fiche document (ExtrinsicObject).")
    local = problems or Problems()
    for name, value in (("uniqueId", ss.unique_id), ("sourceId", ss.source_id), ("submissionTime", ss.submission_time),
                        ("patientId", ss.patient_id)):
        if not value:
            local.add(META, f"Lot de soumission : {name} obligatoire.", ss.entry_uuid)
    local.run(_check_content_type, ss, services)
    if not ss.authors or not ss.authors[0].person:
        local.add(META, "Lot de soumission : author/authorPerson obligatoire.", ss.entry_uuid)
    if ss.patient_id:
        local.run(_check_patient, ss, caller, services)
    for e in sub.entries:
        if e.patient_id != ss.patient_id:
            local.add("XDSPatientIdDoesNotMatch", f"Fiche {e.unique_id or e.entry_uuid} : patientId "
                      f"{e.patient_id!r} différent de celui du lot {ss.patient_id!r}.", e.entry_uuid)
    if problems is None:
        local.raise_if_any()


def _check_content_type(ss: Any, services: Services) -> None:
    if ss.content_type is None or not services.vs["content_type_code"].contains(ss.content_type.code, ss.content_type.scheme):
        got = ss.content_type.key if ss.content_type else "absent"
        raise RegistryFailure(META, f"Lot de soumission : contentTypeCode {got} hors JDV_J59_ContentTypeCode_DMP.",
                              location=ss.entry_uuid)


def _check_patient(ss: Any, caller: Caller, services: Services) -> None:
    ins, _ = _check_patient_cx(ss.patient_id, "patientId du lot", services)
    if ins != caller.ins:
        raise RegistryFailure(services.error_code("vihf_patient_mismatch"),
                              f"patientId du lot ({ins}) différent de l'INS du VIHF (resource-id {caller.ins}).",
                              location=ss.entry_uuid)


def check_entry_metadata(e: DocumentEntry, services: Services) -> None:
    loc = e.unique_id or e.entry_uuid
    required = {"uniqueId": e.unique_id, "mimeType": e.mime_type, "creationTime": e.creation_time,
                "languageCode": e.language, "sourcePatientId": e.source_patient_id}
    if not e.is_signature:
        required["serviceStartTime"] = e.service_start
    for name, value in required.items():
        if not value:
            raise RegistryFailure(META, f"Fiche {loc} : {name} obligatoire.", location=loc)
    if not e.authors:
        raise RegistryFailure(META, f"Fiche {loc} : au moins un auteur (author) est obligatoire.", location=loc)
    for attr, label in _ENTRY_CODES.items():
        code = getattr(e, attr)
        key = {"facility_code": "healthcare_facility_type_code", "practice_code": "practice_setting_code"}.get(attr, attr)
        vs = services.vs[key]
        if code is None:
            raise RegistryFailure(META, f"Fiche {loc} : {label} obligatoire ({vs.name}).", location=loc)
        if not vs.contains(code.code, code.scheme):
            raise RegistryFailure(META, f"Fiche {loc} : {label} {code.code}^{code.scheme} hors du jeu de valeurs "
                                  f"{vs.name} ({vs.oid}).", location=loc)
    if not e.confidentiality:
        raise RegistryFailure(META, f"Fiche {loc} : confidentialityCode obligatoire.", location=loc)
    conf_vs = services.vs["confidentiality_code"]
    for code in e.confidentiality:
        if not conf_vs.contains(code.code, code.scheme):
            raise RegistryFailure(META, f"Fiche {loc} : confidentialityCode {code.code}^{code.scheme} hors "
                                  f"{conf_vs.name} ({conf_vs.oid}).", location=loc)


def check_content(e: DocumentEntry, data: bytes | None, caller: Caller, services: Services) -> None:
    loc = e.unique_id or e.entry_uuid
    if data is None:
        raise RegistryFailure("XDSMissingDocument", f"Fiche {loc} : aucun document (xdsb:Document) ne lui correspond.",
                              location=loc)
    digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    if e.hash and e.hash.lower() != digest:
        raise RegistryFailure("XDSNonIdenticalHash", f"Fiche {loc} : hash déclaré {e.hash} ≠ SHA-1 du document "
                              f"{digest}.", location=loc)
    if e.size is not None and e.size != len(data):
        raise RegistryFailure("XDSNonIdenticalSize", f"Fiche {loc} : size déclaré {e.size} ≠ taille reçue "
                              f"{len(data)} octets.", location=loc)
    e.hash, e.size = digest, len(data)
    if e.is_signature or e.mime_type not in ("text/xml", "application/xml", "application/xslt+xml"):
        return
    header = read_cda_header(data)
    if header.patient_ins and header.patient_ins != caller.ins:
        raise RegistryFailure("XDSPatientIdDoesNotMatch", f"Fiche {loc} : INS du recordTarget du CDA "
                              f"({header.patient_ins}) différent du patientId ({caller.ins}).", location=loc)
    if not services.options.validate_cda:
        return
    if header.issues:
        issue = header.issues[0]
        raise RegistryFailure(services.error_code("cda_invalid"), f"Fiche {loc} : CDA non conforme "
                              f"[{issue.code}] {issue.message}", location=loc)
    if header.unique_id != e.unique_id:
        raise RegistryFailure(META, f"Fiche {loc} : uniqueId différent de ClinicalDocument/id@root "
                              f"({header.unique_id}).", location=loc)
    if e.type_code is not None and header.type_code != e.type_code.code:
        raise RegistryFailure(META, f"Fiche {loc} : typeCode {e.type_code.code} différent du code du CDA "
                              f"({header.type_code}).", location=loc)


def check_signature(sub: Submission, services: Services) -> bool:
    signatures = [e for e in sub.entries if e.is_signature]
    ss = sub.submission_set
    assert ss is not None
    if not signatures:
        if services.options.require_submission_signature:
            raise RegistryFailure(services.error_code("signature_invalid"),
                                  "Lot non signé : fiche de signature XAdES (classCode Digital Signature) absente.")
        return False
    sig = signatures[0]
    if not any(a.type == SIGNS and a.source == sig.entry_uuid and a.target == ss.entry_uuid for a in sub.associations):
        raise RegistryFailure(services.error_code("signature_invalid"), "Association signs (fiche de signature → lot) "
                              "absente.", location=sig.unique_id)
    documents = {e.unique_id: sub.documents.get(e.entry_uuid, b"") for e in sub.entries if not e.is_signature}
    try:
        facts = verify_signature(sub.documents.get(sig.entry_uuid, b""), ss.unique_id, documents)
        if services.trust is not None:
            try:
                check_certificate(services.trust, facts.certificate, datetime.now(UTC),
                                  what="Signature du lot : certificat")
            except VihfError as exc:
                raise SignatureProblem(exc.message) from None
    except SignatureProblem as exc:
        raise RegistryFailure(services.error_code("signature_invalid"), f"Signature XAdES du lot invalide : {exc}",
                              location=sig.unique_id) from None
    return True


def provide_and_register(sub: Submission, caller: Caller, services: Services) -> dict[str, Any]:
    """Validate and register; returns the summary for the journal. Raises RegistryFailure."""
    _resolve_symbolic_ids(sub)
    problems = Problems()
    check_structure(sub, caller, services, problems)
    if any("patientId" in err.context for err in problems.errors):
        problems.raise_if_any()  # whose DMP it is must hold before its access rules can be applied
    decision = services.policy.check_feed(caller.dossier, sub.entries, caller.actor)
    if not decision.allowed:
        raise services.refuse(decision)
    docs_ids = {e.entry_uuid for e in sub.entries}
    extra = set(sub.documents) - docs_ids
    if extra:
        problems.add("XDSMissingDocumentMetadata", f"Document(s) sans fiche : {', '.join(sorted(extra))}.")
    uids = [e.unique_id for e in sub.entries]
    if len(set(uids)) != len(uids):
        problems.add("XDSDuplicateUniqueIdInRegistry", "uniqueId en double dans le lot.")
    for e in sub.entries:
        before = len(problems.errors)
        problems.run(check_entry_metadata, e, services)
        if len(problems.errors) == before:  # content is compared with metadata that must first be whole
            problems.run(check_content, e, sub.documents.get(e.entry_uuid), caller, services)
    problems.raise_if_any()
    signed = check_signature(sub, services)
    ss = sub.submission_set
    assert ss is not None
    for e in sub.entries:
        if not any(a.type == HAS_MEMBER and a.source == ss.entry_uuid and a.target == e.entry_uuid for a in sub.associations):
            raise RegistryFailure(META, f"Fiche {e.unique_id} : association HasMember depuis le lot absente.",
                                  location=e.unique_id)
    if any(a.type == RPLC for a in sub.associations):  # a duplicate is reported before a bad replacement
        _refuse_duplicate(services.store.existing_unique_id(caller.session, uids))
    deprecate, replaced = _replacements(sub, caller, services)
    for e in sub.entries:
        e.status, e.version, e.lid = APPROVED, 1, e.entry_uuid
        e.repository_uid = services.options.repository_uid
    for a in sub.associations:
        a.status = APPROVED
    try:
        services.store.register(caller.session, ss, sub.entries, sub.associations,
                                [(e, sub.documents[e.entry_uuid]) for e in sub.entries], deprecate=deprecate,
                                access=[caller.access("alimentation", "autorise", document=e.unique_id)
                                        for e in sub.entries if not e.is_signature])
    except DuplicateUniqueId:  # the registry's own key found it: which uniqueId, read only now
        _refuse_duplicate(services.store.existing_unique_id(caller.session, uids))
        raise RegistryFailure("XDSDuplicateUniqueIdInRegistry", "uniqueId déjà présent dans le DMP (soumission "
                              "concurrente).") from None
    content = [e for e in sub.entries if not e.is_signature]
    return {"documents": [{"uniqueId": e.unique_id, "typeCode": e.type_code.code if e.type_code else "",
                           "title": e.title, "confidentiality": [c.code for c in e.confidentiality],
                           "never_dmp": services.vs.is_never_dmp(e.type_code.code if e.type_code else "", e.title)}
                          for e in content],
            "submission_set": ss.unique_id, "signed": signed, "replaced": replaced}


def _refuse_duplicate(existing: str | None) -> None:
    if existing is not None:
        raise RegistryFailure("XDSDuplicateUniqueIdInRegistry", f"uniqueId {existing} déjà présent dans "
                              "le DMP : utiliser un remplacement (RPLC) ou un nouvel identifiant.",
                              location=existing)


def _replacements(sub: Submission, caller: Caller, services: Services) -> tuple[list[str], list[str]]:
    deprecate, replaced = [], []
    for a in sub.associations:
        if a.type != RPLC:
            continue
        targets = services.store.entries_by(caller.session, uuids=[a.target])
        if not targets:
            raise RegistryFailure("XDSRegistryError", f"Remplacement : fiche cible {a.target} inconnue (entryUUID "
                                  "attendu, obtenu par TD3.1b).", location=a.target)
        target = targets[0]
        if target.status != APPROVED:
            raise RegistryFailure("XDSRegistryError", f"Remplacement : la fiche {a.target} n'est pas au statut "
                                  "Approved.", location=a.target)
        if target.patient_ins != caller.ins:
            raise RegistryFailure("XDSPatientIdDoesNotMatch", "Remplacement d'une fiche d'un autre patient.",
                                  location=a.target)
        deprecate.append(target.entry_uuid)
        replaced.append(target.unique_id)
    return deprecate, replaced


def signs_association(signature_entry: str, submission_set: str) -> Association:
    return Association(_new_uuid(), SIGNS, signature_entry, submission_set)
