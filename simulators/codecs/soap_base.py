"""SOAP 1.2 names, MIME Content-Type helpers and the byte-level writer primitives, sans-IO.

Shared by the envelope, fault and WS-Addressing modules (and by `mtom` for the Content-Type
parameters). Envelopes are written from byte templates, not lxml, so that a simulator reproduces a
real service's prefix style byte for byte; the primitives here escape text and attributes, check
prefixes and assemble `Envelope/Header/Body`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeAlias

from lxml import etree

from simulators.codecs.xmlsafe import parse_xml, to_bytes

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
QNameLike: TypeAlias = QName | etree.QName | str
XmlInput: TypeAlias = etree._Element | bytes

_PARAM_RE = re.compile(r'\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))\s*(?:;|$)', re.S)
_PREFIX_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MU_TRUE = ("true", "1")  # the values of soap:mustUnderstand that mean yes
XML_NS = "http://www.w3.org/XML/1998/namespace"


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


# --- Names and writer primitives ----------------------------------------------------------


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


def child_elements(parent: etree._Element) -> list[etree._Element]:
    return [c for c in parent if isinstance(c.tag, str)]


def escape_text(value: str) -> str:
    """XML text content; characters XML 1.0 cannot carry become U+FFFD."""
    value = _XML_INVALID_RE.sub("\ufffd", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote_attr(value: str) -> str:
    return '"' + escape_text(value).replace('"', "&quot;") + '"'


def check_prefix(prefix: str) -> str:
    if not _PREFIX_RE.match(prefix) or prefix.lower().startswith("xml"):
        raise ValueError(f"invalid XML namespace prefix {prefix!r}")
    return prefix


def xml_bytes(item: XmlInput) -> bytes:
    if isinstance(item, (bytes, bytearray)):
        return to_bytes(parse_xml(bytes(item)))  # validates and drops any XML declaration
    return to_bytes(item)  # a sub-element serialises alone, with the declarations it needs


def declarations(nsmap: dict[str, str]) -> str:
    return "".join(f" xmlns:{check_prefix(p)}={quote_attr(ns)}" for p, ns in nsmap.items())


def assemble_envelope(
    header_items: Sequence[str],
    body_content: str,
    *,
    envelope_prefix: str,
    body_prefix: str | None,
    body_nsmap: dict[str, str] | None = None,
    nsmap: dict[str, str] | None = None,
    xml_declaration: bool = False,
) -> bytes:
    """`<env:Envelope>[<env:Header>…</env:Header>]<bp:Body …>…</bp:Body></env:Envelope>` as UTF-8 bytes."""
    env = check_prefix(envelope_prefix)
    bp = check_prefix(body_prefix or env)
    body_decls = {p: ns for p, ns in (body_nsmap or {}).items() if p != env}
    if bp != env:
        body_decls[bp] = SOAP12_NS
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n'] if xml_declaration else []
    parts.append(f"<{env}:Envelope xmlns:{env}={quote_attr(SOAP12_NS)}{declarations(dict(nsmap or {}))}>")
    if header_items:
        parts.append(f"<{env}:Header>{''.join(header_items)}</{env}:Header>")
    parts.append(f"<{bp}:Body{declarations(body_decls)}>{body_content}</{bp}:Body></{env}:Envelope>")
    return "".join(parts).encode("utf-8")


