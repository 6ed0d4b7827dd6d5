"""The CPx-profile "assertion PS" (insi.md §1): a signed SAML 2.0 assertion carried in wsse:Security.

It is not a VIHF token: Issuer in X509SubjectName format, Subject/NameID qualified ``CPS`` (the PS
id), attributes ``identifiantFacturation`` and ``secteurActivite``, enveloped XML-DSig (rsa-sha256,
exclusive c14n) placed after the Issuer, about one hour of validity. The builder is what the
reference client uses with a bench PKI CPS (or organisation SIGN) certificate; the verifier is what
the simulator applies: signature and certificate chain against the bench PKI, then the time window.
The SAML mechanics (skeleton, XML-DSig on signxml, reading) are the codec `simulators.codecs.saml`;
this module holds the CPx profile and its policy (which certificate may sign, how old, what skew).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC

from cryptography import x509
from cryptography.x509.verification import ExtensionPolicy
from lxml import etree
from signxml import SignatureConfiguration

from simulators.codecs import saml
from simulators.codecs.saml import DS_NS, EXC_C14N, X509_SUBJECT_FORMAT, SamlError  # noqa: F401 - re-exported
from simulators.codecs.xmlsafe import parse_xml, to_bytes
from simulators.core.errors import BenchError
from simulators.core.pki.profiles import dn_string


class AssertionRejected(BenchError):
    """The assertion cannot be trusted; the message (French) says why."""


@dataclass(frozen=True)
class AssertionInfo:
    subject: str  # NameID (PS id)
    issuer: str
    not_before: datetime | None
    not_on_or_after: datetime | None
    issue_instant: datetime | None
    attributes: dict[str, str] = field(default_factory=dict)
    certificate_subject: str = ""


_iso = saml.iso_instant


def _parse_time(value: str | None) -> datetime | None:
    try:
        return saml.parse_instant(value)
    except SamlError as exc:
        raise AssertionRejected(f"horodatage illisible dans l'assertion : {value!r}") from exc.cause


def build_assertion(certificate: x509.Certificate, key, *, ps_id: str,
                    attributes: dict[str, str] | None = None, lifetime: timedelta = timedelta(hours=1),
                    now: datetime | None = None, qualifier: str = "CPS") -> etree._Element:
    """A signed assertion element, ready to go inside wsse:Security."""
    now = now or datetime.now(UTC)
    root = saml.new_assertion(assertion_id=f"_{uuid.uuid4()}", issuer=dn_string(certificate.subject), name_id=ps_id,
                              issued=now, not_before=now - timedelta(minutes=1), not_on_or_after=now + lifetime,
                              prefix="saml", name_qualifier=qualifier)
    statement = saml.add_statement(root)
    for name, value in (attributes or {}).items():
        saml.add_attribute(statement, name, value)
    return saml.sign_assertion(root, key, certificate)


class AssertionVerifier:
    """Checks assertions against the trust anchors of the bench PKI (root + intermediates)."""

    def __init__(self, trust_pem_file: str, *, max_age_s: float = 3600.0, clock_skew_s: float = 120.0,
                 is_revoked: Callable[[x509.Certificate], bool] | None = None) -> None:
        self.trust_pem_file = str(trust_pem_file)
        self.is_revoked = is_revoked
        self.max_age_s = max_age_s
        self.clock_skew_s = clock_skew_s
        self._config = SignatureConfiguration(expect_references=1, location="./")

    def verify(self, assertion: etree._Element, *, now: datetime | None = None,
               max_age_s: float | None = None) -> AssertionInfo:
        now = now or datetime.now(UTC)
        data = to_bytes(assertion)
        try:
            result = saml.verify_signature(data, config=self._config, ca_pem_file=self.trust_pem_file,
                                           ee_policy=ExtensionPolicy.permit_all())
        except SamlError as exc:
            if exc.reason == "saml_signature_invalid":
                raise AssertionRejected(f"signature de l'assertion invalide : {str(exc.cause)[:200]}") from exc.cause
            # the libraries' text names their internals (ASN.1 parser states): the DUI gets the cause only
            raise AssertionRejected("certificat de signature non reconnu : illisible ou hors de la chaîne de "
                                    "confiance IGC-Santé") from exc.cause
        signed = result.signed  # read only what the signature covers (no wrapping attack)
        if signed is None or signed.tag != f"{{{saml.SAML_NS}}}Assertion":
            raise AssertionRejected("la signature ne couvre pas l'assertion")
        cert = _signing_certificate(result.signature)
        _check_signing_usage(cert)
        if cert is not None and self.is_revoked is not None and self.is_revoked(cert):
            raise AssertionRejected("certificat de signature de l'assertion révoqué")
        info = self._info(signed, cert)
        skew = timedelta(seconds=self.clock_skew_s)
        if info.not_on_or_after is not None and now >= info.not_on_or_after + skew:
            raise AssertionRejected(f"assertion expirée (NotOnOrAfter {_iso(info.not_on_or_after)})")
        if info.not_before is not None and now + skew < info.not_before:
            raise AssertionRejected(f"assertion pas encore valide (NotBefore {_iso(info.not_before)})")
        limit = self.max_age_s if max_age_s is None else max_age_s
        if info.issue_instant is not None and limit and now - info.issue_instant > timedelta(seconds=limit) + skew:
            raise AssertionRejected(f"assertion trop ancienne (émise le {_iso(info.issue_instant)})")
        return info

    @staticmethod
    def _info(signed: etree._Element, cert: x509.Certificate | None) -> AssertionInfo:
        attributes = {}
        for attribute, values in saml.attributes(signed):
            attributes[attribute.get("Name", "")] = (values[0].text or "") if values else ""
        not_before, not_on_or_after = saml.conditions(signed)
        return AssertionInfo(
            subject=saml.child_text(signed, "Subject/NameID"),
            issuer=saml.child_text(signed, "Issuer"),
            not_before=_parse_time(not_before),
            not_on_or_after=_parse_time(not_on_or_after),
            issue_instant=_parse_time(signed.get("IssueInstant")),
            attributes=attributes,
            certificate_subject=dn_string(cert.subject) if cert is not None else "",
        )


def _check_signing_usage(cert: x509.Certificate | None) -> None:
    """The CPx assertion ("assertion PS") is produced from a CPS/CPE card (insi.md §1): only a person's
    certificate of the IGC-Santé PERSONNES CA, with a signing key usage, may sign it. An organisation's
    AUTH_CLI or SIGN certificate, or a server certificate, is not a card."""
    if cert is None:
        raise AssertionRejected("aucun certificat X.509 dans la signature de l'assertion")
    issuer = " ".join(str(a.value) for a in cert.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)).upper()
    if "PERSONNES" not in issuer:
        raise AssertionRejected("l'assertion CPx doit être signée par une carte CPS/CPE (certificat de personne "
                                f"de l'AC IGC-Santé PERSONNES), pas par un certificat émis par {issuer[:80] or '?'}")
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        eku = None
    if eku is not None and x509.oid.ExtendedKeyUsageOID.SERVER_AUTH in eku:
        raise AssertionRejected("un certificat serveur ne signe pas d'assertion CPx")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise AssertionRejected("le certificat de signature de l'assertion n'a pas d'usage de clé") from None
    if not (usage.digital_signature or usage.content_commitment):
        raise AssertionRejected("le certificat de signature de l'assertion n'autorise pas la signature")


def _signing_certificate(signature: etree._Element | None) -> x509.Certificate | None:
    der = saml.certificate_der(signature, strict_path=False)
    return x509.load_der_x509_certificate(der) if der else None


def assertion_from_bytes(data: bytes) -> etree._Element:
    """Parse an externally produced assertion (e.g. from a CPS card middleware) through xmlsafe."""
    return parse_xml(data)
