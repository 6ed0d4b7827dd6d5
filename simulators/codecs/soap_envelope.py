"""SOAP 1.2 envelopes: parse a request (or a peer's fault), write an envelope, judge mustUnderstand.

Every parsing failure surfaces as `SoapError` holding a Sender (or VersionMismatch) fault, so an
adapter answers with `fault_to_bytes(err.fault)` and nothing from lxml escapes to the wire. Payload
elements are serialised by lxml, which carries their namespace declarations along, so templates
never need to know a payload's namespaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from simulators.codecs.errors import ProtocolError, XmlRejected
from simulators.codecs.soap_addressing import Addressing, addressing_headers, read_addressing
from simulators.codecs.soap_base import (
    FAULT_CODES, MU_TRUE, ROLE_NEXT, ROLE_ULTIMATE_RECEIVER, SOAP12_MEDIA_TYPE, SOAP12_NS, SOAP11_NS, WSA_HEADERS,
    XML_NS, QName, QNameLike, XmlInput, assemble_envelope, check_prefix, child_elements, parse_content_type,
    to_qname, xml_bytes,
)
from simulators.codecs.soap_fault import SoapError, SoapFault
from simulators.codecs.xmlsafe import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, parse_xml


@dataclass
class SoapEnvelope:
    root: etree._Element
    header: etree._Element | None
    headers: list[etree._Element]
    body: etree._Element
    body_children: list[etree._Element]
    payload: etree._Element | None
    addressing: Addressing
    content_type_action: str | None = None

    @property
    def action(self) -> str | None:
        return self.addressing.action or self.content_type_action

    def find_header(self, name: QNameLike) -> etree._Element | None:
        ns, local = to_qname(name)
        tag = f"{{{ns}}}{local}" if ns else local
        return next((h for h in self.headers if h.tag == tag), None)

    def must_understand_headers(
        self, roles: Iterable[str] = (ROLE_NEXT, ROLE_ULTIMATE_RECEIVER)
    ) -> list[etree._Element]:
        """Header blocks targeted at this node (ultimate receiver) that it is obliged to process."""
        wanted = set(roles)
        found = []
        for h in self.headers:
            flag = (h.get(f"{{{SOAP12_NS}}}mustUnderstand") or "").strip()
            role = (h.get(f"{{{SOAP12_NS}}}role") or ROLE_ULTIMATE_RECEIVER).strip()
            if flag in MU_TRUE and role in wanted:
                found.append(h)
        return found


def not_understood(envelope: SoapEnvelope, understood: Iterable[QNameLike]) -> list[QName]:
    known = {to_qname(q) for q in understood} | WSA_HEADERS
    missing = []
    for h in envelope.must_understand_headers():
        q = etree.QName(h)
        if (q.namespace, q.localname) not in known:
            missing.append((q.namespace, q.localname))
    return missing


def check_media_type(content_type: str | None, accepted: Iterable[str] = (SOAP12_MEDIA_TYPE,), *,
                     required: bool = False) -> None:
    """SOAP 1.2 HTTP binding (Part 2 §7.1.4): a request declared as anything but application/soap+xml
    is refused; a request with no Content-Type at all only when `required`."""
    media = parse_content_type(content_type)[0]
    wanted = tuple(accepted)
    if (media or required) and media not in wanted:
        got = f"« {media} »" if media else "aucun"
        raise SoapError.sender(
            f"Type de contenu {got} refusé : {' ou '.join(wanted)} attendu (SOAP 1.2).", reason="media_type"
        )


def check_must_understand(envelope: SoapEnvelope, understood: Iterable[QNameLike]) -> None:
    """Raise the MustUnderstand fault (with NotUnderstood headers) SOAP 1.2 §5.2.3 requires."""
    missing = not_understood(envelope, understood)
    if missing:
        names = ", ".join(f"{{{ns}}}{local}" for ns, local in missing)
        raise SoapError.must_understand(
            f"En-tête(s) SOAP obligatoire(s) non pris en charge : {names}.", not_understood=missing
        )

def parse_envelope(
    data: bytes,
    content_type: str | None = None,
    *,
    single_body_child: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> SoapEnvelope:
    """Read a SOAP 1.2 request; document/literal wants exactly one Body child unless told otherwise."""
    try:
        root = parse_xml(data, max_bytes=max_bytes, max_depth=max_depth)
    except XmlRejected as exc:
        raise SoapError.from_protocol_error(exc) from exc
    if root.tag != f"{{{SOAP12_NS}}}Envelope":
        soap11 = root.tag == f"{{{SOAP11_NS}}}Envelope"
        got = "une enveloppe SOAP 1.1" if soap11 else f"l'élément {root.tag}"
        raise SoapError.version_mismatch(f"Enveloppe SOAP 1.2 attendue, reçu {got}.")
    children = child_elements(root)
    header = None
    if children and children[0].tag == f"{{{SOAP12_NS}}}Header":
        header = children.pop(0)
    if not children or children[0].tag != f"{{{SOAP12_NS}}}Body":
        raise SoapError.sender("Enveloppe SOAP sans élément Body.", reason="missing_body")
    if len(children) > 1:
        raise SoapError.sender("Élément inattendu après le Body SOAP.", reason="after_body")
    body = children[0]
    body_children = child_elements(body)
    if single_body_child and len(body_children) != 1:
        what = "vide" if not body_children else f"avec {len(body_children)} éléments"
        raise SoapError.sender(
            f"Body SOAP {what} : un seul élément est attendu (document/literal).",
            reason="body_children",
        )
    headers = child_elements(header) if header is not None else []
    if any(not h.tag.startswith("{") for h in headers):
        raise SoapError.sender(
            "Bloc d'en-tête SOAP sans espace de noms (SOAP 1.2 §5.2.1).", reason="unqualified_header"
        )
    return SoapEnvelope(
        root=root,
        header=header,
        headers=headers,
        body=body,
        body_children=body_children,
        payload=body_children[0] if body_children else None,
        addressing=read_addressing(headers),
        content_type_action=parse_content_type(content_type)[1].get("action"),
    )

def build_envelope(
    body: XmlInput | None,
    *,
    headers: Sequence[XmlInput] = (),
    addressing: Addressing | None = None,
    nsmap: dict[str, str] | None = None,
    envelope_prefix: str = "soap",
    body_prefix: str | None = None,
    body_nsmap: dict[str, str] | None = None,
    wsa_prefix: str | None = "wsa",
    xml_declaration: bool = False,
) -> bytes:
    """Envelope bytes; addressing headers follow `headers`. wsa_prefix=None writes xmlns="…" (DMP style).

    `nsmap` adds declarations on Envelope, `body_nsmap` on Body (INSi: body_prefix="env",
    body_nsmap={"S": SOAP12_NS} gives its recorded `<env:Body xmlns:S=… xmlns:env=…>`).
    """
    items = [xml_bytes(h).decode("utf-8") for h in headers]
    if addressing is not None:
        wsa = check_prefix(wsa_prefix) if wsa_prefix else None
        items += addressing_headers(addressing, wsa, envelope_prefix)
    content = xml_bytes(body).decode("utf-8") if body is not None else ""
    return assemble_envelope(
        items, content, envelope_prefix=envelope_prefix, body_prefix=body_prefix,
        body_nsmap=body_nsmap, nsmap=nsmap, xml_declaration=xml_declaration,
    )

def _resolve_qname(el: etree._Element, text: str | None) -> QName:
    prefix, _, local = (text or "").strip().rpartition(":")
    return (el.nsmap.get(prefix or None), local)


def parse_fault(data: bytes, content_type: str | None = None) -> SoapFault:
    """Read a fault a peer sent (client side, conformance); raises ProtocolError if it is not one."""
    env = parse_envelope(data, content_type)
    f = env.payload
    if f is None or f.tag != f"{{{SOAP12_NS}}}Fault":
        raise ProtocolError("La réponse SOAP ne contient pas de Fault.", reason="not_a_fault")
    s = f"{{{SOAP12_NS}}}"
    value = f.find(f"{s}Code/{s}Value")
    if value is None:
        raise ProtocolError("Fault SOAP sans Code/Value.", reason="fault_without_code")
    ns, local = _resolve_qname(value, value.text)
    if ns != SOAP12_NS or local not in FAULT_CODES:
        raise ProtocolError(f"Code de Fault SOAP inconnu : {value.text!r}.", reason="fault_code_unknown")
    subcodes: list[QNameLike] = []
    sub = f.find(f"{s}Code/{s}Subcode")
    while sub is not None:
        v = sub.find(f"{s}Value")
        if v is not None:
            subcodes.append(_resolve_qname(v, v.text))
        sub = sub.find(f"{s}Subcode")
    text = f.find(f"{s}Reason/{s}Text")
    detail = f.find(f"{s}Detail")
    node, role = f.find(f"{s}Node"), f.find(f"{s}Role")
    nu: list[QNameLike] = [_resolve_qname(h, h.get("qname")) for h in env.headers if h.tag == f"{s}NotUnderstood"]
    return SoapFault(
        code=local,
        reason=(text.text or "") if text is not None else "",
        subcodes=subcodes,
        lang=(text.get(f"{{{XML_NS}}}lang") or "") if text is not None else "",
        detail=child_elements(detail) if detail is not None else None,
        node=node.text if node is not None else None,
        role=role.text if role is not None else None,
        not_understood=nu,
    )
