"""Signature of an ITI-41 submission set: the XAdES "IHE DSG" document of the signature entry
(dmp.md §4.6), built by the reference client and verified by the repository.

Written with `cryptography` rather than signxml because the Manifest references `urn:oid:` URIs
that no generic XML-DSig library resolves; the shape is fixed, so a small explicit implementation
is easier to audit: exclusive c14n of the referenced elements, RSA PKCS#1 v1.5 over SignedInfo.
Manifest digests are accepted over the raw document bytes or over its c14n-with-comments form.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from lxml import etree

from simulators.core.errors import BenchError, XmlRejected
from simulators.codecs.xmlsafe import parse_xml, to_bytes
from simulators.dmp.memo import BoundedMemo
from simulators.dmp.vihf import parsed_certificate

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.1.1#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ALGS = {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256(),
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1": hashes.SHA1()}  # noqa: S303 - verifies peers' XAdES rsa-sha1 as the XML-DSig URI names it
DIGESTS = {"http://www.w3.org/2001/04/xmlenc#sha256": "sha256", "http://www.w3.org/2000/09/xmldsig#sha1": "sha1"}
PURPOSE = "1.2.840.10065.1.12.1.14"


class SignatureProblem(BenchError):
    """The submission-set signature is missing a piece or does not verify (French message)."""


def _c14n(el: etree._Element, *, comments: bool = False) -> bytes:
    return etree.tostring(el, method="c14n", exclusive=True, with_comments=comments)


def _digest(data: bytes, alg: str) -> str:
    return base64.b64encode(hashlib.new(alg, data).digest()).decode("ascii")


def _ds(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{DS}}}{tag}", attrs)


def _reference(parent: etree._Element, uri: str, digest: str, alg_uri: str, ref_type: str = "",
               transform: bool = True) -> None:
    ref = _ds(parent, "Reference", URI=uri)
    if ref_type:
        ref.set("Type", ref_type)
    if transform:
        _ds(_ds(ref, "Transforms"), "Transform", Algorithm=EXC_C14N)
    _ds(ref, "DigestMethod", Algorithm=alg_uri)
    _ds(ref, "DigestValue").text = digest


def build_signature(submission_set_uid: str, documents: list[tuple[str, bytes]], cert: x509.Certificate,
                    key: Any, *, now: datetime | None = None, signature_id: str | None = None) -> bytes:
    """XAdES-BES enveloping signature over an IHE Manifest of the lot (SHA-256)."""
    now = now or datetime.now(UTC)
    sig_id = signature_id or f"2.25.{uuid.uuid4().int}"
    digest_uri = "http://www.w3.org/2001/04/xmlenc#sha256"
    sig = etree.Element(f"{{{DS}}}Signature", nsmap={"ds": DS}, Id=sig_id)
    info = _ds(sig, "SignedInfo")
    _ds(info, "CanonicalizationMethod", Algorithm=EXC_C14N)
    _ds(info, "SignatureMethod", Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    value = _ds(sig, "SignatureValue")
    der = cert.public_bytes(serialization.Encoding.DER)
    _ds(_ds(_ds(sig, "KeyInfo"), "X509Data"), "X509Certificate").text = base64.b64encode(der).decode()
    qp_obj = _ds(sig, "Object")
    qp = etree.SubElement(qp_obj, f"{{{XADES}}}QualifyingProperties", nsmap={"xades": XADES}, Target="#" + sig_id)
    sp = etree.SubElement(qp, f"{{{XADES}}}SignedProperties", Id="SignedProps")
    ssp = etree.SubElement(sp, f"{{{XADES}}}SignedSignatureProperties")
    etree.SubElement(ssp, f"{{{XADES}}}SigningTime").text = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    cert_el = etree.SubElement(etree.SubElement(ssp, f"{{{XADES}}}SigningCertificate"), f"{{{XADES}}}Cert")
    cd = etree.SubElement(cert_el, f"{{{XADES}}}CertDigest")
    _ds(cd, "DigestMethod", Algorithm=digest_uri)
    _ds(cd, "DigestValue").text = _digest(der, "sha256")
    policy = etree.SubElement(ssp, f"{{{XADES}}}SignaturePolicyIdentifier")
    etree.SubElement(policy, f"{{{XADES}}}SignaturePolicyImplied")
    sig_props = _ds(_ds(sig, "Object"), "SignatureProperties", Id="SignatureProperties")
    _ds(sig_props, "SignatureProperty", Id="purposeOfSignature", Target="#" + sig_id).text = PURPOSE
    manifest = _ds(_ds(sig, "Object"), "Manifest", Id="IHEManifest")
    _reference(manifest, f"urn:oid:{submission_set_uid}", _digest(submission_set_uid.encode(), "sha256"),
               digest_uri, transform=False)
    for uid, data in documents:
        _reference(manifest, f"urn:oid:{uid}", _digest(data, "sha256"), digest_uri, transform=False)
    _reference(info, "#IHEManifest", _digest(_c14n(manifest), "sha256"), digest_uri,
               "http://www.w3.org/2000/09/xmldsig#Manifest")
    _reference(info, "#SignedProps", _digest(_c14n(sp), "sha256"), digest_uri, "http://uri.etsi.org/01903#SignedProperties")
    _reference(info, "#SignatureProperties", _digest(_c14n(sig_props), "sha256"), digest_uri,
               "http://www.w3.org/2000/09/xmldsig#SignatureProperties")
    signed = _c14n(info)
    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    else:
        raise ValueError(  # noqa: TRY004 - callers catch ValueError for a bad key
           "RSA key expected for the submission-set signature")
    value.text = base64.b64encode(raw).decode()
    return to_bytes(sig, xml_declaration=True)


@dataclass
class SignatureFacts:
    signature_id: str
    certificate: x509.Certificate
    manifest: dict[str, tuple[str, str]]  # urn:oid:uid -> (digest algorithm, digest value)
    signing_time: str


def _by_id(root: etree._Element, ident: str) -> etree._Element | None:
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("Id") == ident:
            return el
    return None


_VERIFIED: BoundedMemo[SignatureFacts] = BoundedMemo(64)


def verify_signature(data: bytes, submission_set_uid: str, documents: dict[str, bytes]) -> SignatureFacts:
    """Check the signature document of a lot; raises SignatureProblem naming what is wrong.

    A verification that succeeded is remembered by its exact inputs (signature bytes, lot uniqueId, every
    document's uniqueId and bytes): the registry and the live check of one ITI-41 verify the same lot. The
    answer depends on nothing else (the signer's trust is checked apart, by the caller)."""
    key = (bytes(data), submission_set_uid, tuple((uid, bytes(content)) for uid, content in documents.items()))
    return _VERIFIED.get(key, lambda: _verify_signature(data, submission_set_uid, documents))


def _verify_signature(data: bytes, submission_set_uid: str, documents: dict[str, bytes]) -> SignatureFacts:
    try:
        root = parse_xml(data)
    except XmlRejected as exc:
        raise SignatureProblem(f"document de signature illisible : {exc.message}") from None
    if root.tag != f"{{{DS}}}Signature":
        raise SignatureProblem(f"ds:Signature attendu comme racine du document de signature, reçu {root.tag}")
    info = root.find(f"{{{DS}}}SignedInfo")
    value = root.findtext(f"{{{DS}}}SignatureValue")
    cert_text = root.findtext(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
    if info is None or not value or not cert_text:
        raise SignatureProblem("SignedInfo, SignatureValue et KeyInfo/X509Certificate sont obligatoires")

    try:
        cert = parsed_certificate(base64.b64decode("".join(cert_text.split())))
    except ValueError:
        raise SignatureProblem("certificat X509 de la signature illisible") from None
    method = info.find(f"{{{DS}}}SignatureMethod")
    alg = ALGS.get(method.get("Algorithm", "") if method is not None else "")
    if alg is None:
        raise SignatureProblem("SignatureMethod non pris en charge (rsa-sha256 ou rsa-sha1 attendu)")
    uris = []
    for ref in info.iterfind(f"{{{DS}}}Reference"):
        uri = ref.get("URI", "")
        uris.append(uri)
        target = _by_id(root, uri[1:]) if uri.startswith("#") else None
        if target is None:
            raise SignatureProblem(f"référence {uri!r} de SignedInfo introuvable dans la signature")
        digest_alg = DIGESTS.get(ref.find(f"{{{DS}}}DigestMethod").get("Algorithm", ""), "")
        if not digest_alg or _digest(_c14n(target), digest_alg) != (ref.findtext(f"{{{DS}}}DigestValue") or "").strip():
            raise SignatureProblem(f"empreinte de la référence {uri} incorrecte (contenu modifié après signature)")
    if "#IHEManifest" not in uris:
        raise SignatureProblem("SignedInfo ne référence pas le Manifest IHE (#IHEManifest)")
    public_key = cert.public_key()
    try:
        raw = base64.b64decode("".join(value.split()))
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(raw, _c14n(info), padding.PKCS1v15(), alg)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(raw, _c14n(info), ec.ECDSA(alg))
        else:
            raise SignatureProblem("type de clé du certificat de signature non pris en charge")
    except (InvalidSignature, ValueError):
        raise SignatureProblem("SignatureValue invalide pour le certificat présenté") from None
    manifest = _by_id(root, "IHEManifest")
    refs: dict[str, tuple[str, str]] = {}
    for ref in manifest.iterfind(f"{{{DS}}}Reference") if manifest is not None else ():
        dm = ref.find(f"{{{DS}}}DigestMethod")
        refs[ref.get("URI", "")] = (DIGESTS.get(dm.get("Algorithm", "") if dm is not None else "", "sha256"),
                                    (ref.findtext(f"{{{DS}}}DigestValue") or "").strip())
    if f"urn:oid:{submission_set_uid}" not in refs:
        raise SignatureProblem(f"le Manifest ne référence pas le lot de soumission urn:oid:{submission_set_uid}")
    for uid, content in documents.items():
        ref = refs.get(f"urn:oid:{uid}")
        if ref is None:
            raise SignatureProblem(f"le Manifest ne référence pas le document urn:oid:{uid}")
        if ref[1] == _digest(content, ref[0]):
            continue
        try:
            canonical = _digest(_c14n(parse_xml(content), comments=True), ref[0])
        except XmlRejected:
            canonical = ""
        if ref[1] != canonical:
            raise SignatureProblem(f"empreinte du document {uid} dans le Manifest incorrecte")
    signing_time = root.findtext(f".//{{{XADES}}}SigningTime") or ""
    return SignatureFacts(root.get("Id", ""), cert, refs, signing_time)
