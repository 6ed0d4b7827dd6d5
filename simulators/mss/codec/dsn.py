"""Delivery Status Notifications (RFC 3464 in an RFC 6522 multipart/report): build and parse.

Sans-IO. The report is written by hand rather than through `email.mime`, because the stdlib
generator insists on a list of header blocks for message/delivery-status and the wire form is
short and fully specified.
"""

from __future__ import annotations

import email
import email.policy
import uuid
from dataclasses import dataclass
from email.header import Header
from email.message import Message
from email.utils import format_datetime, formatdate, make_msgid
from datetime import datetime, UTC

from ..model import RecipientOutcome

ACTIONS = ("failed", "delayed", "delivered", "relayed", "expanded")


@dataclass(frozen=True)
class DsnRecipient:
    final_recipient: str
    action: str
    status: str
    diagnostic: str = ""
    original_recipient: str = ""


@dataclass(frozen=True)
class DsnReport:
    reporting_mta: str
    original_envelope_id: str
    recipients: tuple[DsnRecipient, ...]
    original_headers: bytes
    human_text: str


def _header_block(raw: bytes, limit: int = 64 * 1024) -> bytes:
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        end = raw.find(b"\n\n")
    headers = raw if end < 0 else raw[:end]
    return headers[:limit]


def build_dsn(*, original: bytes, outcomes: list[RecipientOutcome], sender: str, reporting_mta: str,
              action: str, envelope_id: str = "", arrival: float | None = None) -> bytes:
    """One DSN for the recipients whose `action` is being reported (failed or delivered)."""
    if action not in ACTIONS:
        raise ValueError(action)
    boundary = f"dsn-{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    arrived = datetime.fromtimestamp(arrival, UTC) if arrival else now
    failed = action == "failed"
    subject = ("Message non distribué : Undelivered Mail Returned to Sender" if failed
               else "Accusé de remise (DSN) : message remis")
    lines = [f"Rapport de remise de l'opérateur MSSanté {reporting_mta} (socle-bench).", ""]
    per_message = [f"Reporting-MTA: dns; {reporting_mta}"]
    if envelope_id:
        per_message.append(f"Original-Envelope-Id: {envelope_id}")
    per_message.append(f"Arrival-Date: {format_datetime(arrived)}")
    blocks = ["\r\n".join(per_message)]
    for outcome in outcomes:
        if failed and outcome.refusal is not None:
            status, diagnostic = outcome.refusal.status, f"smtp; {outcome.refusal.code} {outcome.refusal.text}"
            lines.append(f"<{outcome.recipient}> : non distribué ({outcome.refusal.code} {outcome.refusal.text})")
        else:
            status, diagnostic = "2.0.0", "smtp; 250 2.0.0 Message remis dans la boîte aux lettres"
            lines.append(f"<{outcome.recipient}> : remis dans la boîte aux lettres du destinataire")
        fields = []
        if outcome.orcpt:
            fields.append(f"Original-Recipient: {outcome.orcpt}")
        fields += [f"Final-Recipient: rfc822; {outcome.recipient}", f"Action: {action}",
                   f"Status: {status}", f"Diagnostic-Code: {_ascii(diagnostic)}",
                   f"Last-Attempt-Date: {format_datetime(now)}"]
        blocks.append("\r\n".join(fields))
    human = "\r\n".join(lines) + "\r\n"
    head = "\r\n".join([
        f"From: Mail Delivery System <MAILER-DAEMON@{reporting_mta}>",
        f"To: <{sender}>",
        f"Subject: {Header(subject, 'utf-8').encode()}",
        f"Date: {formatdate(localtime=False)}",
        f"Message-ID: {make_msgid(domain=reporting_mta)}",
        "MIME-Version: 1.0",
        "Auto-Submitted: auto-replied",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
    ])
    body = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"{human}\r\n--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
            + "\r\n\r\n".join(blocks) + "\r\n\r\n"
            f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n")
    return (head + "\r\n\r\n" + body).encode("utf-8") + _header_block(original) + \
        f"\r\n\r\n--{boundary}--\r\n".encode("ascii")


def _ascii(text: str) -> str:
    return text.encode("ascii", "replace").decode("ascii")


def parse_dsn(raw: bytes) -> DsnReport:
    """Parse a multipart/report delivery-status; ValueError when it is not one."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    if msg.get_content_type() != "multipart/report" or msg.get_param("report-type") != "delivery-status":
        raise ValueError("ce n'est pas un DSN (multipart/report; report-type=delivery-status)")
    human, status_part, headers = "", None, b""
    for part in msg.get_payload():
        if not isinstance(part, Message):  # a multipart's payload is a list of Message
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain" and not human:
            text = part.get_payload(decode=True)
            human = text.decode("utf-8", "replace") if isinstance(text, bytes) else ""
        elif ctype == "message/delivery-status":
            status_part = part
        elif ctype in ("text/rfc822-headers", "message/rfc822"):
            payload = part.get_payload()
            if isinstance(payload, str):
                headers = payload.encode("utf-8", "replace")
            elif isinstance(payload, list) and payload and isinstance(payload[0], Message):
                headers = payload[0].as_bytes()
    if status_part is None:
        raise ValueError("partie message/delivery-status absente")
    blocks = status_part.get_payload()
    if not isinstance(blocks, list) or not blocks or not isinstance(blocks[0], Message):
        raise ValueError("partie message/delivery-status vide")
    per_message = blocks[0]
    recipients = tuple(
        DsnRecipient(final_recipient=_strip_type(b.get("Final-Recipient", "")), action=(b.get("Action") or "").lower(),
                     status=b.get("Status", ""), diagnostic=b.get("Diagnostic-Code", ""),
                     original_recipient=_strip_type(b.get("Original-Recipient", "")))
        for b in blocks[1:] if isinstance(b, Message))
    return DsnReport(reporting_mta=_strip_type(per_message.get("Reporting-MTA", "")),
                     original_envelope_id=per_message.get("Original-Envelope-Id", ""),
                     recipients=recipients, original_headers=headers, human_text=human)


def _strip_type(value: str) -> str:
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


def is_dsn(msg: Message) -> bool:
    return msg.get_content_type() == "multipart/report" and msg.get_param("report-type") == "delivery-status"
