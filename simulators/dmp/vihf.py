"""VIHF: the signed SAML 2.0 assertion every DMP request carries in `wsse:Security` (dmp.md §3).

Three jobs: `build_vihf` (what the reference DUI sends, signed with the structure's SIGN
certificate through signxml), `parse_vihf` (attribute rules, no cryptography, also used by the
conformance checks on recorded requests) and `VihfVerifier` (signature, certificate chain to the
bench PKI, validity window, consistency with the TLS certificate), which the server runs first.
Every refusal is a `VihfError` whose French message names the faulty attribute, because a vendor
reads it in a SOAP Fault and must know what to fix.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree

from simulators.core.errors import ProtocolError
from simulators.core.xmlsafe import parse_xml, to_bytes
from simulators.dmp.valuesets import ValueSets

SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
HL7_NS = "urn:hl7-org:v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
X509_SUBJECT_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"

A_VERSION = "VIHF_Version"
A_STRUCTURE = "Identifiant_Structure"
A_SECTOR = "Secteur_Activite"
A_SUBJECT_ID = "urn:oasis:names:tc:xspa:1.0:subject:subject-id"
A_ROLE = "urn:oasis:names:tc:xacml:2.0:subject:role"
A_PURPOSE = "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse"
A_RESOURCE_ID = "urn:oasis:names:tc:xacml:2.0:resource:resource-id"
A_RESOURCE_URN = "Ressource_URN"
A_AUTH_MODE = "Authentification_Mode"
A_CONFIDENTIALITY = "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code"
A_LPS_NAME = "LPS_Nom"
A_LPS_VERSION = "LPS_Version"
A_LPS_HOMOLOGATION = "LPS_ID_HOMOLOGATION_DMP"
A_LPS_ID = "LPS_ID"
REQUIRED = (A_VERSION, A_STRUCTURE, A_SECTOR, A_SUBJECT_ID, A_ROLE, A_PURPOSE, A_RESOURCE_ID, A_RESOURCE_URN,
            A_AUTH_MODE, A_LPS_NAME, A_LPS_VERSION, A_LPS_HOMOLOGATION)
SECRET_CODE = "INVISIBLE_REPRESENTANTS_LEGAUX"


class VihfError(ProtocolError):
    """The VIHF is refused; `attribute` names the culprit (for the summary and the checks)."""

    def __init__(self, message: str, *, reason: str, attribute: str = "") -> None:
        super().__init__(message, reason=reason)
        self.attribute = attribute


@dataclass(frozen=True)
class Role:
    code: str
    system: str
    display: str = ""

    @property
    def key(self) -> str:
        return f"{self.code}^{self.system}"


@dataclass(frozen=True)
class VihfClaims:
    """What a DUI puts in a VIHF (builder input)."""

    structure_id: str
    activity_sector: str  # SAxx
    subject_name: str
    roles: tuple[Role, ...]
    patient_ins: str
    patient_oid: str = "1.2.250.1.213.1.4.10"
    purpose_of_use: str = "normal"
    auth_mode: str = "INDIRECTE"
    lps_name: str = "DUI-SOCLE-BENCH"
    lps_version: str = "1.0"
    lps_homologation: str = "HOMOLOGATION-TEST-0001"
    lps_id: str = ""
    subject_nameid: str = ""
    secret_connection: bool = False
    version: str = "3.0"


@dataclass
class Vihf:
    assertion_id: str
    issuer: str
    issue_instant: str
    not_before: datetime | None
    not_on_or_after: datetime | None
    nameid: str
    attributes: dict[str, list[Any]]
    version: str = ""
    structure_id: str = ""
    activity_sector: str = ""
    subject_name: str = ""
    roles: tuple[Role, ...] = ()
    purpose_of_use: str = ""
    patient_ins: str = ""
    patient_oid: str = ""
    auth_mode: str = ""
    lps_name: str = ""
    lps_version: str = ""
    lps_homologation: str = ""
    confidentiality: tuple[str, ...] = ()
    signer_dn: str = ""
    signed: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def secret_connection(self) -> bool:
        return SECRET_CODE in self.confidentiality

    @property
    def profession(self) -> Role | None:
        return self.roles[0] if self.roles else None

    def summary(self) -> dict[str, Any]:
        return {"structure": self.structure_id, "secteur": self.activity_sector, "utilisateur": self.subject_name,
                "roles": [r.key for r in self.roles], "mode_acces": self.purpose_of_use,
                "ins": self.patient_ins, "oid": self.patient_oid, "authentification": self.auth_mode,
                "lps": f"{self.lps_name} {self.lps_version}", "connexion_secrete": self.secret_connection,
                "signataire": self.signer_dn}


# --- building ----------------------------------------------------------------------------------


def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _attribute(parent: etree._Element, name: str, value: str | etree._Element) -> None:
    attr = etree.SubElement(parent, f"{{{SAML_NS}}}Attribute", Name=name)
    av = etree.SubElement(attr, f"{{{SAML_NS}}}AttributeValue")
    if isinstance(value, str):
        av.text = value
    else:
        av.append(value)


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
    now = now or datetime.now(timezone.utc)
    aid = assertion_id or "_" + uuid.uuid4().hex
    root = etree.Element(f"{{{SAML_NS}}}Assertion", nsmap={"saml2": SAML_NS}, ID=aid, IssueInstant=_iso(now),
                         Version="2.0")
    etree.SubElement(root, f"{{{SAML_NS}}}Issuer", Format=X509_SUBJECT_FORMAT).text = issuer_dn
    etree.SubElement(root, f"{{{DS_NS}}}Signature", Id="placeholder", nsmap={"ds": DS_NS})
    subject = etree.SubElement(root, f"{{{SAML_NS}}}Subject")
    etree.SubElement(subject, f"{{{SAML_NS}}}NameID").text = claims.subject_nameid or claims.subject_name
    etree.SubElement(root, f"{{{SAML_NS}}}Conditions", NotBefore=_iso(now - timedelta(minutes=5)),
                     NotOnOrAfter=_iso(now + validity))
    authn = etree.SubElement(root, f"{{{SAML_NS}}}AuthnStatement", AuthnInstant=_iso(now))
    ctx = etree.SubElement(etree.SubElement(authn, f"{{{SAML_NS}}}AuthnContext"), f"{{{SAML_NS}}}AuthnContextClassRef")
    ctx.text = "urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient"
    stmt = etree.SubElement(root, f"{{{SAML_NS}}}AttributeStatement")
    _attribute(stmt, A_VERSION, claims.version)
    _attribute(stmt, A_STRUCTURE, claims.structure_id)
    _attribute(stmt, A_SECTOR, f"{claims.activity_sector}^1.2.250.1.71.4.2.4")
    _attribute(stmt, A_SUBJECT_ID, claims.subject_name)
    role_attr = etree.SubElement(stmt, f"{{{SAML_NS}}}Attribute", Name=A_ROLE)
    for role in claims.roles:
        etree.SubElement(role_attr, f"{{{SAML_NS}}}AttributeValue").append(
            _ce("Role", role.code, role.system, role.display))
    _attribute(stmt, A_PURPOSE, _ce("PurposeOfUse", claims.purpose_of_use, "1.2.250.1.213.1.1.4.248",
                                    {"normal": "Accès normal"}.get(claims.purpose_of_use, claims.purpose_of_use),
                                    "mode acces VIHF 1.0"))
    _attribute(stmt, A_RESOURCE_ID, f"{claims.patient_ins}^^^&{claims.patient_oid}&ISO^NH")
    _attribute(stmt, A_RESOURCE_URN, "urn:dmp")
    _attribute(stmt, A_AUTH_MODE, claims.auth_mode)
    if claims.secret_connection:
        _attribute(stmt, A_CONFIDENTIALITY, _ce("ConfidentialityCode", SECRET_CODE, "1.2.250.1.213.1.1.4.13"))
    _attribute(stmt, A_LPS_NAME, claims.lps_name)
    _attribute(stmt, A_LPS_VERSION, claims.lps_version)
    _attribute(stmt, A_LPS_HOMOLOGATION, claims.lps_homologation)
    if claims.lps_id:
        _attribute(stmt, A_LPS_ID, claims.lps_id)
    return root


def build_vihf(claims: VihfClaims, cert: x509.Certificate, key: Any, *, now: datetime | None = None,
               validity: timedelta = timedelta(hours=8), sha1: bool = False) -> etree._Element:
    """Signed assertion (enveloped XML-DSig, exclusive c14n, KeyInfo/X509Certificate)."""
    from signxml import XMLSigner

    from simulators.core.pki.profiles import dn_string

    assertion = build_assertion(claims, dn_string(cert.subject), now=now, validity=validity)
    signer = XMLSigner(signature_algorithm="rsa-sha1" if sha1 else "rsa-sha256",
                       digest_algorithm="sha1" if sha1 else "sha256",
                       c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    return signer.sign(assertion, key=key, cert=[cert_pem], reference_uri="#" + assertion.get("ID"),
                       id_attribute="ID")


def security_header(assertion: etree._Element) -> etree._Element:
    header = etree.Element(f"{{{WSSE_NS}}}Security", nsmap={"wsse": WSSE_NS})
    header.append(assertion)
    return header


# --- parsing (no cryptography) -------------------------------------------------------------------


def find_assertion(security: etree._Element | None) -> etree._Element:
    if security is None:
        raise VihfError("En-tête wsse:Security absent : le jeton VIHF est obligatoire.", reason="vihf_missing")
    assertion = security.find(f"{{{SAML_NS}}}Assertion")
    if assertion is None:
        raise VihfError("wsse:Security ne contient pas d'assertion SAML 2.0 (VIHF).", reason="vihf_missing")
    return assertion


def _value(av: etree._Element) -> Any:
    child = next((c for c in av if isinstance(c.tag, str)), None)
    if child is None:
        return (av.text or "").strip()
    return Role(child.get("code", ""), child.get("codeSystem", ""), child.get("displayName", ""))


def _time(value: str | None, what: str) -> datetime | None:
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise VihfError(f"VIHF : {what} n'est pas une date ISO 8601 ({value!r}).", reason="vihf_time") from None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _one(attrs: dict[str, list[Any]], name: str) -> Any:
    values = attrs.get(name) or [""]
    return values[0]


def parse_vihf(assertion: etree._Element, vs: ValueSets) -> Vihf:
    """Structure and attribute rules of dmp.md §3; raises VihfError naming the first problem."""
    if assertion.tag != f"{{{SAML_NS}}}Assertion":
        raise VihfError("Le jeton VIHF doit être une saml2:Assertion.", reason="vihf_structure")
    if assertion.get("Version") != "2.0" or not assertion.get("ID") or not assertion.get("IssueInstant"):
        raise VihfError("Assertion SAML : attributs Version=\"2.0\", ID et IssueInstant obligatoires.",
                        reason="vihf_structure")
    issuer = assertion.find(f"{{{SAML_NS}}}Issuer")
    if issuer is None or not (issuer.text or "").strip():
        raise VihfError("VIHF : élément Issuer absent ou vide (DN du certificat de signature attendu).",
                        reason="vihf_issuer", attribute="Issuer")
    nameid = assertion.find(f"{{{SAML_NS}}}Subject/{{{SAML_NS}}}NameID")
    if nameid is None or not (nameid.text or "").strip():
        raise VihfError("VIHF : Subject/NameID absent ou vide.", reason="vihf_structure", attribute="NameID")
    cond = assertion.find(f"{{{SAML_NS}}}Conditions")
    attrs: dict[str, list[Any]] = {}
    for attr in assertion.iterfind(f"{{{SAML_NS}}}AttributeStatement/{{{SAML_NS}}}Attribute"):
        attrs.setdefault(attr.get("Name", ""), []).extend(_value(av) for av in attr.iterfind(f"{{{SAML_NS}}}AttributeValue"))
    if "Authentification_mode" in attrs and A_AUTH_MODE not in attrs:
        attrs[A_AUTH_MODE] = attrs["Authentification_mode"]
    vihf = Vihf(assertion_id=assertion.get("ID", ""), issuer=(issuer.text or "").strip(),
                issue_instant=assertion.get("IssueInstant", ""),
                not_before=_time(cond.get("NotBefore") if cond is not None else None, "Conditions/@NotBefore"),
                not_on_or_after=_time(cond.get("NotOnOrAfter") if cond is not None else None, "Conditions/@NotOnOrAfter"),
                nameid=(nameid.text or "").strip(), attributes=attrs)
    _check_attributes(vihf, attrs, vs)
    return vihf


def _missing(name: str) -> VihfError:
    return VihfError(f"VIHF : attribut obligatoire {name} absent ou vide.", reason="vihf_attribute_missing",
                     attribute=name)


def _check_attributes(v: Vihf, attrs: dict[str, list[Any]], vs: ValueSets) -> None:
    rules = vs.vihf
    for name in REQUIRED:
        values = attrs.get(name) or []
        if not values or all(val in ("", None) for val in values):
            raise _missing(name)
    v.version = str(_one(attrs, A_VERSION))
    if v.version not in rules["versions"]:
        raise VihfError(f"VIHF : VIHF_Version {v.version!r} non admis (attendu {' ou '.join(rules['versions'])}).",
                        reason="vihf_version", attribute=A_VERSION)
    v.structure_id = str(_one(attrs, A_STRUCTURE))
    if not v.structure_id[:1].isdigit():
        raise VihfError(f"VIHF : Identifiant_Structure {v.structure_id!r} n'est pas un identifiant national de "
                        "structure (1+FINESS, 3+SIRET...).", reason="vihf_structure_id", attribute=A_STRUCTURE)
    sector = str(_one(attrs, A_SECTOR))
    code, _, system = sector.partition("^")
    if not code or system != rules["activity_sector_system"]:
        raise VihfError(f"VIHF : Secteur_Activite {sector!r} doit être de la forme code^{rules['activity_sector_system']}.",
                        reason="vihf_sector", attribute=A_SECTOR)
    v.activity_sector = code
    v.subject_name = str(_one(attrs, A_SUBJECT_ID))
    v.roles = _check_roles(attrs.get(A_ROLE) or [], rules)
    purpose = _one(attrs, A_PURPOSE)
    pcode = purpose.code if isinstance(purpose, Role) else str(purpose)
    psys = purpose.system if isinstance(purpose, Role) else rules["purposes_of_use"]["system"]
    if pcode not in rules["purposes_of_use"]["codes"] or psys != rules["purposes_of_use"]["system"]:
        raise VihfError(f"VIHF : purposeofuse {pcode!r} (système {psys}) non admis ; attendu normal, bris_de_glace ou "
                        "centre_15 du système 1.2.250.1.213.1.1.4.248.", reason="vihf_purpose", attribute=A_PURPOSE)
    v.purpose_of_use = pcode
    v.patient_ins, v.patient_oid = _check_resource_id(str(_one(attrs, A_RESOURCE_ID)), rules)
    if _one(attrs, A_RESOURCE_URN) != "urn:dmp":
        raise VihfError(f"VIHF : Ressource_URN vaut {_one(attrs, A_RESOURCE_URN)!r}, attendu 'urn:dmp'.",
                        reason="vihf_resource_urn", attribute=A_RESOURCE_URN)
    v.auth_mode = str(_one(attrs, A_AUTH_MODE))
    if v.auth_mode not in rules["authentication_modes"]:
        raise VihfError(f"VIHF : Authentification_Mode {v.auth_mode!r} non admis (attendu DIRECTE, INDIRECTE ou "
                        "INDIRECTE_RENFORCEE).", reason="vihf_auth_mode", attribute=A_AUTH_MODE)
    v.lps_name, v.lps_version = str(_one(attrs, A_LPS_NAME)), str(_one(attrs, A_LPS_VERSION))
    v.lps_homologation = str(_one(attrs, A_LPS_HOMOLOGATION))
    codes = []
    for value in attrs.get(A_CONFIDENTIALITY) or []:
        c = value.code if isinstance(value, Role) else str(value).partition("^")[0]
        if c not in rules["confidentiality"]["codes"]:
            raise VihfError(f"VIHF : code de confidentialité {c!r} non admis ; seul INVISIBLE_REPRESENTANTS_LEGAUX "
                            "est autorisé (connexion secrète).", reason="vihf_confidentiality", attribute=A_CONFIDENTIALITY)
        codes.append(c)
    v.confidentiality = tuple(codes)


def _check_roles(values: list[Any], rules: dict[str, Any]) -> tuple[Role, ...]:
    roles = [r for r in values if isinstance(r, Role)]
    if not roles or len(roles) != len(values):
        raise VihfError("VIHF : l'attribut role doit contenir des éléments Role (xsi:type CE) avec code et codeSystem.",
                        reason="vihf_role", attribute=A_ROLE)
    if len(roles) > 2:
        raise VihfError(f"VIHF : {len(roles)} valeurs de rôle, au plus 2 attendues.", reason="vihf_role", attribute=A_ROLE)
    first = roles[0]
    system = rules["roles"].get(first.system)
    if system is None or first.code not in system["codes"]:
        raise VihfError(f"VIHF : rôle {first.code}^{first.system} hors du jeu de valeurs JDV_J65_SubjectRole_DMP.",
                        reason="vihf_role", attribute=A_ROLE)
    if first.code in system.get("second_role_required", ()) and len(roles) < 2:
        raise VihfError(f"VIHF : la profession {first.code} exige un second rôle (savoir-faire ou section ordinale).",
                        reason="vihf_role", attribute=A_ROLE)
    if len(roles) == 2 and roles[1].system not in rules["second_role_systems"]:
        raise VihfError(f"VIHF : second rôle {roles[1].code}^{roles[1].system} : système non admis.",
                        reason="vihf_role", attribute=A_ROLE)
    return tuple(roles)


def _check_resource_id(value: str, rules: dict[str, Any]) -> tuple[str, str]:
    from simulators.identities.nir import explain_nir

    parts = value.split("^")
    if len(parts) != 5 or parts[4] != "NH" or parts[3].count("&") != 2 or not parts[3].endswith("&ISO"):
        raise VihfError(f"VIHF : resource-id {value!r} n'est pas un CX <INS>^^^&<OID>&ISO^NH.",
                        reason="vihf_resource_id", attribute=A_RESOURCE_ID)
    ins, oid = parts[0], parts[3].split("&")[1]
    if oid not in rules["ins_oids"]:
        raise VihfError(f"VIHF : resource-id : OID {oid} non autorisé pour un INS (attendu "
                        f"{', '.join(rules['ins_oids'])}).", reason="vihf_ins_oid", attribute=A_RESOURCE_ID)
    reason = explain_nir(ins)
    if reason:
        raise VihfError(f"VIHF : resource-id : matricule INS {ins!r} invalide ({reason}).",
                        reason="vihf_ins", attribute=A_RESOURCE_ID)
    return ins, oid


# --- verification ---------------------------------------------------------------------------------


def _norm_dn(dn: str) -> frozenset[str]:
    parts = [p.strip() for p in dn.replace(";", ",").split(",") if p.strip()]
    return frozenset(p.split("=", 1)[0].strip().upper() + "=" + p.split("=", 1)[-1].strip().upper() for p in parts)


@dataclass
class VihfTrust:
    """Issuing CAs the bench accepts for VIHF signers, and a revocation test (serial -> revoked?)."""

    authorities: list[x509.Certificate]
    is_revoked: Any = None  # Callable[[x509.Certificate], bool] | None

    @classmethod
    def from_pki(cls, pki: Any) -> "VihfTrust":
        cas = [pki.authority_certificate(s) for s in ("organisations", "personnes")]

        def revoked(cert: x509.Certificate) -> bool:
            for slug in ("organisations", "personnes"):
                if pki.crl(slug).get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
                    return True
            return False

        return cls(cas, revoked)


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
        now = now or datetime.now(timezone.utc)
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
            if vihf.auth_mode != "DIRECTE" and tls_subject and _norm_dn(tls_subject) != _norm_dn(vihf.signer_dn):
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
        if self.trust is None:
            return parse_vihf(assertion, self.vs), None
        cert = _signer_certificate(signature)
        signed = self._check_signature(raw, cert, assertion.get("ID", ""))
        vihf = parse_vihf(signed, self.vs)
        from simulators.core.pki.profiles import dn_string

        vihf.signer_dn = dn_string(cert.subject)
        vihf.signed = True
        if vihf.issuer.replace(" ", "").startswith(("G=", "S=")) or ",G=" in vihf.issuer or ",S=" in vihf.issuer:
            raise VihfError(f"VIHF : Issuer {vihf.issuer!r} utilise G=/S= ; le CI-SIS exige GN=/ST=.",
                            reason="vihf_issuer", attribute="Issuer")
        if _norm_dn(vihf.issuer) != _norm_dn(vihf.signer_dn):
            raise VihfError(f"VIHF : Issuer {vihf.issuer!r} ne correspond pas au DN du certificat de signature "
                            f"{vihf.signer_dn!r}.", reason="vihf_issuer", attribute="Issuer")
        ou = [a.value for a in cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME)]
        if ou and vihf.auth_mode != "DIRECTE" and vihf.structure_id not in ou:
            raise VihfError(f"VIHF : Identifiant_Structure {vihf.structure_id} ne correspond pas à la structure du "
                            f"certificat de signature (OU={ou[0]}).", reason="vihf_structure_id", attribute=A_STRUCTURE)
        return vihf, cert

    def _check_signature(self, raw: bytes, cert: x509.Certificate, assertion_id: str) -> etree._Element:
        from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier
        from signxml.exceptions import InvalidInput, InvalidSignature

        config = SignatureConfiguration(
            signature_methods=frozenset({SignatureMethod.RSA_SHA1, SignatureMethod.RSA_SHA256,
                                         SignatureMethod.ECDSA_SHA256}),
            digest_algorithms=frozenset({DigestAlgorithm.SHA1, DigestAlgorithm.SHA256}),
            ignore_ambiguous_key_info=True)
        try:
            result = XMLVerifier().verify(raw, x509_cert=cert, id_attribute="ID", expect_config=config)
        except (InvalidSignature, InvalidInput) as exc:
            raise VihfError(f"VIHF : signature XML-DSig invalide ({exc}).", reason="vihf_signature",
                            attribute="Signature") from None
        except Exception as exc:  # signxml raises several lxml/crypto errors on garbage
            raise VihfError(f"VIHF : signature XML-DSig illisible ({type(exc).__name__}: {exc}).",
                            reason="vihf_signature", attribute="Signature") from None
        signed = result.signed_xml
        if signed is None or signed.tag != f"{{{SAML_NS}}}Assertion" or signed.get("ID") != assertion_id:
            raise VihfError("VIHF : la signature ne couvre pas l'assertion elle-même (référence #ID attendue).",
                            reason="vihf_signature", attribute="Signature")
        return parse_xml(to_bytes(signed))

    def _check_time(self, v: Vihf, now: datetime) -> None:
        issued = _time(v.issue_instant, "IssueInstant")
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


def check_certificate(trust: VihfTrust, cert: x509.Certificate, now: datetime, *, what: str) -> None:
    """Chain to a trusted issuing CA, validity dates, revocation; VihfError otherwise."""
    issuer = next((ca for ca in trust.authorities if ca.subject == cert.issuer), None)
    if issuer is None:
        raise VihfError(f"{what} émis par une autorité non reconnue ({cert.issuer.rfc4514_string()}).",
                        reason="vihf_cert_untrusted", attribute="Signature")
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:
        raise VihfError(f"{what} : signature du certificat par son autorité invalide.",
                        reason="vihf_cert_untrusted", attribute="Signature") from None
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise VihfError(f"{what} hors validité (du {cert.not_valid_before_utc:%Y-%m-%d} au "
                        f"{cert.not_valid_after_utc:%Y-%m-%d}).", reason="vihf_cert_expired", attribute="Signature")
    if trust.is_revoked is not None and trust.is_revoked(cert):
        raise VihfError(f"{what} révoqué.", reason="vihf_cert_revoked", attribute="Signature")


def _signer_certificate(signature: etree._Element) -> x509.Certificate:
    import base64

    el = signature.find(f"{{{DS_NS}}}KeyInfo/{{{DS_NS}}}X509Data/{{{DS_NS}}}X509Certificate")
    if el is None or not (el.text or "").strip():
        raise VihfError("VIHF : KeyInfo/X509Data/X509Certificate absent de la signature.", reason="vihf_signature",
                        attribute="Signature")
    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join((el.text or "").split())))
    except Exception:
        raise VihfError("VIHF : certificat X509 de la signature illisible.", reason="vihf_signature",
                        attribute="Signature") from None
