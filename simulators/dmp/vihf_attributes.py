"""VIHF attributes: the records and the rules of dmp.md §3, without cryptography.

Split from vihf.py so that the conformance checks (which judge recorded tokens) and the server (which
also verifies signatures) share exactly one reading of the attributes. Every refusal is a
`VihfError` whose French message names the faulty attribute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree

from simulators.codecs import saml
from simulators.codecs.saml import DS_NS, SAML_NS, WSSE_NS, X509_SUBJECT_FORMAT, SamlError  # noqa: F401 - re-exported
from simulators.core.errors import ProtocolError
from simulators.dmp.valuesets import ValueSets
from simulators.identities.nir import explain_nir

HL7_NS = "urn:hl7-org:v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

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


# --- parsing (no cryptography) -------------------------------------------------------------------


def find_assertion(security: etree._Element | None) -> etree._Element:
    if security is None:
        raise VihfError("En-tête wsse:Security absent : le jeton VIHF est obligatoire.", reason="vihf_missing")
    assertion = security.find(f"{{{SAML_NS}}}Assertion")
    if assertion is None:
        raise VihfError("wsse:Security ne contient pas d'assertion SAML 2.0 (VIHF).", reason="vihf_missing")
    return assertion


def _value(av: etree._Element) -> Any:
    child = saml.coded_child(av)
    if child is None:
        return (av.text or "").strip()
    return Role(child.get("code", ""), child.get("codeSystem", ""), child.get("displayName", ""))


def parse_time(value: str | None, what: str) -> datetime | None:
    """An xs:dateTime of the VIHF (None when absent); VihfError "vihf_time" naming `what` otherwise."""
    try:
        return saml.parse_instant(value)
    except SamlError:
        raise VihfError(f"VIHF : {what} n'est pas une date ISO 8601 ({value!r}).", reason="vihf_time") from None


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
    issuer = saml.child_text(assertion, "Issuer")
    if not issuer:
        raise VihfError("VIHF : élément Issuer absent ou vide (DN du certificat de signature attendu).",
                        reason="vihf_issuer", attribute="Issuer")
    nameid = saml.child_text(assertion, "Subject/NameID")
    if not nameid:
        raise VihfError("VIHF : Subject/NameID absent ou vide.", reason="vihf_structure", attribute="NameID")
    not_before, not_on_or_after = saml.conditions(assertion)
    attrs: dict[str, list[Any]] = {}
    for attr, values in saml.attributes(assertion):
        attrs.setdefault(attr.get("Name", ""), []).extend(_value(av) for av in values)
    if "Authentification_mode" in attrs and A_AUTH_MODE not in attrs:
        attrs[A_AUTH_MODE] = attrs["Authentification_mode"]
    vihf = Vihf(assertion_id=assertion.get("ID", ""), issuer=issuer, issue_instant=assertion.get("IssueInstant", ""),
                not_before=parse_time(not_before, "Conditions/@NotBefore"),
                not_on_or_after=parse_time(not_on_or_after, "Conditions/@NotOnOrAfter"),
                nameid=nameid, attributes=attrs)
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
