"""WS-Addressing 1.0 message information headers of a SOAP 1.2 envelope: read and written.

Reading refuses a repeated header and an empty `wsa:Action` (an IRI, never empty) with a Sender fault
carrying the `wsa:InvalidAddressingHeader` subcode; writing supports both the prefixed style and the
DMP's default-namespace style (`wsa_prefix=None`).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from simulators.codecs.soap_base import MU_TRUE, SOAP12_NS, WSA_HEADERS, WSA_NS, escape_text, quote_attr
from simulators.codecs.soap_fault import SoapError


@dataclass
class Addressing:
    """WS-Addressing 1.0 message information headers (reply_to is the ReplyTo/Address)."""

    action: str | None = None
    message_id: str | None = None
    to: str | None = None
    relates_to: str | None = None
    reply_to: str | None = None
    must_understand: bool = False  # put soap:mustUnderstand="true" on Action (DMP clients do)



def read_addressing(headers: list[etree._Element]) -> Addressing:
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
            action_mu = (h.get(f"{{{SOAP12_NS}}}mustUnderstand") or "").strip() in MU_TRUE
    return Addressing(
        action=seen.get("Action"),
        message_id=seen.get("MessageID"),
        to=seen.get("To"),
        relates_to=seen.get("RelatesTo"),
        reply_to=seen.get("ReplyTo"),
        must_understand=action_mu,
    )



def addressing_headers(a: Addressing, prefix: str | None, env_prefix: str) -> list[str]:
    def el(local: str, value: str, extra: str = "") -> str:
        if prefix is None:
            return f'<{local} xmlns="{WSA_NS}"{extra}>{value}</{local}>'
        return f"<{prefix}:{local} xmlns:{prefix}={quote_attr(WSA_NS)}{extra}>{value}</{prefix}:{local}>"

    out = []
    if a.action is not None:
        mu = f' {env_prefix}:mustUnderstand="true"' if a.must_understand else ""
        out.append(el("Action", escape_text(a.action), mu))
    if a.message_id is not None:
        out.append(el("MessageID", escape_text(a.message_id)))
    if a.to is not None:
        out.append(el("To", escape_text(a.to)))
    if a.relates_to is not None:
        out.append(el("RelatesTo", escape_text(a.relates_to)))
    if a.reply_to is not None:
        tag = "Address" if prefix is None else f"{prefix}:Address"
        out.append(el("ReplyTo", f"<{tag}>{escape_text(a.reply_to)}</{tag}>"))
    return out


