"""SAML 2.0 assertions signed with XML-DSig on signxml, sans-IO: the one SAML codec of the bench.

Pure format work, no service policy: build an assertion skeleton (ID, IssueInstant, Issuer, the
signature placeholder right after Issuer as the SAML schema orders it, Subject/NameID, Conditions),
add attributes, sign it (enveloped, exclusive c14n, KeyInfo/X509Certificate), verify a signature
(against a CA file or one certificate) and read the parts back (issuer, NameID, time window,
attributes). Which attributes a service requires, which certificate may sign and how old a token may
be are decided by the services: INSi's CPx "assertion PS" (`simulators.ins.saml`), the DMP's VIHF
(`simulators.dmp.vihf`), and the dashboard's human-readable decoding (`simulators.dashboard.vihf`).

Every refusal is a `SamlError` with a stable `reason` ("saml_time", "saml_signature_invalid",
"saml_signature_unreadable", "saml_certificate"); the services word their own French message.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, UTC
from typing import Any, TypeAlias

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree
from signxml import SignatureConfiguration, XMLSigner, XMLVerifier
from signxml.exceptions import InvalidInput, InvalidSignature

from simulators.codecs.errors import ProtocolError

SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
X509_SUBJECT_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
_S = f"{{{SAML_NS}}}"
_DS = f"{{{DS_NS}}}"

AttributeValue: TypeAlias = str | etree._Element


class SamlError(ProtocolError):
    """An assertion that cannot be read or trusted; `cause` keeps the library's exception, if any."""

    def __init__(self, message: str, *, reason: str, cause: BaseException | None = None) -> None:
        super().__init__(message, reason=reason)
        self.cause = cause


# --- time --------------------------------------------------------------------------------------------


def iso_instant(moment: datetime) -> str:
    """xs:dateTime in UTC to the second, as SAML writes IssueInstant and Conditions."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(value: str | None) -> datetime | None:
    """An xs:dateTime ("Z" or offset; no zone means UTC), None when absent; SamlError("saml_time") if unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SamlError(f"horodatage SAML illisible : {value!r}", reason="saml_time", cause=exc) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- building ----------------------------------------------------------------------------------------


def new_assertion(*, assertion_id: str, issuer: str, name_id: str, issued: datetime, not_before: datetime,
                  not_on_or_after: datetime, prefix: str = "saml2", name_qualifier: str | None = None,
                  issuer_format: str = X509_SUBJECT_FORMAT) -> etree._Element:
    """`Assertion` with Issuer, the ds:Signature placeholder, Subject/NameID and Conditions; statements follow."""
    root = etree.Element(f"{_S}Assertion", nsmap={prefix: SAML_NS}, ID=assertion_id, IssueInstant=iso_instant(issued),
                         Version="2.0")
    etree.SubElement(root, f"{_S}Issuer", Format=issuer_format).text = issuer
    etree.SubElement(root, f"{_DS}Signature", Id="placeholder", nsmap={"ds": DS_NS})
    subject = etree.SubElement(root, f"{_S}Subject")
    name = etree.SubElement(subject, f"{_S}NameID")
    if name_qualifier is not None:
        name.set("NameQualifier", name_qualifier)
    name.text = name_id
    etree.SubElement(root, f"{_S}Conditions", NotBefore=iso_instant(not_before),
                     NotOnOrAfter=iso_instant(not_on_or_after))
    return root


def add_statement(assertion: etree._Element, local_name: str = "AttributeStatement", **attrs: str) -> etree._Element:
    return etree.SubElement(assertion, f"{_S}{local_name}", attrs)


def add_attribute(statement: etree._Element, name: str, *values: AttributeValue) -> etree._Element:
    """`Attribute Name=…` with one AttributeValue per value: text, or an element (hl7:Role...) inside."""
    attribute = etree.SubElement(statement, f"{_S}Attribute", Name=name)
    for value in values:
        holder = etree.SubElement(attribute, f"{_S}AttributeValue")
        if isinstance(value, str):
            holder.text = value
        else:
            holder.append(value)
    return attribute


def sign_assertion(assertion: etree._Element, key: Any, certificate: x509.Certificate | str, *, sha1: bool = False,
                   reference_uri: str | None = None) -> etree._Element:
    """Enveloped XML-DSig over the assertion (exclusive c14n, the certificate in KeyInfo).

    ECDSA-SHA256 for an EC key, RSA-SHA256 otherwise; `sha1` writes RSA-SHA1/SHA1 (DRIMbox still signs
    that way, so the bench must be able to emit it). `reference_uri` "#ID" or None (whole document)."""

    class _Signer(XMLSigner):
        def check_deprecated_methods(self) -> None:
            if not sha1:
                super().check_deprecated_methods()

    if sha1:
        algorithm = "rsa-sha1"
    else:
        algorithm = "ecdsa-sha256" if isinstance(key, ec.EllipticCurvePrivateKey) else "rsa-sha256"
    signer = _Signer(signature_algorithm=algorithm, digest_algorithm="sha1" if sha1 else "sha256",
                     c14n_algorithm=EXC_C14N)
    # signxml takes PEM text (split into its certificates) or a list of Certificate objects
    cert = certificate if isinstance(certificate, str) else [certificate]
    return signer.sign(assertion, key=key, cert=cert, reference_uri=reference_uri, id_attribute="ID")


# --- verifying ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    """What a valid signature covers (`signed`, read nothing else: no wrapping attack) and the ds:Signature."""

    signed: etree._Element | None
    signature: etree._Element | None


def verify_signature(data: bytes, *, config: SignatureConfiguration, ca_pem_file: str | None = None,
                     certificate: x509.Certificate | None = None, **verify_options: Any) -> Verified:
    """Check the enveloped signature of serialised assertion bytes, by chain (`ca_pem_file`) or key (`certificate`).

    SamlError "saml_signature_invalid" when the signature or its input is wrong, "saml_signature_unreadable"
    when the libraries fail otherwise (chain building, garbage certificate): their text names internals."""
    try:
        if certificate is not None:
            result = XMLVerifier().verify(data, x509_cert=certificate, id_attribute="ID", expect_config=config,
                                          **verify_options)
        else:
            result = XMLVerifier().verify(data, ca_pem_file=ca_pem_file, id_attribute="ID", expect_config=config,
                                          **verify_options)
    except (InvalidSignature, InvalidInput) as exc:
        raise SamlError(f"signature XML-DSig invalide : {exc}", reason="saml_signature_invalid", cause=exc) from None
    except Exception as exc:  # noqa: BLE001 - signxml, lxml and cryptography raise several types on garbage
        raise SamlError(f"signature XML-DSig illisible : {type(exc).__name__}", reason="saml_signature_unreadable",
                        cause=exc) from None
    # signxml answers a list only for a configuration expecting several references; this reads one
    assert not isinstance(result, list), "verify_signature: the configuration must expect one reference"
    return Verified(signed=result.signed_xml, signature=result.signature_xml)


def certificate_der(signature: etree._Element | None, *, strict_path: bool = True) -> bytes | None:
    """DER of the X509Certificate in the signature's KeyInfo/X509Data (anywhere below it unless `strict_path`);
    None when there is none, ValueError (binascii.Error) when its base64 does not decode."""
    if signature is None:
        return None
    path = f"{_DS}KeyInfo/{_DS}X509Data/{_DS}X509Certificate" if strict_path else f".//{_DS}X509Certificate"
    el = signature.find(path)
    text = "".join((el.text or "").split()) if el is not None else ""
    return base64.b64decode(text) if text else None


def load_certificate(der: bytes) -> x509.Certificate:
    """DER certificate with every field a check reads parsed now: `cryptography` parses names and dates
    lazily, so a corrupted certificate would otherwise fail later, deep inside a check. ValueError if unreadable."""
    try:
        cert = x509.load_der_x509_certificate(der)
        _ = (cert.subject, cert.issuer, cert.not_valid_before_utc, cert.not_valid_after_utc, cert.public_key(),
             list(cert.extensions))
    except Exception as exc:  # noqa: BLE001 - cryptography raises ValueError and a few internal parse errors
        raise ValueError(f"certificat X509 illisible : {exc}") from None
    return cert


def norm_dn(dn: str) -> frozenset[str]:
    """A distinguished name as a set of upper-cased TYPE=VALUE pairs: order, spaces and case do not matter."""
    parts = [p.strip() for p in dn.replace(";", ",").split(",") if p.strip()]
    return frozenset(p.split("=", 1)[0].strip().upper() + "=" + p.split("=", 1)[-1].strip().upper() for p in parts)


# --- reading -----------------------------------------------------------------------------------------


def find_assertions(root: etree._Element) -> Iterator[etree._Element]:
    """Every saml2:Assertion in a document (wsse:Security, an envelope, a recorded body)."""
    return root.iter(f"{_S}Assertion")


def child_text(assertion: etree._Element, path: str) -> str:
    """Stripped text of a SAML child path such as "Issuer" or "Subject/NameID" ("" when absent)."""
    el = assertion.find("/".join(f"{_S}{step}" for step in path.split("/")))
    return (el.text or "").strip() if el is not None else ""


def conditions(assertion: etree._Element) -> tuple[str | None, str | None]:
    """(NotBefore, NotOnOrAfter) as written, None when Conditions or the attribute is absent."""
    cond = assertion.find(f"{_S}Conditions")
    if cond is None:
        return None, None
    return cond.get("NotBefore"), cond.get("NotOnOrAfter")


def is_signed(assertion: etree._Element) -> bool:
    return assertion.find(f"{_DS}Signature") is not None


def attributes(assertion: etree._Element, *, anywhere: bool = False) -> list[tuple[etree._Element, list[etree._Element]]]:
    """(Attribute, its AttributeValue elements) in document order: those of the AttributeStatements, or
    every Attribute below the assertion when `anywhere`."""
    found: Sequence[etree._Element] = (list(assertion.iter(f"{_S}Attribute")) if anywhere else
                                       assertion.findall(f"{_S}AttributeStatement/{_S}Attribute"))
    return [(a, a.findall(f"{_S}AttributeValue")) for a in found]


def coded_child(value: etree._Element) -> etree._Element | None:
    """The first element inside an AttributeValue (hl7:Role, hl7:PurposeOfUse...), None for plain text."""
    return next((c for c in value if isinstance(c.tag, str)), None)



def plain_text(value: etree._Element) -> str:
    return (value.text or "").strip()


@dataclass
class AssertionSummary:
    """An assertion's parts as written, for display (nothing verified); attributes as
    {"name", "label", "values"} dictionaries in document order."""

    issuer: str = ""
    subject: str = ""
    not_before: str = ""
    not_on_or_after: str = ""
    signed: bool = False
    attributes: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def summarize(assertion: etree._Element, *, labels: Mapping[str, str] | None = None,
              value_text: Callable[[etree._Element], str] = plain_text) -> AssertionSummary:
    """Every Attribute below the assertion, labelled from `labels` (else FriendlyName, else Name)."""
    not_before, not_on_or_after = conditions(assertion)
    summary = AssertionSummary(issuer=child_text(assertion, "Issuer"), subject=child_text(assertion, "Subject/NameID"),
                               not_before=not_before or "", not_on_or_after=not_on_or_after or "",
                               signed=is_signed(assertion))
    for attribute, values in attributes(assertion, anywhere=True):
        name = attribute.get("Name", "")
        label = (labels or {}).get(name, attribute.get("FriendlyName") or name)
        summary.attributes.append({"name": name, "label": label, "values": [value_text(v) for v in values]})
    return summary
