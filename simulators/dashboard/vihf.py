"""VIHF (and other SAML 2.0) attributes carried in wsse:Security, decoded for a human.

A trainer explaining why the DMP refused a document must show *who* the DUI claimed to be
(profession, structure, purpose of use, access mode), so the detail panel lists each attribute
with a French label and its coded values spelled out ("10 — Médecin (1.2.250.1.71.1.2.7)").
Labels are kept here, not borrowed from the DMP package: the dashboard reads the wire, whatever
service produced it; the SAML reading itself is the codec `simulators.codecs.saml`.
"""

from __future__ import annotations

from lxml import etree

from simulators.codecs import saml
from simulators.codecs.saml import SAML_NS  # noqa: F401 - re-exported
from simulators.codecs.xmlsafe import parse_xml

LABELS_FR: dict[str, str] = {
    "VIHF_Version": "Version du VIHF",
    "Identifiant_Structure": "Identifiant de la structure",
    "Secteur_Activite": "Secteur d'activité",
    "urn:oasis:names:tc:xspa:1.0:subject:subject-id": "Nom de l'utilisateur",
    "urn:oasis:names:tc:xacml:2.0:subject:role": "Rôle (profession, spécialité)",
    "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse": "Finalité de l'accès (mode d'accès)",
    "urn:oasis:names:tc:xacml:2.0:resource:resource-id": "Patient concerné (INS)",
    "Ressource_URN": "Ressource visée",
    "Authentification_Mode": "Mode d'authentification",
    "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code": "Codes de confidentialité",
    "LPS_Nom": "Nom du logiciel",
    "LPS_Version": "Version du logiciel",
    "LPS_ID_HOMOLOGATION_DMP": "Numéro d'homologation DMP du logiciel",
    "LPS_ID": "Identifiant de l'instance du logiciel",
    "urn:oasis:names:tc:xspa:1.0:subject:organization": "Structure",
    "urn:oasis:names:tc:xspa:1.0:subject:organization-id": "Identifiant de la structure",
    "Ressource_ID": "Ressource",
    "Mode_Acces": "Mode d'accès",
}


AssertionView = saml.AssertionSummary  # the view the detail panel renders (to_json)


def decode_assertions(xml_texts: list[bytes]) -> list[AssertionView]:
    """Every SAML assertion found in the given XML documents (unreadable documents are ignored)."""
    found: list[AssertionView] = []
    for text in xml_texts:
        try:
            root = parse_xml(text)
        except Exception:  # noqa: BLE001, S112 - the body view already says why it is unreadable
            continue
        found.extend(_assertion(assertion) for assertion in saml.find_assertions(root))
    return found


def _assertion(el: etree._Element) -> AssertionView:
    return saml.summarize(el, labels=LABELS_FR, value_text=_value)


def _value(value: etree._Element) -> str:
    """Plain text, or the coded elements (hl7:Role, hl7:PurposeOfUse...) it holds, spelled out."""
    coded = [child for child in value if isinstance(child.tag, str)]
    if not coded:
        return (value.text or "").strip()
    return " ; ".join(_coded(child) for child in coded)


def _coded(el: etree._Element) -> str:
    code, display, system = el.get("code", ""), el.get("displayName", ""), el.get("codeSystem", "")
    text = " — ".join(p for p in (code, display) if p) or (el.text or "").strip()
    return f"{text} ({system})" if system else text
