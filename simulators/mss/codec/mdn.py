"""Message Disposition Notifications (RFC 8098) in the ANS format for automated integration.

The ANS volet "Transmission au LPS de documents CDA provenant d'un courriel MSSanté" (mss.md §3.3)
fixes the shape: human text, `message/disposition-notification` with `Disposition:
automatic-action/MDN-sent-automatically; processed[/Error: <code>^<libellé>]`, the original as
message/rfc822, and the subject `[KO Intégration système !][<code>] <original subject>` on error.
Sans-IO.
"""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from dataclasses import dataclass
from email.header import Header, decode_header, make_header
from email.message import Message
from email.utils import formataddr, formatdate, make_msgid, parseaddr

INTEGRATION_ERRORS: dict[str, str] = {
    "900": "Version du document incorrecte lors d'une demande de remplacement/suppression",
    "901": "Auteur non autorisé à remplacer ou supprimer un document",
    "902": "Identifiant patient inconnu",
    "903": "INS non présent dans le document",
    "904": "L'INS transmis ne correspond pas exactement à celui stocké dans la base du consommateur",
    "905": "L'INS transmis n'est pas complet",
    "906": "Erreur 'Autre'",
}
DISPOSITION_RE = re.compile(
    r"^\s*(?P<action>automatic-action|manual-action)\s*/\s*(?P<sending>MDN-sent-automatically|MDN-sent-manually)"
    r"\s*;\s*(?P<type>displayed|deleted|dispatched|processed)(?:\s*/\s*(?P<modifier>.*))?$", re.IGNORECASE)
KO_PREFIX = "[KO Intégration système !]"


@dataclass(frozen=True)
class MdnReport:
    disposition: str
    disposition_type: str  # processed | displayed | ...
    error_code: str  # "902" or ""
    error_label: str
    final_recipient: str
    original_message_id: str
    subject: str
    well_formed: bool


def decoded_subject(msg: Message) -> str:
    raw = msg.get("Subject", "") or ""
    try:
        return str(make_header(decode_header(str(raw))))
    except (ValueError, LookupError):
        return str(raw)


def build_mdn(original: bytes, *, reporter: str, error_code: str = "", reporting_ua: str = "socle-bench-pfi",
              reporter_label: str = "Accusé de traitement") -> bytes:
    """The automated recipient's processing MDN for `original` (sent to its Disposition-Notification-To).

    The sender carries a label like any message (ECO.2.2.7, mss@9): the bench's MDN passes its own checks."""
    msg = email.message_from_bytes(original, policy=email.policy.compat32)
    to = parseaddr(str(msg.get("Disposition-Notification-To", "") or msg.get("From", "")))[1]
    subject = decoded_subject(msg)
    if error_code:
        label = INTEGRATION_ERRORS.get(error_code, INTEGRATION_ERRORS["906"])
        disposition = f"automatic-action/MDN-sent-automatically; processed/Error: {error_code}^{label}"
        subject = f"{KO_PREFIX}[{error_code}] {subject}"
        human = f"Le message n'a pas pu être intégré : erreur {error_code} ({label})."
    else:
        disposition = "automatic-action/MDN-sent-automatically; processed"
        human = "Le message a été intégré dans le dossier du patient."
    boundary = f"mdn-{uuid.uuid4().hex}"
    domain = reporter.rpartition("@")[2] or "mssante.test"
    head = "\r\n".join([
        f"From: {formataddr((str(Header(reporter_label, 'utf-8')), reporter))}" if reporter_label else f"From: <{reporter}>",
        f"To: <{to}>", f"Subject: {Header(subject, 'utf-8').encode()}",
        f"Date: {formatdate()}", f"Message-ID: {make_msgid(domain=domain)}", "MIME-Version: 1.0",
        "Auto-Submitted: auto-replied", "X-MSS-NIL: SOCLE-BENCH-PFI",
        f'Content-Type: multipart/report; report-type=disposition-notification; boundary="{boundary}"',
    ])
    original_id = str(msg.get("Message-ID", "") or "")
    notification = "\r\n".join(filter(None, [
        f"Reporting-UA: {reporting_ua}", f"Original-Recipient: rfc822; {reporter}",
        f"Final-Recipient: rfc822; {reporter}",
        f"Original-Message-ID: {original_id}" if original_id else "", f"Disposition: {disposition}",
    ]))
    body = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"{human}\r\n\r\n--{boundary}\r\nContent-Type: message/disposition-notification\r\n\r\n"
            f"{notification}\r\n\r\n--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n")
    return (head + "\r\n\r\n" + body).encode("utf-8") + original + f"\r\n--{boundary}--\r\n".encode("ascii")


def parse_mdn(raw: bytes) -> MdnReport:
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    if msg.get_content_type() != "multipart/report" or msg.get_param("report-type") != "disposition-notification":
        raise ValueError("ce n'est pas un MDN (multipart/report; report-type=disposition-notification)")
    fields: Message | None = None
    for part in msg.get_payload():
        if not isinstance(part, Message):  # a multipart's payload is a list of Message
            continue
        if part.get_content_type() == "message/disposition-notification":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                fields = payload[0]
            elif isinstance(payload, str):
                fields = email.message_from_string(payload.lstrip("\r\n"))
    if fields is None:
        raise ValueError("partie message/disposition-notification absente")
    disposition = " ".join(str(fields.get("Disposition", "")).split())
    match = DISPOSITION_RE.match(disposition)
    code, label = "", ""
    if match and match.group("modifier"):
        error = re.match(r"(?i)error\s*:\s*(\d{3})\^?([^^]*)", match.group("modifier").strip())
        if error:
            code, label = error.group(1), error.group(2).strip()
    final = str(fields.get("Final-Recipient", ""))
    return MdnReport(disposition=disposition, disposition_type=(match.group("type").lower() if match else ""),
                     error_code=code, error_label=label,
                     final_recipient=final.split(";", 1)[-1].strip(),
                     original_message_id=str(fields.get("Original-Message-ID", "")).strip(),
                     subject=decoded_subject(msg), well_formed=bool(match and fields.get("Final-Recipient")))


def is_mdn(msg: Message) -> bool:
    return msg.get_content_type() == "multipart/report" and msg.get_param("report-type") == "disposition-notification"
