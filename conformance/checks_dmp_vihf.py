"""``dmp@1``-``dmp@6``: the SOAP 1.2 envelope and the VIHF of every DMP request, judged from the record.

The VIHF signature is checked for form and integrity with the certificate it carries (trust in the
PKI is the simulator's business). Exchanges are read through `checks_dmp.read` (memoised).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime, UTC
from functools import lru_cache

from cryptography import x509
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod

from simulators.codecs import saml
from simulators.codecs.saml import DS_NS
from simulators.codecs.saml import norm_dn as _norm_dn
from simulators.core.exchange import Exchange
from simulators.core.pki.profiles import dn_string
from simulators.dmp.vihf import Vihf, VihfError, signer_certificate

from conformance.checks import LIVE, Check, expect_true, skip
from conformance.checks_dmp import DMP_OPS, read, require_envelope, require_vihf


def soap12_addressing(exchange: Exchange) -> str:
    r = read(exchange)
    expect_true(r.envelope is not None, f"attendu une enveloppe SOAP 1.2 lisible, obtenu : {r.error}", exchanges=[exchange])
    a = r.envelope.addressing  # type: ignore[union-attr]
    expect_true((a.message_id or "").startswith("urn:uuid:"),
                f"attendu wsa:MessageID « urn:uuid:… », obtenu {a.message_id!r}", exchanges=[exchange])
    expect_true(bool(a.to), "attendu un en-tête wsa:To (URL du service), obtenu aucun", exchanges=[exchange])
    expect_true(bool(a.action) and a.must_understand,
                f"attendu wsa:Action avec mustUnderstand=\"true\", obtenu {a.action!r} (mustUnderstand={a.must_understand})",
                exchanges=[exchange])
    return f"SOAP 1.2, action {a.action}"


_ATTRIBUTE_REASONS = {"vihf_missing", "vihf_attribute_missing", "vihf_structure", "vihf_version", "vihf_sector",
                      "vihf_role", "vihf_issuer", "vihf_structure_id", "vihf_confidentiality", "vihf_time"}


def vihf_attributes(exchange: Exchange) -> str:
    r = require_envelope(exchange)
    if r.vihf_error is not None and r.vihf_error.reason in _ATTRIBUTE_REASONS:
        expect_true(False, f"attendu un VIHF complet et conforme, obtenu : {r.vihf_error.message}", exchanges=[exchange],
                    evidence=[r.vihf_error.attribute] if r.vihf_error.attribute else [])
    return "attributs VIHF présents"


def _readable_vihf(exchange: Exchange, reasons: tuple[str, ...], expected: str) -> Vihf:
    """The VIHF of the exchange, failing when the simulator refused it for one of `reasons` (the
    attributes this check judges); skipped when unreadable for another reason (judged by dmp@2)."""
    r = require_envelope(exchange)
    if r.vihf_error is not None and r.vihf_error.reason in reasons:
        expect_true(False, f"attendu {expected}, obtenu : {r.vihf_error.message}", exchanges=[exchange])
    if r.vihf is None:
        skip("VIHF illisible : jugé par dmp@2")
    return r.vihf


def vihf_resource(exchange: Exchange) -> str:
    vihf = _readable_vihf(exchange, ("vihf_resource_urn", "vihf_resource_id", "vihf_ins_oid", "vihf_ins"),
                          "Ressource_URN=urn:dmp et un INS valide")
    return f"INS {vihf.patient_ins} ({vihf.patient_oid})"


def vihf_modes(exchange: Exchange) -> str:
    vihf = _readable_vihf(exchange, ("vihf_purpose", "vihf_auth_mode"),
                          "un mode d'accès et d'authentification admis")
    return f"{vihf.purpose_of_use} / {vihf.auth_mode}"


_VERIFIED: OrderedDict[bytes, bool] = OrderedDict()  # sha256 of assertion bytes whose signature verified
_VERIFIED_LOCK = threading.Lock()


def _verify_vihf_signature(raw: bytes, cert: x509.Certificate, at: datetime) -> None:
    """signxml's verification of the assertion's enveloped signature by the certificate it carries, at `at`.

    A DUI replays one signed VIHF on many requests: an assertion whose exact bytes verified once (the
    certificate is read from those bytes, the configuration is fixed) verifies again at any instant
    within the certificate's validity, the one input that changes; elsewhere it is verified again, so
    signxml says why it fails. SamlError when the signature does not hold."""
    key = hashlib.sha256(raw).digest()
    with _VERIFIED_LOCK:
        known = key in _VERIFIED
    if known and cert.not_valid_before_utc <= at <= cert.not_valid_after_utc:
        return
    config = SignatureConfiguration(signature_methods=frozenset(SignatureMethod), digest_algorithms=frozenset(DigestAlgorithm),
                                    ignore_ambiguous_key_info=True, verification_time=at)
    saml.verify_signature(raw, config=config, certificate=cert)
    with _VERIFIED_LOCK:
        _VERIFIED[key] = True
        while len(_VERIFIED) > 1024:
            _VERIFIED.popitem(last=False)


norm_dn = lru_cache(maxsize=1024)(_norm_dn)  # pure, immutable answer; the same DNs on every request


@lru_cache(maxsize=256)
def _subject_dn(cert: x509.Certificate) -> str:
    """The certificate's subject DN (a DUI signs with the same certificate: written once per certificate)."""
    return dn_string(cert.subject)


def vihf_signature(exchange: Exchange) -> str:
    r = require_envelope(exchange)
    if r.assertion is None:
        skip("VIHF absent : jugé par dmp@2")
    assertion = r.assertion
    signature = assertion.find(f"{{{DS_NS}}}Signature")
    expect_true(signature is not None, "attendu une signature XML-DSig enveloppée dans le VIHF, obtenu aucune",
                exchanges=[exchange])
    ref = signature.find(f"{{{DS_NS}}}SignedInfo/{{{DS_NS}}}Reference")
    uri = ref.get("URI", "") if ref is not None else ""
    expect_true(uri == "#" + assertion.get("ID", ""), f"attendu Reference URI=\"#{assertion.get('ID')}\", obtenu {uri!r}",
                exchanges=[exchange], evidence=[uri] if uri else [])
    try:
        cert = signer_certificate(signature)
        _verify_vihf_signature(r.assertion_bytes, cert, datetime.fromtimestamp(exchange.started_at, UTC))
    except saml.SamlError as exc:  # any failure of verification is the DUI's: said in the library's words
        expect_true(False, f"attendu une signature du VIHF valide, obtenu : {exc.cause or exc}", exchanges=[exchange])
    except VihfError as exc:
        expect_true(False, f"attendu une signature du VIHF valide, obtenu : {exc}", exchanges=[exchange])
    issuer = saml.child_text(assertion, "Issuer")
    expect_true(norm_dn(issuer) == norm_dn(_subject_dn(cert)) and "G=" not in issuer.replace("GN=", ""),
                f"attendu Issuer = DN du certificat de signature (forme GN/ST), obtenu {issuer!r}",
                exchanges=[exchange], evidence=[issuer])
    return "VIHF signé (enveloppé, référence #ID)"


def _tls_subject(exchange: Exchange) -> str:
    """The TLS client DN: kept by the simulator on the VIHF caller, or the TLS caller itself when it refused."""
    caller = exchange.caller
    return str(caller.attributes.get("tls_subject") or (caller.subject if caller.kind == "tls" else "") or "")


def _signer_dn(exchange: Exchange) -> str:
    """The DN of the certificate that signed the VIHF, read from the request itself (refused or not)."""
    r = read(exchange)
    if r.assertion is None:
        return ""
    signature = r.assertion.find(f"{{{DS_NS}}}Signature")
    if signature is None:
        return ""
    try:
        return _subject_dn(signer_certificate(signature))
    except Exception:  # noqa: BLE001 - no readable certificate: dmp@5 judges the signature
        return ""


def vihf_tls_dn(exchange: Exchange) -> str:
    vihf = require_vihf(exchange)
    if vihf.auth_mode == "DIRECTE":
        skip("authentification directe : pas de certificat de structure à comparer")
    tls = _tls_subject(exchange)
    if not tls:
        skip("connexion sans certificat TLS client (banc sans TLS) : rien à comparer")
    signer = _signer_dn(exchange) or str(exchange.caller.attributes.get("signataire") or "")
    if not signer:
        skip("VIHF sans certificat de signature lisible : jugé par dmp@5")
    expect_true(norm_dn(tls) == norm_dn(signer), f"attendu le même DN pour TLS et signature, obtenu TLS={tls!r}, "
                f"signature={signer!r}", exchanges=[exchange])
    return "DN TLS = DN de signature"


def checks() -> list[Check]:
    post = lambda e: e.method == "POST" and e.operation in DMP_OPS  # noqa: E731
    return [
        Check("dmp.soap12-addressing", "dmp", LIVE, ("dmp@1",), soap12_addressing,
              "SOAP 1.2 avec WS-Addressing (MessageID, To, Action mustUnderstand)", applies=post),
        Check("dmp.vihf-attributes", "dmp", LIVE, ("dmp@2",), vihf_attributes, "Attributs obligatoires du VIHF",
              applies=post),
        Check("dmp.vihf-resource", "dmp", LIVE, ("dmp@3",), vihf_resource, "Ressource_URN et INS du VIHF", applies=post),
        Check("dmp.vihf-modes", "dmp", LIVE, ("dmp@4",), vihf_modes, "Modes d'accès et d'authentification",
              applies=post),
        Check("dmp.vihf-signature", "dmp", LIVE, ("dmp@5",), vihf_signature, "Signature enveloppée du VIHF",
              applies=post),
        Check("dmp.vihf-tls-dn", "dmp", LIVE, ("dmp@6",), vihf_tls_dn, "DN TLS = DN de signature", applies=post),
    ]
