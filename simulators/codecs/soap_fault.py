"""SOAP 1.2 faults: the `SoapFault` record, the `SoapError` that carries one, and their serialisation.

`fault_to_bytes` takes three prefixes so that a simulator can mimic a real server's exact style
(INSi: `<soap:Envelope><env:Body xmlns:S=… xmlns:env=…><S:Fault>`). Reading a fault a peer sent is
`soap_envelope.parse_fault`, because it parses an envelope first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from lxml import etree

from simulators.codecs.errors import ProtocolError
from simulators.codecs.soap_base import (
    FAULT_CODES, SOAP12_NS, WSA_NS, QName, QNameLike, XmlInput, assemble_envelope, check_prefix, escape_text,
    quote_attr, to_qname, xml_bytes,
)
from simulators.codecs.xmlsafe import parse_xml

DetailInput: TypeAlias = Sequence[XmlInput] | XmlInput | None


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
    return f"{prefix}:{local}", f" xmlns:{prefix}={quote_attr(ns)}"


def fault_to_bytes(
    fault: SoapFault,
    *,
    envelope_prefix: str = "soap",
    body_prefix: str | None = None,
    fault_prefix: str | None = None,
    xml_declaration: bool = False,
) -> bytes:
    """Serialise a fault; the three prefixes let a simulator mimic a real server's exact style."""
    env = check_prefix(envelope_prefix)
    fp = check_prefix(fault_prefix or body_prefix or env)
    code = f"<{fp}:Value>{fp}:{fault.code}</{fp}:Value>"
    subcode_xml = ""
    for i, q in reversed(list(enumerate(fault.subcodes))):
        text, decl = _qname_text(q, fp, i)
        subcode_xml = f"<{fp}:Subcode><{fp}:Value{decl}>{text}</{fp}:Value>{subcode_xml}</{fp}:Subcode>"
    parts = [f"<{fp}:Fault><{fp}:Code>{code}{subcode_xml}</{fp}:Code>"]
    text = f"<{fp}:Text xml:lang={quote_attr(fault.lang)}>{escape_text(fault.reason)}</{fp}:Text>"
    parts.append(f"<{fp}:Reason>{text}</{fp}:Reason>")
    if fault.node is not None:
        parts.append(f"<{fp}:Node>{escape_text(fault.node)}</{fp}:Node>")
    if fault.role is not None:
        parts.append(f"<{fp}:Role>{escape_text(fault.role)}</{fp}:Role>")
    if fault.detail:
        inner = "".join(xml_bytes(d).decode("utf-8") for d in fault.detail)
        parts.append(f"<{fp}:Detail>{inner}</{fp}:Detail>")
    parts.append(f"</{fp}:Fault>")
    headers = []
    if fault.code == "VersionMismatch":
        headers.append(
            f"<{env}:Upgrade><{env}:SupportedEnvelope qname=\"ns1:Envelope\" xmlns:ns1={quote_attr(SOAP12_NS)}/>"
            f"</{env}:Upgrade>"
        )
    for i, q in enumerate(fault.not_understood):
        text, decl = _qname_text(to_qname(q), env, i)  # a QName already (__post_init__): to_qname narrows
        headers.append(f"<{env}:NotUnderstood qname={quote_attr(text)}{decl}/>")
    return assemble_envelope(
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


class SoapError(ProtocolError):
    """A SOAP fault to send back, built where the problem is understood.

    The constructors below keep call sites one line long (`raise SoapError.sender("...")`).
    """

    def __init__(self, fault: SoapFault, *, reason: str = "soap_fault") -> None:
        super().__init__(fault.reason, reason=reason)
        self.fault = fault

    @classmethod
    def _make(cls, code: str, text: str, reason: str, **fault_fields: Any) -> SoapError:
        return cls(SoapFault(code=code, reason=text, **fault_fields), reason=reason)

    @classmethod
    def sender(cls, text: str, *, reason: str = "sender", **fault_fields: Any) -> SoapError:
        return cls._make("Sender", text, reason, **fault_fields)

    @classmethod
    def receiver(cls, text: str, *, reason: str = "receiver", **fault_fields: Any) -> SoapError:
        return cls._make("Receiver", text, reason, **fault_fields)

    @classmethod
    def version_mismatch(cls, text: str, **fault_fields: Any) -> SoapError:
        return cls._make("VersionMismatch", text, "version_mismatch", **fault_fields)

    @classmethod
    def must_understand(cls, text: str, **fault_fields: Any) -> SoapError:
        return cls._make("MustUnderstand", text, "must_understand", **fault_fields)

    @classmethod
    def from_protocol_error(cls, exc: ProtocolError) -> SoapError:
        """Client-input errors from lower layers (XML, MTOM) become Sender faults, reason kept."""
        if isinstance(exc, SoapError):
            return exc
        err = cls.sender(exc.message, reason=exc.reason)
        err.__cause__ = exc
        return err
