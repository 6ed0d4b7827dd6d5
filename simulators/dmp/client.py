"""Reference DMP connector of a DUI: what a well-behaved LPS sends (VIHF signed with the SIGN
certificate, mutual TLS with AUTH_CLI, WS-Addressing with mustUnderstand Action, MTOM for ITI-41 and
ITI-43, signed submission sets, RPLC for replacements, first search limited to two years).

Used by the tests, the benchmark and the reference DUI driver of the conformance runner.
"""

from __future__ import annotations

import base64
import dataclasses
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC
from typing import Any
from collections.abc import Callable

import requests
from lxml import etree

from simulators.core.errors import BenchError
from simulators.codecs.mtom import build_mtom, split_soap_request
from simulators.codecs.soap import SOAP12_NS, Addressing, build_envelope, parse_envelope, parse_fault, soap12_content_type
from simulators.dmp.cda import CdaSpec, build_cda, new_oid
from simulators.dmp.codec import habilitations as hab
from simulators.dmp.codec import hl7v3, xds
from simulators.codecs.ebrim import submit_objects_request
from simulators.dmp.metadata import Person, Structure, assemble, document_entry, ins_cx, submission_set, xds_author
from simulators.dmp.model import (
    BASE_PATH, APPROVED, HAS_MEMBER, UPDATE_STATUS, VISIBILITY_SYSTEM, Association, Code, DocumentEntry, Submission, SubmissionSet,
)
from simulators.dmp.vihf import Role, VihfClaims, build_vihf, security_header


class DmpFault(BenchError):
    """The DMP answered with a SOAP Fault."""

    def __init__(self, reason: str, code: str, subcodes: list[Any], status: int) -> None:
        super().__init__(reason)
        self.reason, self.code, self.subcodes, self.status = reason, code, subcodes, status


@dataclass
class DmpIdentity:
    """The DUI's structure, user and certificates."""

    structure: Structure
    person: Person
    sign_cert: Any  # x509.Certificate
    sign_key: Any
    tls_cert: tuple[str, str] | None = None  # (chain file, key file)
    lps_name: str = "DUI-SOCLE-BENCH"
    lps_version: str = "1.0"
    lps_homologation: str = "HOMOLOGATION-TEST-0001"
    auth_mode: str = "INDIRECTE"
    second_role: Role | None = None
    nameid: str = ""


@dataclass
class FeedResult:
    status: str
    errors: list[xds.RegistryErrorItem]
    submission: Submission

    @property
    def ok(self) -> bool:
        return self.status == xds.SUCCESS


@dataclass
class DmpClient:
    base_url: str  # e.g. https://localhost:8444/si-dmp-server/v2/services (what the bench prints)
    identity: DmpIdentity
    verify: str | bool = True
    session: str | None = None
    timeout: float = 30.0
    vihf_validity: timedelta = timedelta(hours=1)
    http: requests.Session = field(default_factory=requests.Session)
    _vihf_cache: dict[tuple[Any, ...], tuple[float, etree._Element]] = field(default_factory=dict)
    # Wire hook for seeded defects (tests/conformance/defects): (body, content type) -> what is really sent.
    # None for any real use; the conformance engine's tests use it to write a vendor's mistake on the wire.
    tamper: Callable[[bytes, str], tuple[bytes, str]] | None = None

    def endpoint(self, name: str) -> str:
        root, _, _ = self.base_url.partition(BASE_PATH)
        prefix = f"/s/{self.session}" if self.session else ""
        return f"{root.rstrip('/')}{prefix}{BASE_PATH}/{name}"

    # --- VIHF ------------------------------------------------------------------------------------------
    def vihf(self, ins: str, oid: str, *, purpose: str = "normal", secret: bool = False) -> etree._Element:
        """Signed VIHF, reused while valid (one per patient, mode and secret flag)."""
        key = (ins, oid, purpose, secret)
        cached = self._vihf_cache.get(key)
        if cached and cached[0] > time.time() + 60:
            return cached[1]
        ident = self.identity
        claims = self.claims(ins, oid, purpose=purpose, secret=secret)
        assertion = build_vihf(claims, ident.sign_cert, ident.sign_key, validity=self.vihf_validity)
        self._vihf_cache[key] = (time.time() + self.vihf_validity.total_seconds(), assertion)
        return assertion

    def claims(self, ins: str, oid: str, *, purpose: str = "normal", secret: bool = False) -> VihfClaims:
        """What this DUI's VIHF says (the identity, the patient, the access mode)."""
        ident = self.identity
        roles: tuple[Role, ...] = (Role(ident.person.profession_code, ident.person.profession_system, ident.person.profession_label),)
        if ident.second_role is not None:
            roles += (ident.second_role,)
        return VihfClaims(structure_id=ident.structure.structure_id, activity_sector=ident.structure.sector,
                          subject_name=f"{ident.person.family} {ident.person.given}", roles=roles, patient_ins=ins,
                          patient_oid=oid, purpose_of_use=purpose, auth_mode=ident.auth_mode,
                          lps_name=ident.lps_name, lps_version=ident.lps_version,
                          lps_homologation=ident.lps_homologation, secret_connection=secret,
                          subject_nameid=ident.nameid)

    # --- transport -------------------------------------------------------------------------------------
    def call(self, endpoint: str, action: str, payload: etree._Element, ins: str, oid: str, *,
             attachments: list[tuple[str, str, bytes]] | None = None, mtom: bool = False, purpose: str = "normal",
             secret: bool = False, assertion: etree._Element | None = None) -> tuple[etree._Element, dict[str, Any]]:
        url = self.endpoint(endpoint)
        header = security_header(assertion if assertion is not None else self.vihf(ins, oid, purpose=purpose, secret=secret))
        addressing = Addressing(action=action, message_id=f"urn:uuid:{uuid.uuid4()}", to=url, must_understand=True)
        envelope = build_envelope(payload, headers=[header], addressing=addressing, wsa_prefix=None)
        if mtom or attachments:
            body, content_type = build_mtom(envelope, attachments or [], action=action)
        else:
            body, content_type = envelope, soap12_content_type(action)
        if self.tamper is not None:
            body, content_type = self.tamper(body, content_type)
        response = self.http.post(url, data=body, headers={"Content-Type": content_type}, timeout=self.timeout,
                                  verify=self.verify, cert=self.identity.tls_cert)
        return self.read(response.content, response.headers.get("Content-Type", ""), response.status_code)

    @staticmethod
    def read(body: bytes, content_type: str, status: int) -> tuple[etree._Element, dict[str, Any]]:
        root, parts = split_soap_request(body, content_type)
        env = parse_envelope(root, content_type)
        if env.payload is not None and env.payload.tag == f"{{{SOAP12_NS}}}Fault":
            fault = parse_fault(root, content_type)
            raise DmpFault(fault.reason, fault.code, list(fault.subcodes), status)
        assert env.payload is not None
        return env.payload, parts

    # --- patient transactions ---------------------------------------------------------------------------
    def test_existence(self, ins: str, oid: str, reason: str = "TEST_EXST") -> hl7v3.PatientResponse:
        payload = hl7v3.build_patient_request(hl7v3.PatientRequest(hl7v3.QUERY, reason, ins, oid))
        resp, _ = self.call("patients", f"urn:hl7-org:v3:{hl7v3.QUERY}", payload, ins, oid)
        return hl7v3.parse_patient_response(resp)

    def find_patients(self, *, family: str, given: str = "", birth_date: str = "", gender: str = "",
                      context: tuple[str, str]) -> list[hl7v3.FoundPatient]:
        """TD0.5 (patients without INS): `context` is the (INS, OID) the VIHF names, as the DMP requires one."""
        payload = hl7v3.build_patient_request(hl7v3.PatientRequest(hl7v3.FIND, "", "", "", family=family, given=given,
                                                                   birth_date=birth_date, gender=gender))
        resp, _ = self.call("patients", f"urn:hl7-org:v3:{hl7v3.FIND}", payload, *context)
        return hl7v3.parse_find_response(resp)

    def patient_message(self, request: hl7v3.PatientRequest) -> hl7v3.PatientResponse:
        payload = hl7v3.build_patient_request(request)
        resp, _ = self.call("patients", f"urn:hl7-org:v3:{request.interaction}", payload, request.ins, request.oid)
        return hl7v3.parse_patient_response(resp)

    def create_dmp(self, ins: str, oid: str, *, family: str, given: str, gender: str, birth_date: str,
                   representatives: list[hl7v3.Representative] | None = None, consent: bool = True,
                   oppose_break_glass: bool = False, oppose_emergency: bool = False) -> hl7v3.PatientResponse:
        obs = {"OPPOSITION_BRIS_DE_GLACE": str(oppose_break_glass).lower(),
               "OPPOSITION_ACCES_URGENCE": str(oppose_emergency).lower()}
        if consent:
            obs["CONSENTEMENT_OUVERTURE_DMP"] = "true"
        return self.patient_message(hl7v3.PatientRequest(
            hl7v3.CREATE, "CREA_RD", ins, oid, family=family, given=given, gender=gender, birth_date=birth_date,
            observations=obs, representatives=list(representatives or [])))

    def close_dmp(self, ins: str, oid: str, reason: str = "FERMETURE_DEMANDE_PATIENT") -> hl7v3.PatientResponse:
        return self.patient_message(hl7v3.PatientRequest(hl7v3.REVISE, "FERM", ins, oid, status="terminated",
                                                         closing_reason=reason))

    def reactivate_dmp(self, ins: str, oid: str) -> hl7v3.PatientResponse:
        return self.patient_message(hl7v3.PatientRequest(hl7v3.REVISE, "REAC", ins, oid,
                                                         observations={"CONSENTEMENT_REACTIVATION_DMP": "true"}))

    def set_authorization(self, ins: str, oid: str, action: str = "AJOUT", role: str = "") -> dict[str, Any]:
        payload = hab.build_request(hab.HabilitationRequest(hab.SET, action=action, role=role))
        resp, _ = self.call("habilitations", hab.ACTION_PREFIX + hab.SET, payload, ins, oid)
        return hab.parse_response(resp)

    def list_authorizations(self, ins: str, oid: str) -> dict[str, Any]:
        payload = hab.build_request(hab.HabilitationRequest(hab.LIST, mode="TOUTE"))
        resp, _ = self.call("habilitations", hab.ACTION_PREFIX + hab.LIST, payload, ins, oid)
        return hab.parse_response(resp)

    # --- XDS --------------------------------------------------------------------------------------------
    def prepare(self, specs: list[tuple[CdaSpec, tuple[str, ...]]], *, replaces: dict[str, str] | None = None,
                sign: bool = True) -> Submission:
        """Submission for documents of one patient; `replaces` maps a new uniqueId to the replaced entryUUID."""
        author = xds_author(self.identity.person, self.identity.structure)
        patient = specs[0][0].patient
        ss = submission_set(ins_cx(patient.ins, patient.ins_oid), author,
                            content_type=(self.identity.structure.sector, "1.2.250.1.71.4.2.4"))
        docs = []
        links = {}
        for spec, visibility in specs:
            # one id for the CDA's ClinicalDocument/id and the entry's uniqueId
            doc_spec = spec if spec.unique_id else dataclasses.replace(spec, unique_id=new_oid())
            data = build_cda(doc_spec)
            uid = doc_spec.unique_id
            entry = document_entry(doc_spec, data, author, unique_id=uid, visibility=visibility)
            docs.append((entry, data))
            if replaces and uid in replaces:
                links[entry.entry_uuid] = replaces[uid]
        return assemble(ss, docs, replaces=links,
                        signer=(self.identity.sign_cert, self.identity.sign_key) if sign else None)

    def provide_and_register(self, sub: Submission, *, secret: bool = False, mtom: bool = True) -> FeedResult:
        """ITI-41. ``mtom=False`` sends the documents base64-encoded inside the SOAP envelope, as a DUI that
        ignores MTOM/XOP would (dmp@12): only the conformance engine's seeded-defect tests ask for it."""
        assert sub.submission_set is not None
        ins, _, _, rest, _ = sub.submission_set.patient_id.split("^")
        oid = rest.split("&")[1]
        payload, attachments = xds.provide_and_register_request(sub)
        if not mtom:
            for document, (_cid, _type, data) in zip(payload.iter(f"{{{xds.XDSB}}}Document"), attachments,
                                                 strict=True):
                for child in list(document):
                    document.remove(child)
                document.text = base64.b64encode(data).decode("ascii")
            attachments = []
        resp, _ = self.call("repository", xds.ACTION_ITI41, payload, ins, oid, attachments=attachments, mtom=mtom,
                            secret=secret)
        return FeedResult(resp.get("status", ""), xds.read_errors(resp), sub)

    def feed(self, specs: list[tuple[CdaSpec, tuple[str, ...]]], **kwargs: Any) -> FeedResult:
        secret = kwargs.pop("secret", False)
        return self.provide_and_register(self.prepare(specs, **kwargs), secret=secret)

    def query(self, ins: str, oid: str, query_id: str, params: dict[str, Any], *, return_type: str = "LeafClass",
              purpose: str = "normal") -> xds.QueryResult:
        payload = xds.adhoc_query_request(query_id, params, return_type=return_type)
        resp, _ = self.call("registry", xds.ACTION_ITI18, payload, ins, oid, purpose=purpose)
        return xds.parse_adhoc_query_response(resp)

    def find_documents(self, ins: str, oid: str, *, statuses: tuple[str, ...] = (APPROVED,),
                       since: datetime | None = None, purpose: str = "normal", return_type: str = "LeafClass",
                       extra: dict[str, Any] | None = None) -> xds.QueryResult:
        """First search: two years of serviceStartTime by default (dmp.md §2 client obligations)."""
        since = since or datetime.now(UTC) - timedelta(days=730)
        params: dict[str, Any] = {"$XDSDocumentEntryPatientId": ins_cx(ins, oid),
                                  "$XDSDocumentEntryStatus": list(statuses),
                                  "$XDSDocumentEntryServiceStartTimeFrom": since.strftime("%Y%m%d%H%M%S")}
        params.update(extra or {})
        return self.query(ins, oid, xds.FIND_DOCUMENTS, params, return_type=return_type, purpose=purpose)

    def find_submission_sets(self, ins: str, oid: str, since: datetime) -> xds.QueryResult:
        return self.query(ins, oid, xds.FIND_SUBMISSION_SETS, {
            "$XDSSubmissionSetPatientId": ins_cx(ins, oid), "$XDSSubmissionSetStatus": [APPROVED],
            "$XDSSubmissionSetSubmissionTimeFrom": since.strftime("%Y%m%d%H%M%S")})

    def get_associations(self, ins: str, oid: str, uuids: list[str]) -> xds.QueryResult:
        return self.query(ins, oid, xds.GET_ASSOCIATIONS, {"$uuid": uuids})

    def get_documents(self, ins: str, oid: str, *, uuids: list[str] | None = None, unique_ids: list[str] | None = None,
                      return_type: str = "LeafClass") -> xds.QueryResult:
        params: dict[str, Any] = {}
        if uuids:
            params["$XDSDocumentEntryEntryUUID"] = uuids
        if unique_ids:
            params["$XDSDocumentEntryUniqueId"] = unique_ids
        return self.query(ins, oid, xds.GET_DOCUMENTS, params, return_type=return_type)

    def new_documents_since(self, ins: str, oid: str, since: datetime) -> list[DocumentEntry]:
        """FindSubmissionSets since the last connection, then GetAssociations, then GetDocuments."""
        sets = self.find_submission_sets(ins, oid, since).submission_sets
        if not sets:
            return []
        assocs = self.get_associations(ins, oid, [s.entry_uuid for s in sets]).associations
        members = [a.target for a in assocs if a.type == HAS_MEMBER]
        entries = self.get_documents(ins, oid, uuids=members).entries if members else []
        return [e for e in entries if not e.is_signature]

    def retrieve(self, ins: str, oid: str, unique_ids: list[str], *, repository_uid: str,
                 purpose: str = "normal") -> tuple[list[xds.RetrievedDocument], list[xds.RegistryErrorItem]]:
        payload = xds.retrieve_request([xds.DocumentRequest(repository_uid, uid) for uid in unique_ids])
        resp, parts = self.call("repository", xds.ACTION_ITI43, payload, ins, oid, mtom=True, purpose=purpose)
        return xds.parse_retrieve_response(resp, parts)

    def update(self, ins: str, oid: str, sub: Submission) -> tuple[str, list[xds.RegistryErrorItem]]:
        resp, _ = self.call("registry", xds.ACTION_ITI57, submit_objects_request(sub), ins, oid)
        return resp.get("status", ""), xds.read_errors(resp)

    def _update_set(self, entry: DocumentEntry) -> SubmissionSet:
        author = xds_author(self.identity.person, self.identity.structure)
        return submission_set(entry.patient_id, author, content_type=(self.identity.structure.sector,
                                                                      "1.2.250.1.71.4.2.4"))

    def set_visibility(self, entry: DocumentEntry, visibility: tuple[str, ...]) -> tuple[str, list[xds.RegistryErrorItem]]:
        """TD3.3a/b: new metadata version with the visibility codes given (after the user confirmed)."""
        ss = self._update_set(entry)
        base = [c for c in entry.confidentiality if c.scheme != VISIBILITY_SYSTEM]
        new = DocumentEntry(**{**entry.__dict__, "entry_uuid": f"urn:uuid:{uuid.uuid4()}",
                               "confidentiality": base + [Code(v, VISIBILITY_SYSTEM, v) for v in visibility]})
        sub = Submission(ss, [new], [Association(f"urn:uuid:{uuid.uuid4()}", HAS_MEMBER, ss.entry_uuid, new.entry_uuid,
                                                 {"SubmissionSetStatus": ["Original"],
                                                  "PreviousVersion": [str(entry.version)]})])
        return self.update(entry.patient_ins, entry.patient_id.split("&")[1], sub)

    def set_status(self, entry: DocumentEntry, new_status: str) -> tuple[str, list[xds.RegistryErrorItem]]:
        """TD3.3c/d: archive, unarchive or delete (author only)."""
        ss = self._update_set(entry)
        sub = Submission(ss, [], [Association(f"urn:uuid:{uuid.uuid4()}", UPDATE_STATUS, ss.entry_uuid, entry.entry_uuid,
                                              {"OriginalStatus": [entry.status], "NewStatus": [new_status]})])
        return self.update(entry.patient_ins, entry.patient_id.split("&")[1], sub)
