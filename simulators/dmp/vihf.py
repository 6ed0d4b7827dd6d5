"""VIHF: the signed SAML 2.0 assertion every DMP request carries in `wsse:Security` (dmp.md §3).

Three jobs: `build_vihf` (what the reference DUI sends, signed with the structure's SIGN
certificate through signxml), `parse_vihf` (attribute rules, no cryptography, in vihf_attributes.py
and re-exported here) and `VihfVerifier` (signature, certificate chain to the bench PKI, validity
window, consistency with the TLS certificate), which the server runs first. Every refusal is a
`VihfError` whose French message names the faulty attribute, because a vendor reads it in a SOAP
Fault and must know what to fix.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod

from simulators.codecs import saml
from simulators.codecs.saml import load_certificate, norm_dn
from simulators.codecs.xmlsafe import parse_xml, to_bytes
from simulators.core.pki.profiles import dn_string
from simulators.core.pki.revocation import RevocationIndex
from simulators.dmp.memo import BoundedMemo
from simulators.dmp.valuesets import ValueSets
from simulators.dmp.vihf_attributes import (
    SAML_NS,
    DS_NS,
    WSSE_NS,
    HL7_NS,
    XSI_NS,
    X509_SUBJECT_FORMAT,
    A_VERSION,
    A_STRUCTURE,
    A_SECTOR,
    A_SUBJECT_ID,
    A_ROLE,
    A_PURPOSE,
    A_RESOURCE_ID,
    A_RESOURCE_URN,
    A_AUTH_MODE,
    A_CONFIDENTIALITY,
    A_LPS_NAME,
    A_LPS_VERSION,
    A_LPS_HOMOLOGATION,
    A_LPS_ID,
    REQUIRED,
    SECRET_CODE,
    VihfError,
    Role,
    VihfClaims,
    Vihf,
    find_assertion,
    parse_time,
    parse_vihf,
)

__all__ = [
    "A_AUTH_MODE",
    "A_CONFIDENTIALITY",
    "A_LPS_HOMOLOGATION",
    "A_LPS_ID",
    "A_LPS_NAME",
    "A_LPS_VERSION",
    "A_PURPOSE",
    "A_RESOURCE_ID",
    "A_RESOURCE_URN",
    "A_ROLE",
    "A_SECTOR",
    "A_STRUCTURE",
    "A_SUBJECT_ID",
    "A_VERSION",
    "DS_NS",
    "HL7_NS",
    "REQUIRED",
    "SAML_NS",
    "SECRET_CODE",
    "WSSE_NS",
    "X509_SUBJECT_FORMAT",
    "XSI_NS",
    "Role",
    "Vihf",
    "VihfClaims",
    "VihfError",
    "VihfTrust",
    "VihfVerifier",
    "build_assertion",
    "build_vihf",
    "check_certificate",
    "check_signer_role",
    "find_assertion",
    "load_certificate",
    "norm_dn",
    "parse_time",
    "parse_vihf",
    "security_header",
    "sign_assertion",
    "signer_certificate",
]

# --- building ----------------------------------------------------------------------------------


_iso = saml.iso_instant


def _ce(tag: str, code: str, system: str, display: str = "", system_name: str = "") -> etree._Element:
    el = etree.Element(f"{{{HL7_NS}}}{tag}", nsmap={None: HL7_NS, "xsi": XSI_NS})
    el.set(f"{{{XSI_NS}}}type", "CE")
    el.set("code", code)
    el.set("codeSystem", system)
    if system_name:
        el.set("codeSystemName", system_name)
    if display:
        el.set("displayName", display)
    return el


def build_assertion(claims: VihfClaims, issuer_dn: str, *, now: datetime | None = None,
                    validity: timedelta = timedelta(hours=8), assertion_id: str | None = None) -> etree._Element:
    """Unsigned assertion with a signature placeholder right after Issuer (SAML schema order)."""
    now = now or datetime.now(UTC)
    root = saml.new_assertion(assertion_id=assertion_id or "_" + uuid.uuid4().hex, issuer=issuer_dn,
                              name_id=claims.subject_nameid or claims.subject_name, issued=now,
                              not_before=now - timedelta(minutes=5), not_on_or_after=now + validity)
    authn = saml.add_statement(root, "AuthnStatement", AuthnInstant=_iso(now))
    ctx = etree.SubElement(etree.SubElement(authn, f"{{{SAML_NS}}}AuthnContext"), f"{{{SAML_NS}}}AuthnContextClassRef")
    ctx.text = "urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient"
    stmt = saml.add_statement(root)
    saml.add_attribute(stmt, A_VERSION, claims.version)
    saml.add_attribute(stmt, A_STRUCTURE, claims.structure_id)
    saml.add_attribute(stmt, A_SECTOR, f"{claims.activity_sector}^1.2.250.1.71.4.2.4")
    saml.add_attribute(stmt, A_SUBJECT_ID, claims.subject_name)
    saml.add_attribute(stmt, A_ROLE, *(_ce("Role", role.code, role.system, role.display) for role in claims.roles))
    saml.add_attribute(stmt, A_PURPOSE, _ce("PurposeOfUse", claims.purpose_of_use, "1.2.250.1.213.1.1.4.248",
                                    {"normal": "Accès normal"}.get(claims.purpose_of_use, claims.purpose_of_use),
                                    "mode acces VIHF 1.0"))
    saml.add_attribute(stmt, A_RESOURCE_ID, f"{claims.patient_ins}^^^&{claims.patient_oid}&ISO^NH")
    saml.add_attribute(stmt, A_RESOURCE_URN, "urn:dmp")
    saml.add_attribute(stmt, A_AUTH_MODE, claims.auth_mode)
    if claims.secret_connection:
        saml.add_attribute(stmt, A_CONFIDENTIALITY, _ce("ConfidentialityCode", SECRET_CODE, "1.2.250.1.213.1.1.4.13"))
    saml.add_attribute(stmt, A_LPS_NAME, claims.lps_name)
    saml.add_attribute(stmt, A_LPS_VERSION, claims.lps_version)
    saml.add_attribute(stmt, A_LPS_HOMOLOGATION, claims.lps_homologation)
    if claims.lps_id:
        saml.add_attribute(stmt, A_LPS_ID, claims.lps_id)
    return root


def build_vihf(claims: VihfClaims, cert: x509.Certificate, key: Any, *, now: datetime | None = None,
               validity: timedelta = timedelta(hours=8), sha1: bool = False) -> etree._Element:
    """Signed assertion (enveloped XML-DSig, exclusive c14n, KeyInfo/X509Certificate)."""
    assertion = build_assertion(claims, dn_string(cert.subject), now=now, validity=validity)
    return sign_assertion(assertion, cert, key, sha1=sha1)


def sign_assertion(assertion: etree._Element, cert: x509.Certificate, key: Any, *, sha1: bool = False) -> etree._Element:
    """Sign an assertion built by `build_assertion` (tests alter it first to make negative cases).

    RSA-SHA1 on request: DRIMbox signs that way, so the bench must emit it too."""
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    return saml.sign_assertion(assertion, key, cert_pem, sha1=sha1, reference_uri="#" + assertion.get("ID"))


def security_header(assertion: etree._Element) -> etree._Element:
    header = etree.Element(f"{{{WSSE_NS}}}Security", nsmap={"wsse": WSSE_NS})
    header.append(assertion)
    return header


# --- verification ---------------------------------------------------------------------------------


@dataclass
class VihfTrust:
    """Issuing CAs the bench accepts for VIHF and lot signers, and a revocation test.

    Successful chain checks are remembered for `cache_s` seconds per certificate (a DUI signs every request
    with the same certificate); revocation is checked on every use against the current CRLs
    (`RevocationIndex`: re-read when `pki revoke` rewrites them), so it takes effect at once."""

    authorities: list[x509.Certificate]
    is_revoked: Any = None  # Callable[[x509.Certificate], bool] | None
    cache_s: float = 5.0
    _checked: dict[tuple[int, bytes], float] = field(default_factory=dict)

    @classmethod
    def from_pki(cls, pki: Any) -> VihfTrust:
        cas = [pki.authority_certificate(s) for s in ("organisations", "personnes")]
        return cls(cas, RevocationIndex.of(pki).is_revoked)

    def recently_checked(self, cert: x509.Certificate) -> bool:
        key = (cert.serial_number, cert.issuer.public_bytes())
        return self._checked.get(key, 0.0) > time.monotonic()

    def remember(self, cert: x509.Certificate) -> None:
        if len(self._checked) > 1024:
            self._checked.clear()
        self._checked[(cert.serial_number, cert.issuer.public_bytes())] = time.monotonic() + self.cache_s


_SIGNATURE_CONFIG = SignatureConfiguration(
    signature_methods=frozenset({SignatureMethod.RSA_SHA1, SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA1, DigestAlgorithm.SHA256}),
    ignore_ambiguous_key_info=True)


class VihfVerifier:
    """Server-side verification; caches successful signature checks by assertion digest because a DUI
    reuses one VIHF for many requests (time and revocation are re-checked on every use)."""

    def __init__(self, vs: ValueSets, trust: VihfTrust | None, *, clock_skew_s: float = 300.0,
                 max_age_s: float = 24 * 3600.0, require_signature: bool = True, cache_size: int = 4096) -> None:
        self.vs = vs
        self.trust = trust
        self.clock_skew = timedelta(seconds=clock_skew_s)
        self.max_age = timedelta(seconds=max_age_s)
        self.require_signature = require_signature and trust is not None
        self._cache: OrderedDict[bytes, tuple[Vihf, x509.Certificate | None]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def verify(self, security: etree._Element | None, *, tls_subject: str = "", now: datetime | None = None) -> Vihf:
        now = now or datetime.now(UTC)
        assertion = find_assertion(security)
        raw = to_bytes(assertion)
        digest = hashlib.sha256(raw).digest()
        with self._lock:
            cached = self._cache.get(digest)
        if cached is None:
            cached = self._verify_new(assertion, raw)
            with self._lock:
                self._cache[digest] = cached
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        vihf, cert = cached
        self._check_time(vihf, now)
        if cert is not None:
            self._check_certificate(cert, now)
            if vihf.auth_mode != "DIRECTE" and tls_subject and norm_dn(tls_subject) != norm_dn(vihf.signer_dn):
                raise VihfError(f"VIHF : le DN du certificat de signature ({vihf.signer_dn}) diffère de celui du "
                                f"certificat TLS ({tls_subject}) ; ils doivent être identiques.",
                                reason="vihf_tls_mismatch", attribute="Issuer")
        return vihf

    def _verify_new(self, assertion: etree._Element, raw: bytes) -> tuple[Vihf, x509.Certificate | None]:
        signature = assertion.find(f"{{{DS_NS}}}Signature")
        if signature is None:
            if self.require_signature:
                raise VihfError("VIHF non signé : une signature XML-DSig enveloppée est obligatoire.",
                                reason="vihf_unsigned", attribute="Signature")
            return parse_vihf(assertion, self.vs), None
        cert = signer_certificate(signature)
        if self.trust is None:  # bench without PKI: integrity against the carried certificate only
            vihf = parse_vihf(self._check_signature(raw, cert, assertion.get("ID", "")), self.vs)
            vihf.signed = True
            return vihf, None
        self._check_certificate(cert, datetime.now(UTC))
        signed = self._check_signature(raw, cert, assertion.get("ID", ""))
        vihf = parse_vihf(signed, self.vs)
        vihf.signer_dn = dn_string(cert.subject)
        vihf.signed = True
        if vihf.issuer.replace(" ", "").startswith(("G=", "S=")) or ",G=" in vihf.issuer or ",S=" in vihf.issuer:
            raise VihfError(f"VIHF : Issuer {vihf.issuer!r} utilise G=/S= ; le CI-SIS exige GN=/ST=.",
                            reason="vihf_issuer", attribute="Issuer")
        if norm_dn(vihf.issuer) != norm_dn(vihf.signer_dn):
            raise VihfError(f"VIHF : Issuer {vihf.issuer!r} ne correspond pas au DN du certificat de signature "
                            f"{vihf.signer_dn!r}.", reason="vihf_issuer", attribute="Issuer")
        check_signer_role(cert, vihf.auth_mode)
        # cryptography types NameAttribute.value str | bytes (bytes: X500UniqueIdentifier only); decode, never b'…'
        ou = [a.value if isinstance(a.value, str) else a.value.decode("utf-8", "replace")
              for a in cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)]
        if ou and vihf.auth_mode != "DIRECTE" and vihf.structure_id not in ou:
            raise VihfError(f"VIHF : Identifiant_Structure {vihf.structure_id} ne correspond pas à la structure du "
                            f"certificat de signature (OU={ou[0]}).", reason="vihf_structure_id", attribute=A_STRUCTURE)
        return vihf, cert

    def _check_signature(self, raw: bytes, cert: x509.Certificate, assertion_id: str) -> etree._Element:
        try:
            result = saml.verify_signature(raw, config=_SIGNATURE_CONFIG, certificate=cert)
        except saml.SamlError as exc:
            if exc.reason == "saml_signature_invalid":
                raise VihfError(f"VIHF : signature XML-DSig invalide ({exc.cause}).", reason="vihf_signature",
                                attribute="Signature") from None
            raise VihfError(f"VIHF : signature XML-DSig illisible ({type(exc.cause).__name__}: {exc.cause}).",
                            reason="vihf_signature", attribute="Signature") from None
        signed = result.signed
        if signed is None or signed.tag != f"{{{SAML_NS}}}Assertion" or signed.get("ID") != assertion_id:
            raise VihfError("VIHF : la signature ne couvre pas l'assertion elle-même (référence #ID attendue).",
                            reason="vihf_signature", attribute="Signature")
        return parse_xml(to_bytes(signed))

    def _check_time(self, v: Vihf, now: datetime) -> None:
        issued = parse_time(v.issue_instant, "IssueInstant")
        if issued is not None and issued - self.clock_skew > now:
            raise VihfError(f"VIHF : IssueInstant {v.issue_instant} est dans le futur.", reason="vihf_expired",
                            attribute="IssueInstant")
        if v.not_before is not None and v.not_before - self.clock_skew > now:
            raise VihfError(f"VIHF pas encore valide (NotBefore {_iso(v.not_before)}).", reason="vihf_not_yet_valid",
                            attribute="Conditions")
        if v.not_on_or_after is not None and now >= v.not_on_or_after + self.clock_skew:
            raise VihfError(f"VIHF expiré (NotOnOrAfter {_iso(v.not_on_or_after)}, maintenant {_iso(now)}).",
                            reason="vihf_expired", attribute="Conditions")
        if v.not_on_or_after is None and issued is not None and now - issued > self.max_age:
            raise VihfError(f"VIHF expiré : émis le {v.issue_instant}, durée maximale {self.max_age}.",
                            reason="vihf_expired", attribute="IssueInstant")

    def _check_certificate(self, cert: x509.Certificate, now: datetime) -> None:
        assert self.trust is not None
        check_certificate(self.trust, cert, now, what="VIHF : certificat de signature")


def check_signer_role(cert: x509.Certificate, auth_mode: str) -> None:
    """dmp.md §1: in indirect modes the structure's ORG_SIGN certificate (the cachet) signs the VIHF — not
    its ORG_AUTH_CLI, which authenticates TLS, nor a server certificate; in DIRECTE mode the CPS/CPE card."""
    issuer = " ".join(str(a.value) for a in cert.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)).upper()
    try:
        eku = list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        eku = []
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        non_repudiation, digital = usage.content_commitment, usage.digital_signature
    except x509.ExtensionNotFound:
        non_repudiation = digital = False
    if auth_mode == "DIRECTE":
        if "PERSONNES" not in issuer:
            raise VihfError("VIHF en mode DIRECTE : il doit être signé par la carte CPS/CPE du professionnel.",
                            reason="vihf_cert_usage", attribute="Signature")
        return
    if "PERSONNES" in issuer or eku or not non_repudiation or digital:
        raise VihfError("VIHF : en authentification indirecte, il doit être signé par le certificat ORG_SIGN "
                        "(cachet) de la structure, pas par son certificat d'authentification (AUTH_CLI), un "
                        "certificat serveur ou une carte.", reason="vihf_cert_usage", attribute="Signature")


def check_certificate(trust: VihfTrust, cert: x509.Certificate, now: datetime, *, what: str) -> None:
    """Chain to a trusted issuing CA, validity dates, revocation; VihfError otherwise."""
    if trust.recently_checked(cert) and cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        if trust.is_revoked is not None and trust.is_revoked(cert):  # never cached: effective at once
            raise VihfError(f"{what} révoqué.", reason="vihf_cert_revoked", attribute="Signature")
        return
    issuer = next((ca for ca in trust.authorities if ca.subject == cert.issuer), None)
    if issuer is None:
        raise VihfError(f"{what} émis par une autorité non reconnue ({cert.issuer.rfc4514_string()}).",
                        reason="vihf_cert_untrusted", attribute="Signature")
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # noqa: BLE001 - any failure of the issuer check is an invalid certificate signature
        raise VihfError(f"{what} : signature du certificat par son autorité invalide.",
                        reason="vihf_cert_untrusted", attribute="Signature") from None
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        signs = usage.digital_signature or usage.content_commitment
    except x509.ExtensionNotFound:
        signs = True
    if not signs:
        raise VihfError(f"{what} : usage de clé incompatible avec la signature (digitalSignature ou "
                        "nonRepudiation attendu).", reason="vihf_cert_usage", attribute="Signature")
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise VihfError(f"{what} hors validité (du {cert.not_valid_before_utc:%Y-%m-%d} au "
                        f"{cert.not_valid_after_utc:%Y-%m-%d}).", reason="vihf_cert_expired", attribute="Signature")
    if trust.is_revoked is not None and trust.is_revoked(cert):
        raise VihfError(f"{what} révoqué.", reason="vihf_cert_revoked", attribute="Signature")
    trust.remember(cert)


_CERTIFICATES: BoundedMemo[x509.Certificate] = BoundedMemo(256)


def parsed_certificate(der: bytes) -> x509.Certificate:
    """`load_certificate`, remembered by DER (a DUI signs every request with the same certificate)."""
    return _CERTIFICATES.get(der, lambda: load_certificate(der))


def signer_certificate(signature: etree._Element) -> x509.Certificate:
    """The certificate of a VIHF signature's KeyInfo/X509Data, fully parsed; VihfError if absent or unreadable."""
    try:
        der = saml.certificate_der(signature)
        if der is None:
            raise VihfError("VIHF : KeyInfo/X509Data/X509Certificate absent de la signature.", reason="vihf_signature",
                            attribute="Signature")
        return parsed_certificate(der)
    except ValueError:  # base64 or DER that does not decode
        raise VihfError("VIHF : certificat X509 de la signature illisible.", reason="vihf_signature",
                        attribute="Signature") from None
