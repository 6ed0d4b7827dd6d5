"""``dmp@`` checks: what a DUI's DMP connector must do, judged from recorded exchanges.

Requests are read back with the DMP codecs (MTOM split, SOAP 1.2 envelope, VIHF attributes, ebRIM
submission, CDA header), never from the simulator's summary, so a journal recorded elsewhere is
judged the same way. Parsing is memoised per exchange id (`read`).

The DMP check set is split by responsibility: this module holds the reading of an exchange, shared by
the others, and the checks of what a DUI feeds (ITI-41 content, replacement); `checks_dmp_vihf` the
SOAP envelope and VIHF checks; `checks_dmp_session` the consultation and search habits of a session.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

from lxml import etree

from simulators.codecs.ebrim import parse_submit_objects
from simulators.codecs.mtom import split_soap_request
from simulators.codecs.soap import SoapEnvelope, parse_content_type, parse_envelope
from simulators.codecs.xmlsafe import parse_xml, to_bytes
from simulators.core.errors import ProtocolError
from simulators.core.exchange import Exchange
from simulators.dmp.cda import KINDS, read_cda_header
from simulators.dmp.codec import xds
from simulators.dmp.memo import BoundedMemo
from simulators.dmp.model import INVISIBLE_PATIENT, INVISIBLE_REPS, MASQUE_PS, RPLC, SIGNS, Submission
from simulators.dmp.valuesets import load_valuesets
from simulators.dmp.vihf import WSSE_NS, Vihf, VihfError, find_assertion, parse_vihf
from simulators.dmp.xades import SignatureProblem, verify_signature

from conformance.checks import LIVE, SESSION, Check, Finding, expect_true, skip
from conformance.outcomes import Outcome

DMP_OPS = ("TD0.2", "TD0.5", "TD1.1", "TD1.x", "TD0.3", "TD0.3-list", "ITI-18", "ITI-41", "ITI-43", "ITI-57")


# --- reading an exchange (shared by the DMP check modules) ------------------------------------------
@dataclass
class Reading:
    envelope: SoapEnvelope | None = None
    attachments: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    vihf: Vihf | None = None
    vihf_error: VihfError | None = None
    assertion: etree._Element | None = None
    assertion_bytes: bytes = b""  # the assertion serialised (what its signature and its reading are judged on)
    submission: Submission | None = None
    response_body: bytes = b""
    response_type: str = ""

    @cached_property
    def response(self) -> etree._Element | None:
        """The response payload, parsed when a check first asks (most checks judge the request only)."""
        try:
            body, _ = split_soap_request(self.response_body, self.response_type)
            return parse_envelope(body, self.response_type).payload
        except ProtocolError:
            return None


_CACHE: OrderedDict[str, Reading] = OrderedDict()
_VIHFS: BoundedMemo[Vihf] = BoundedMemo(256)  # a DUI replays one VIHF: read once per exact bytes (read-only)


def content_type_of(headers: dict[str, str]) -> str:
    return next((v for k, v in headers.items() if k.lower() == "content-type"), "")


def read(exchange: Exchange) -> Reading:
    """The request as the simulator read it (`Exchange.decoded`, live checks) or parsed from the record
    (an exchange read back from a journal): the same verdicts either way (tests/dmp/test_parse_once.py)."""
    cached = _CACHE.get(exchange.id)
    if cached is not None:
        return cached
    r = Reading(response_body=exchange.response_body, response_type=content_type_of(exchange.response_headers))
    decoded = exchange.decoded.get(xds.DECODED_REQUEST)
    if decoded is not None:
        r.envelope, r.attachments = decoded
    else:
        try:
            root, r.attachments = split_soap_request(exchange.request_body, content_type_of(exchange.request_headers))
            r.envelope = parse_envelope(root, content_type_of(exchange.request_headers))
        except ProtocolError as exc:
            r.error = exc.message
    if r.envelope is not None:
        try:
            r.assertion = find_assertion(r.envelope.find_header((WSSE_NS, "Security")))
            r.assertion_bytes = to_bytes(r.assertion)
            r.vihf = _VIHFS.get(r.assertion_bytes, partial(parse_vihf, r.assertion, load_valuesets()))
        except VihfError as exc:
            r.vihf_error = exc
        payload = r.envelope.payload
        try:
            if exchange.operation == "ITI-41" and payload is not None:
                r.submission = (exchange.decoded.get(xds.DECODED_SUBMISSION)
                                or xds.parse_provide_and_register(payload, r.attachments))
            elif exchange.operation == "ITI-57" and payload is not None:
                r.submission = parse_submit_objects(payload)
        except ProtocolError:
            r.submission = None
    _CACHE[exchange.id] = r
    while len(_CACHE) > 512:
        _CACHE.popitem(last=False)
    return r


def require_envelope(exchange: Exchange) -> Reading:
    r = read(exchange)
    if r.envelope is None:
        skip(f"requête illisible ({r.error}) : jugée par dmp@1")
    return r


def require_vihf(exchange: Exchange) -> Vihf:
    r = require_envelope(exchange)
    if r.vihf is None:
        skip("VIHF absent ou non conforme : jugé par dmp@2")
    return r.vihf


def require_submission(exchange: Exchange) -> Submission:
    r = require_envelope(exchange)
    if r.submission is None or r.submission.submission_set is None:
        skip("soumission illisible ou sans lot : rien à juger ici")
    return r.submission


def dmp_exchanges(exchanges: Sequence[Exchange], *ops: str) -> list[Exchange]:
    return sorted((e for e in exchanges if e.service == "dmp" and e.operation in ops), key=lambda e: e.started_at)


# --- ITI-41 content --------------------------------------------------------------------------------
def patient_consistency(exchange: Exchange) -> str:
    sub = require_submission(exchange)
    ss = sub.submission_set
    assert ss is not None
    for e in sub.entries:
        expect_true(e.patient_id == ss.patient_id, f"attendu le patientId du lot {ss.patient_id!r} dans la fiche "
                    f"{e.unique_id}, obtenu {e.patient_id!r}", exchanges=[exchange], evidence=[e.patient_id])
        data = sub.documents.get(e.entry_uuid)
        if data and not e.is_signature and e.mime_type == "text/xml":
            header = read_cda_header(data)
            expect_true(header.patient_ins in ("", ss.patient_id.split("^")[0]),
                        f"attendu l'INS {ss.patient_id.split('^')[0]} dans le recordTarget du CDA {e.unique_id}, "
                        f"obtenu {header.patient_ins}", exchanges=[exchange])
    return f"patient {ss.patient_id.split('^')[0]} cohérent"


def metadata_valuesets(exchange: Exchange) -> str:
    sub = require_submission(exchange)
    vs = load_valuesets()
    keys = {"class_code": "class_code", "type_code": "type_code", "format_code": "format_code",
            "facility_code": "healthcare_facility_type_code", "practice_code": "practice_setting_code"}
    for e in sub.entries:
        for attr, key in keys.items():
            code = getattr(e, attr)
            expect_true(code is not None and vs[key].contains(code.code, code.scheme),
                        f"attendu un {attr} de {vs[key].name}, obtenu {code.key if code else 'aucun'} (fiche {e.unique_id})",
                        exchanges=[exchange], evidence=[code.code] if code else [])
        for code in e.confidentiality:
            expect_true(vs["confidentiality_code"].contains(code.code, code.scheme),
                        f"attendu un confidentialityCode de JDV_J58, obtenu {code.key}", exchanges=[exchange])
        if not e.is_signature and e.type_code is not None and e.class_code is not None:
            expected = _CLASS_OF_TYPE.get(e.type_code.key)
            expect_true(expected is None or e.class_code.code in expected,
                        f"attendu pour le typeCode {e.type_code.key} la classe {' ou '.join(sorted(expected or ()))}, "
                        f"obtenu classCode {e.class_code.code} (fiche {e.unique_id})", exchanges=[exchange],
                        evidence=[e.class_code.code])
    return f"{len(sub.entries)} fiche(s) codée(s) selon les JDV du DMP"


def _class_of_type() -> dict[str, frozenset[str]]:
    """typeCode -> the classCode(s) it goes with (the DMP's document kinds): codes are judged as a pair."""
    pairs: dict[str, set[str]] = defaultdict(set)
    for kind in KINDS.values():
        pairs[f"{kind.type_code}^{kind.type_system}"].add(kind.class_code)
    return {k: frozenset(v) for k, v in pairs.items()}


_CLASS_OF_TYPE = _class_of_type()


def hash_size_unique(exchange: Exchange) -> str:
    sub = require_submission(exchange)
    for e in sub.entries:
        data = sub.documents.get(e.entry_uuid, b"")
        if e.hash:
            expect_true(e.hash.lower() == hashlib.sha1(data, usedforsecurity=False).hexdigest(), f"attendu hash = SHA-1 du document "
                        f"{e.unique_id}, obtenu {e.hash}", exchanges=[exchange], evidence=[e.hash])
        if e.size is not None:
            expect_true(e.size == len(data), f"attendu size {len(data)}, obtenu {e.size} ({e.unique_id})",
                        exchanges=[exchange])
    codes = [x.code for x in xds.read_errors(read(exchange).response)] if read(exchange).response is not None else []
    expect_true("XDSDuplicateUniqueIdInRegistry" not in codes, "attendu un uniqueId nouveau, obtenu un uniqueId déjà "
                "présent dans le DMP (XDSDuplicateUniqueIdInRegistry)", exchanges=[exchange])
    return "hash, taille et uniqueId corrects"


def signed_lot(exchange: Exchange) -> str:
    sub = require_submission(exchange)
    ss = sub.submission_set
    assert ss is not None
    sigs = [e for e in sub.entries if e.is_signature]
    expect_true(bool(sigs), "attendu une fiche de signature XAdES du lot, obtenu aucune", exchanges=[exchange])
    expect_true(any(a.type == SIGNS and a.source == sigs[0].entry_uuid and a.target == ss.entry_uuid
                    for a in sub.associations), "attendu une association signs (signature → lot), obtenu aucune",
                exchanges=[exchange])
    docs = {e.unique_id: sub.documents.get(e.entry_uuid, b"") for e in sub.entries if not e.is_signature}
    try:
        verify_signature(sub.documents.get(sigs[0].entry_uuid, b""), ss.unique_id, docs)
    except SignatureProblem as exc:
        expect_true(False, f"attendu une signature XAdES valide, obtenu : {exc}", exchanges=[exchange])
    return "lot signé"


def visibility_rules(exchange: Exchange) -> str:
    sub = require_submission(exchange)
    for e in sub.entries:
        if e.is_signature:
            continue
        flags = e.visibility
        expect_true(not (MASQUE_PS in flags and INVISIBLE_PATIENT in flags),
                    f"attendu pas de cumul MASQUE_PS + INVISIBLE_PATIENT, obtenu les deux sur {e.unique_id}",
                    exchanges=[exchange])
    return "pas de cumul de masquage"


def secret_connection(exchange: Exchange) -> str:
    vihf = require_vihf(exchange)
    if not vihf.secret_connection:
        skip("pas de connexion secrète")
    sub = require_submission(exchange)
    for e in sub.entries:
        if not e.is_signature:
            expect_true(INVISIBLE_REPS in e.visibility, f"attendu INVISIBLE_REPRESENTANTS_LEGAUX en connexion secrète, "
                        f"obtenu {sorted(e.visibility) or 'aucun'} sur {e.unique_id}", exchanges=[exchange])
    return "documents invisibles aux représentants légaux"


def _secret_connection_asked(exchange: Exchange) -> bool:
    vihf = read(exchange).vihf
    return vihf is not None and vihf.secret_connection


def mtom_used(exchange: Exchange) -> str:
    media, params = parse_content_type(content_type_of(exchange.request_headers))
    expect_true(media == "multipart/related" and params.get("type", "").lower() == "application/xop+xml",
                f"attendu multipart/related; type=\"application/xop+xml\", obtenu {media} {params.get('type', '')}",
                exchanges=[exchange])
    return "MTOM/XOP"


def never_to_dmp(exchange: Exchange) -> str:
    sub = require_submission(exchange)
    vs = load_valuesets()
    for e in sub.entries:
        code = e.type_code.code if e.type_code else ""
        expect_true(not vs.is_never_dmp(code, e.title), f"attendu aucun document réservé à la messagerie (PPE, DIPC, "
                    f"rapport éducatif…), obtenu « {e.title} » ({code})", exchanges=[exchange], evidence=[e.title])
    return "aucun document hors DMP"


def cda_header(exchange: Exchange) -> str:
    sub = require_submission(exchange)
    for e in sub.entries:
        data = sub.documents.get(e.entry_uuid)
        if data and not e.is_signature and e.mime_type == "text/xml":
            header = read_cda_header(data)
            expect_true(header.ok, "attendu un en-tête CDA conforme, obtenu : " +
                        "; ".join(f"[{i.code}] {i.message}" for i in header.issues[:3]), exchanges=[exchange])
    return "en-têtes CDA conformes"


# --- replacement (session) ------------------------------------------------------------------------
def replacement_not_duplicate(exchanges: Sequence[Exchange]) -> list[Finding]:
    """A new version of a document (same CDA setId, or relatedDocument) must replace (RPLC)."""
    seen_sets: dict[str, str] = {}
    findings = []
    for ex in dmp_exchanges(exchanges, "ITI-41"):
        r = read(ex)
        sub = r.submission
        if sub is None:
            continue
        rplc = {a.source for a in sub.associations if a.type == RPLC}
        for e in sub.entries:
            data = sub.documents.get(e.entry_uuid)
            if e.is_signature or not data:
                continue
            root_ok = read_cda_header(data)
            try:
                document = parse_xml(data)
                set_id = document.find("{urn:hl7-org:v3}setId")
                key = set_id.get("root", "") if set_id is not None else ""
                number = document.find("{urn:hl7-org:v3}versionNumber")
                version = int(number.get("value", "1")) if number is not None else 1
            except (ProtocolError, ValueError):
                key, version = "", 1
            # three shapes of a new version: a setId already fed, a relatedDocument, a versionNumber above 1
            if ((key and key in seen_sets) or root_ok.replaces or version > 1) and e.entry_uuid not in rplc:
                findings.append(Finding(Outcome.FAIL, f"attendu une association RPLC pour la nouvelle version de "
                                        f"« {e.title} », obtenu un nouveau document sans remplacement", (ex.id,)))
            if key:
                seen_sets[key] = e.unique_id
    if not dmp_exchanges(exchanges, "ITI-41"):
        return [Finding(Outcome.SKIP, "aucun dépôt de document dans la session")]
    return findings or [Finding(Outcome.PASS, "remplacements par RPLC")]


def checks() -> list[Check]:
    feed = ("ITI-41",)
    return [
        Check("dmp.patient-consistency", "dmp", LIVE, ("dmp@7",), patient_consistency,
              "Même INS dans le lot, les fiches et le CDA", operations=feed),
        Check("dmp.metadata-valuesets", "dmp", LIVE, ("dmp@8",), metadata_valuesets, "Métadonnées des JDV du DMP",
              operations=feed),
        Check("dmp.hash-size-unique", "dmp", LIVE, ("dmp@9",), hash_size_unique, "Hash, taille, uniqueId nouveau",
              operations=feed),
        Check("dmp.signed-lot", "dmp", LIVE, ("dmp@10",), signed_lot, "Lot signé (XAdES)", operations=feed),
        Check("dmp.replacement", "dmp", SESSION, ("dmp@11",), replacement_not_duplicate,
              "Remplacement par RPLC plutôt que doublon"),
        Check("dmp.mtom", "dmp", LIVE, ("dmp@12",), mtom_used, "MTOM/XOP pour ITI-41 et ITI-43",
              operations=("ITI-41", "ITI-43")),
        Check("dmp.secret-connection", "dmp", LIVE, ("dmp@13",), secret_connection,
              "Connexion secrète : documents invisibles aux représentants légaux", operations=feed,
              applies=_secret_connection_asked),
        Check("dmp.no-cumul", "dmp", LIVE, ("dmp@14",), visibility_rules, "Pas de cumul MASQUE_PS + INVISIBLE_PATIENT",
              operations=("ITI-41", "ITI-57")),
        Check("dmp.never-to-dmp", "dmp", LIVE, ("dmp@19",), never_to_dmp, "Documents réservés à la messagerie",
              operations=feed),
        Check("dmp.cda-header", "dmp", LIVE, ("dmp@20",), cda_header, "En-tête CDA conforme au CI-SIS", operations=feed),
    ]
