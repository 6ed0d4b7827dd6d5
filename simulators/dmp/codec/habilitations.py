"""TD0.3 habilitation messages (`urn:si-dmp-habilitations`), sans-IO. The body shape beyond the
element names seen in DRIMbox and the TLSi kit is UNCONFIRMED: `action` (AJOUT | SUPPRESSION),
optional `role` (MEDECIN_TRAITANT), `modeType` for the list; the patient comes from the VIHF."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from simulators.core.errors import ProtocolError

NS = "urn:si-dmp-habilitations"
SET = "setAuthorization"
LIST = "listAuthorizationByPatient"
ACTION_PREFIX = "urn:si-dmp-habilitations:HabilitationsEndPoint:"


def h(tag: str) -> str:
    return f"{{{NS}}}{tag}"


@dataclass(frozen=True)
class HabilitationRequest:
    operation: str  # setAuthorization | listAuthorizationByPatient
    action: str = ""  # AJOUT | SUPPRESSION
    role: str = ""  # MEDECIN_TRAITANT
    mode: str = ""  # TOUTE...


@dataclass(frozen=True)
class AuthorizationLine:
    structure_id: str
    status: str
    treating_physician: bool
    subject: str = ""


def parse_request(root: etree._Element) -> HabilitationRequest:
    q = etree.QName(root)
    if q.namespace != NS or q.localname not in (SET, LIST):
        raise ProtocolError(f"setAuthorization ou listAuthorizationByPatient ({NS}) attendu, reçu {root.tag}.",
                            reason="habilitation_unknown")
    if q.localname == LIST:
        return HabilitationRequest(LIST, mode=(root.findtext(h("modeType")) or "TOUTE").strip())
    action = (root.findtext(h("action")) or "").strip()
    if action not in ("AJOUT", "SUPPRESSION"):
        raise ProtocolError(f"setAuthorization : action {action!r} non admise (AJOUT ou SUPPRESSION).",
                            reason="habilitation_action")
    return HabilitationRequest(SET, action=action, role=(root.findtext(h("role")) or "").strip())


def build_request(req: HabilitationRequest) -> etree._Element:
    root = etree.Element(h(req.operation), nsmap={None: NS})
    if req.operation == LIST:
        etree.SubElement(root, h("modeType")).text = req.mode or "TOUTE"
    else:
        etree.SubElement(root, h("action")).text = req.action
        if req.role:
            etree.SubElement(root, h("role")).text = req.role
    return root


def build_set_response(status: str, authorization: str, message: str = "") -> etree._Element:
    root = etree.Element(h("setAuthorizationResponse"), nsmap={None: NS})
    etree.SubElement(root, h("status")).text = status
    etree.SubElement(root, h("authorizationStatus")).text = authorization
    if message:
        etree.SubElement(root, h("message")).text = message
    return root


def build_list_response(lines: list[AuthorizationLine]) -> etree._Element:
    root = etree.Element(h("listAuthorizationByPatientResponse"), nsmap={None: NS})
    for line in lines:
        el = etree.SubElement(root, h("authorization"))
        etree.SubElement(el, h("structureId")).text = line.structure_id
        etree.SubElement(el, h("status")).text = line.status
        etree.SubElement(el, h("treatingPhysician")).text = "true" if line.treating_physician else "false"
    return root


def parse_response(root: etree._Element) -> dict[str, object]:
    if etree.QName(root).localname == "listAuthorizationByPatientResponse":
        return {"authorizations": [AuthorizationLine(a.findtext(h("structureId")) or "", a.findtext(h("status")) or "",
                                                     (a.findtext(h("treatingPhysician")) or "") == "true")
                                   for a in root.iterfind(h("authorization"))]}
    return {"status": root.findtext(h("status")) or "", "authorization": root.findtext(h("authorizationStatus")) or "",
            "message": root.findtext(h("message")) or ""}
