"""SOAP 1.2 envelope and fault codec with WS-Addressing 1.0, sans-IO.

Envelopes and faults are *written* from byte templates rather than through lxml, because the
simulators must reproduce the real services' prefix styles byte for byte (INSi answers
`<soap:Envelope><env:Body xmlns:S=… xmlns:env=…><S:Fault>` with the same namespace under three
prefixes) and lxml picks prefixes itself. Payload elements are serialised by lxml, which carries
their namespace declarations along, so templates never need to know a payload's namespaces.

Every parsing failure surfaces as `SoapError` holding a Sender (or VersionMismatch) fault, so an
adapter answers with `fault_to_bytes(err.fault)` and nothing from lxml escapes to the wire.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lxml import etree

from simulators.core.errors import ProtocolError, SoapError, XmlRejected
from simulators.core.xmlsafe import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, parse_xml, to_bytes

SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
WSA_NS = "http://www.w3.org/2005/08/addressing"
ROLE_NEXT = SOAP12_NS + "/role/next"
ROLE_NONE = SOAP12_NS + "/role/none"
ROLE_ULTIMATE_RECEIVER = SOAP12_NS + "/role/ultimateReceiver"
SOAP12_MEDIA_TYPE = "application/soap+xml"
SOAP12_CONTENT_TYPE = "application/soap+xml; charset=utf-8"
FAULT_CODES = ("VersionMismatch", "MustUnderstand", "DataEncodingUnknown", "Sender", "Receiver")
WSA_HEADERS = frozenset(
    (WSA_NS, name) for name in ("Action", "MessageID", "To", "RelatesTo", "ReplyTo", "FaultTo", "From")
)

QName = tuple[str | None, str]  # (namespace, local name)
QNameLike = QName | etree.QName | str
XmlInput = etree._Element | bytes

_PARAM_RE = re.compile(r'\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))\s*(?:;|$)', re.S)
_PREFIX_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TRUE = ("true", "1")


# --- Content-Type --------------------------------------------------------------------------


def parse_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """Split a MIME Content-Type into lower-cased media type and parameters (RFC 2045 quoting)."""
    if not value:
        return "", {}
    media, _, rest = value.partition(";")
    params: dict[str, str] = {}
    pos = 0
    while pos < len(rest):
        m = _PARAM_RE.match(rest, pos)
        if m is None:
            nxt = rest.find(";", pos)
            if nxt < 0:
                break
            pos = nxt + 1
            continue
        name = m.group(1).lower()
        raw = m.group(2)
        val = re.sub(r"\\(.)", r"\1", raw) if raw is not None else m.group(3).strip()
        params.setdefault(name, val)
        pos = m.end()
    return media.strip().lower(), params


def quote_param(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("header parameter values cannot contain line breaks")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def soap12_content_type(action: str | None = None) -> str:
    """The SOAP 1.2 HTTP binding puts the action in the media type, not in a SOAPAction header."""
    return SOAP12_CONTENT_TYPE if not action else f"{SOAP12_CONTENT_TYPE}; action={quote_param(action)}"


# --- Records -------------------------------------------------------------------------------


@dataclass
class Addressing:
    """WS-Addressing 1.0 message information headers (reply_to is the ReplyTo/Address)."""

    action: str | None = None
    message_id: str | None = None
    to: str | None = None
    relates_to: str | None = None
    reply_to: str | None = None
    must_understand: bool = False  # put soap:mustUnderstand="true" on Action (DMP clients do)


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
            if flag in _TRUE and role in wanted:
                found.append(h)
        return found


def to_qname(value: QNameLike) -> QName:
    """Accept ("ns", "local"), etree.QName, "{ns}local", or a bare local name (SOAP 1.2 namespace)."""
    if isinstance(value, tuple):
        return (value[0] or None, value[1])
    if isinstance(value, etree.QName):
        return (value.namespace, value.localname)
    if value.startswith("{"):
        q = etree.QName(value)
        return (q.namespace, q.localname)
    return (SOAP12_NS, value)


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


# --- Parsing -------------------------------------------------------------------------------


def _elements(parent: etree._Element) -> list[etree._Element]:
    return [c for c in parent if isinstance(c.tag, str)]


def _addressing(headers: list[etree._Element]) -> Addressing:
    seen: dict[str, str] = {}
    action_mu = False
    for h in headers:
        q = etree.QName(h)
        if (q.namespace, q.localname) not in WSA_HEADERS or q.localname in ("FaultTo", "From"):
            continue
        if q.localname in seen:
            raise SoapError.sender(
                f"En-tête WS-Addressing {q.localname} répété.",
                reason="wsa_duplicate",
                subcodes=[(WSA_NS, "InvalidAddressingHeader")],
            )
        if q.localname == "ReplyTo":
            addr = h.find(f"{{{WSA_NS}}}Address")
            seen["ReplyTo"] = (addr.text or "").strip() if addr is not None else ""
        else:
            seen[q.localname] = (h.text or "").strip()
        if q.localname == "Action" and not seen["Action"]:  # an IRI (WS-Addressing 1.0 Core §2.4): never empty
            raise SoapError.sender(
                "En-tête wsa:Action vide : l'action de l'opération est attendue.",
                reason="wsa_empty_action",
                subcodes=[(WSA_NS, "InvalidAddressingHeader")],
            )
        if q.localname == "Action":
            action_mu = (h.get(f"{{{SOAP12_NS}}}mustUnderstand") or "").strip() in _TRUE
    return Addressing(
        action=seen.get("Action"),
        message_id=seen.get("MessageID"),
        to=seen.get("To"),
        relates_to=seen.get("RelatesTo"),
        reply_to=seen.get("ReplyTo"),
        must_understand=action_mu,
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
    children = _elements(root)
    header = None
    if children and children[0].tag == f"{{{SOAP12_NS}}}Header":
        header = children.pop(0)
    if not children or children[0].tag != f"{{{SOAP12_NS}}}Body":
        raise SoapError.sender("Enveloppe SOAP sans élément Body.", reason="missing_body")
    if len(children) > 1:
        raise SoapError.sender("Élément inattendu après le Body SOAP.", reason="after_body")
    body = children[0]
    body_children = _elements(body)
    if single_body_child and len(body_children) != 1:
        what = "vide" if not body_children else f"avec {len(body_children)} éléments"
        raise SoapError.sender(
            f"Body SOAP {what} : un seul élément est attendu (document/literal).",
            reason="body_children",
        )
    headers = _elements(header) if header is not None else []
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
        addressing=_addressing(headers),
        content_type_action=parse_content_type(content_type)[1].get("action"),
    )


# --- Writing -------------------------------------------------------------------------------


def _text(value: str) -> str:
    value = _XML_INVALID_RE.sub("\ufffd", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return '"' + _text(value).replace('"', "&quot;") + '"'


def _check_prefix(prefix: str) -> str:
    if not _PREFIX_RE.match(prefix) or prefix.lower().startswith("xml"):
        raise ValueError(f"invalid XML namespace prefix {prefix!r}")
    return prefix


def _xml_bytes(item: XmlInput) -> bytes:
    if isinstance(item, (bytes, bytearray)):
        return to_bytes(parse_xml(bytes(item)))  # validates and drops any XML declaration
    return to_bytes(item)  # a sub-element serialises alone, with the declarations it needs


def _declarations(nsmap: dict[str, str]) -> str:
    return "".join(f" xmlns:{_check_prefix(p)}={_attr(ns)}" for p, ns in nsmap.items())


def _addressing_headers(a: Addressing, prefix: str | None, env_prefix: str) -> list[str]:
    def el(local: str, value: str, extra: str = "") -> str:
        if prefix is None:
            return f'<{local} xmlns="{WSA_NS}"{extra}>{value}</{local}>'
        return f"<{prefix}:{local} xmlns:{prefix}={_attr(WSA_NS)}{extra}>{value}</{prefix}:{local}>"

    out = []
    if a.action is not None:
        mu = f' {env_prefix}:mustUnderstand="true"' if a.must_understand else ""
        out.append(el("Action", _text(a.action), mu))
    if a.message_id is not None:
        out.append(el("MessageID", _text(a.message_id)))
    if a.to is not None:
        out.append(el("To", _text(a.to)))
    if a.relates_to is not None:
        out.append(el("RelatesTo", _text(a.relates_to)))
    if a.reply_to is not None:
        tag = "Address" if prefix is None else f"{prefix}:Address"
        out.append(el("ReplyTo", f"<{tag}>{_text(a.reply_to)}</{tag}>"))
    return out


def _assemble(
    header_items: Sequence[str],
    body_content: str,
    *,
    envelope_prefix: str,
    body_prefix: str | None,
    body_nsmap: dict[str, str] | None = None,
    nsmap: dict[str, str] | None = None,
    xml_declaration: bool = False,
) -> bytes:
    env = _check_prefix(envelope_prefix)
    bp = _check_prefix(body_prefix or env)
    body_decls = {p: ns for p, ns in (body_nsmap or {}).items() if p != env}
    if bp != env:
        body_decls[bp] = SOAP12_NS
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n'] if xml_declaration else []
    parts.append(f"<{env}:Envelope xmlns:{env}={_attr(SOAP12_NS)}{_declarations(dict(nsmap or {}))}>")
    if header_items:
        parts.append(f"<{env}:Header>{''.join(header_items)}</{env}:Header>")
    parts.append(f"<{bp}:Body{_declarations(body_decls)}>{body_content}</{bp}:Body></{env}:Envelope>")
    return "".join(parts).encode("utf-8")


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
    items = [_xml_bytes(h).decode("utf-8") for h in headers]
    if addressing is not None:
        wsa = _check_prefix(wsa_prefix) if wsa_prefix else None
        items += _addressing_headers(addressing, wsa, envelope_prefix)
    content = _xml_bytes(body).decode("utf-8") if body is not None else ""
    return _assemble(
        items, content, envelope_prefix=envelope_prefix, body_prefix=body_prefix,
        body_nsmap=body_nsmap, nsmap=nsmap, xml_declaration=xml_declaration,
    )


# --- Faults --------------------------------------------------------------------------------

XML_NS = "http://www.w3.org/XML/1998/namespace"
DetailInput = Sequence[XmlInput] | XmlInput | None


@dataclass
class SoapFault:
    """A SOAP 1.2 fault. `code` is the local name of one of FAULT_CODES; subcodes nest in order.

    A bare subcode name means the envelope namespace, as INSi writes `soap:siram_100`.
    `detail` accepts elements or bytes and is normalised to a list of elements.
    """

    code: str
    reason: str
    subcodes: list[QNameLike] = field(default_factory=list)
    lang: str = "fr"
    detail: DetailInput = None
    node: str | None = None
    role: str | None = None
    not_understood: list[QNameLike] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.code not in FAULT_CODES:
            raise ValueError(f"SOAP 1.2 fault code must be one of {FAULT_CODES}, not {self.code!r}")
        self.subcodes = [to_qname(s) for s in self.subcodes]
        self.not_understood = [to_qname(q) for q in self.not_understood]
        items = self.detail
        if items is None:
            items = []
        elif isinstance(items, (bytes, bytearray, etree._Element)):
            items = [items]
        self.detail = [parse_xml(bytes(i)) if isinstance(i, (bytes, bytearray)) else i for i in items]

    def http_status(self) -> int:
        """SOAP 1.2 HTTP binding (Part 2 §7.5.2.2). INSi answers 500 even for Sender: adapters decide."""
        return 400 if self.code == "Sender" else 500


def _qname_text(q: QName, own_prefix: str, index: int) -> tuple[str, str]:
    """Text for a QName-valued element plus the declaration its prefix needs."""
    ns, local = q
    if ns == SOAP12_NS:
        return f"{own_prefix}:{local}", ""
    if ns is None:
        return local, ""
    prefix = "wsa" if ns == WSA_NS else f"ns{index}"
    return f"{prefix}:{local}", f" xmlns:{prefix}={_attr(ns)}"


def fault_to_bytes(
    fault: SoapFault,
    *,
    envelope_prefix: str = "soap",
    body_prefix: str | None = None,
    fault_prefix: str | None = None,
    xml_declaration: bool = False,
) -> bytes:
    """Serialise a fault; the three prefixes let a simulator mimic a real server's exact style."""
    env = _check_prefix(envelope_prefix)
    fp = _check_prefix(fault_prefix or body_prefix or env)
    code = f"<{fp}:Value>{fp}:{fault.code}</{fp}:Value>"
    subcode_xml = ""
    for i, q in reversed(list(enumerate(fault.subcodes))):
        text, decl = _qname_text(q, fp, i)
        subcode_xml = f"<{fp}:Subcode><{fp}:Value{decl}>{text}</{fp}:Value>{subcode_xml}</{fp}:Subcode>"
    parts = [f"<{fp}:Fault><{fp}:Code>{code}{subcode_xml}</{fp}:Code>"]
    text = f"<{fp}:Text xml:lang={_attr(fault.lang)}>{_text(fault.reason)}</{fp}:Text>"
    parts.append(f"<{fp}:Reason>{text}</{fp}:Reason>")
    if fault.node is not None:
        parts.append(f"<{fp}:Node>{_text(fault.node)}</{fp}:Node>")
    if fault.role is not None:
        parts.append(f"<{fp}:Role>{_text(fault.role)}</{fp}:Role>")
    if fault.detail:
        inner = "".join(_xml_bytes(d).decode("utf-8") for d in fault.detail)
        parts.append(f"<{fp}:Detail>{inner}</{fp}:Detail>")
    parts.append(f"</{fp}:Fault>")
    headers = []
    if fault.code == "VersionMismatch":
        headers.append(
            f"<{env}:Upgrade><{env}:SupportedEnvelope qname=\"ns1:Envelope\" xmlns:ns1={_attr(SOAP12_NS)}/>"
            f"</{env}:Upgrade>"
        )
    for i, q in enumerate(fault.not_understood):
        text, decl = _qname_text(q, env, i)
        headers.append(f"<{env}:NotUnderstood qname={_attr(text)}{decl}/>")
    return _assemble(
        headers, "".join(parts), envelope_prefix=env, body_prefix=body_prefix,
        body_nsmap={fp: SOAP12_NS}, xml_declaration=xml_declaration,
    )


def build_fault(
    code: str,
    reason: str,
    *,
    subcodes: Sequence[QNameLike] = (),
    lang: str = "fr",
    detail: DetailInput = None,
    node: str | None = None,
    role: str | None = None,
    envelope_prefix: str = "soap",
    body_prefix: str | None = None,
    fault_prefix: str | None = None,
    xml_declaration: bool = False,
) -> bytes:
    fault = SoapFault(
        code=code, reason=reason, subcodes=list(subcodes), lang=lang, detail=detail, node=node, role=role
    )
    return fault_to_bytes(
        fault, envelope_prefix=envelope_prefix, body_prefix=body_prefix,
        fault_prefix=fault_prefix, xml_declaration=xml_declaration,
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
    nu = [_resolve_qname(h, h.get("qname")) for h in env.headers if h.tag == f"{s}NotUnderstood"]
    return SoapFault(
        code=local,
        reason=(text.text or "") if text is not None else "",
        subcodes=subcodes,
        lang=(text.get(f"{{{XML_NS}}}lang") or "") if text is not None else "",
        detail=_elements(detail) if detail is not None else None,
        node=node.text if node is not None else None,
        role=role.text if role is not None else None,
        not_understood=nu,
    )
