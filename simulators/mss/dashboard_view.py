"""The dashboard's MSSanté view (kind "mailboxes", see simulators/dashboard/README.md): each box of a
session with its newest messages, their attachments (XDM flagged) and the receipts that came back.

Receipts are messages too (a DSN lands in the sender's box, an MDN wherever its
Disposition-Notification-To points), so they are linked to the message they report on by its
Message-ID, across every box of the session, and shown on that message wherever it is stored.
Sans-IO: the admin blueprint passes the store's rows in; any byte string gives a row, never an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr
from typing import Any

from .codec.mime import XDM_NAME_RE, parse_message
from .codec.dsn import is_dsn, parse_dsn
from .codec.mdn import decoded_subject, is_mdn, parse_mdn
from .model import Mailbox, StoredMessage

KIND_LABELS = {"PER": "personnelle", "ORG": "organisationnelle", "APP": "applicative", "CAB": "de cabinet",
               "PAT": "Mon espace santé (patient)"}
DSN_STATUS = {"failed": "échec", "delayed": "différé", "delivered": "délivré", "relayed": "relayé",
              "expanded": "redistribué"}
MDN_STATUS = {"displayed": "lu", "processed": "traité", "deleted": "supprimé", "dispatched": "transmis"}
MAX_ATTACHMENTS = 50


def owner_of(box: Mailbox) -> str:
    """Who the box belongs to, as a trainer would name it."""
    person = f"{box.first_name} {box.last_name}".strip()
    if box.kind == "PER":
        return box.description or person or box.display_name
    if box.kind == "PAT":
        return person or box.display_name
    return box.display_name or box.organisation_name


def _text(value: Any) -> str:
    try:
        return str(make_header(decode_header(str(value))))
    except (ValueError, LookupError):
        return str(value)


def _leaves(part: Message) -> Iterator[Message]:
    """Leaf parts, without descending into message/* (an MDN's returned original, a DSN's status
    blocks): what is inside a forwarded or returned message is not an attachment of this one."""
    if part.get_content_maintype() == "message":
        yield part
        return
    if part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, Message):
                yield from _leaves(child)
        return
    yield part


def attachments_of(msg: Message) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    report = msg.get_content_type() == "multipart/report"
    for part in _leaves(msg):
        filename = _text(part.get_filename() or "")
        disposition = str(part.get("Content-Disposition", "")).split(";")[0].strip().lower()
        ctype = part.get_content_type()
        if ctype == "message/rfc822" and not report:
            body = part.get_payload()
            size = len(body[0].as_bytes()) if isinstance(body, list) and body and isinstance(body[0], Message) else 0
            found.append({"filename": filename or "message joint (.eml)", "content_type": ctype, "size": size,
                          "xdm": False})
        elif ctype.startswith("message/") or not (filename or disposition == "attachment"):
            continue
        else:
            try:
                payload = part.get_payload(decode=True)
            except Exception:  # noqa: BLE001 - a hostile part is shown with size 0, never raised
                payload = b""
            found.append({"filename": filename or "(sans nom)", "content_type": ctype,
                          "size": len(payload) if isinstance(payload, bytes) else 0,
                          "xdm": bool(XDM_NAME_RE.match(filename))})
        if len(found) >= MAX_ATTACHMENTS:
            break
    return found


def _safe_attachments(msg: Message) -> list[dict[str, Any]]:
    try:
        return attachments_of(msg)
    except Exception:  # noqa: BLE001 - hostile MIME: the message is still listed, without its parts
        return []


def _message_id(value: str) -> str:
    return value.strip().strip("<>").strip()


def receipts_in(stored: StoredMessage, msg: Message) -> list[tuple[str, dict[str, Any]]]:
    """(Message-ID reported on, receipt) for a DSN or MDN; [] for any other message."""
    where = {"mailbox": stored.address, "date": stored.internal_date}
    try:
        if is_dsn(msg):
            report = parse_dsn(stored.raw or b"")
            original = parse_message(report.original_headers).get("Message-ID", "")
            return [(_message_id(str(original)), {"kind": "DSN", "status": DSN_STATUS.get(r.action, r.action),
                                                  "recipient": r.final_recipient, "code": r.status, **where})
                    for r in report.recipients]
        if is_mdn(msg):
            mdn = parse_mdn(stored.raw or b"")
            status = MDN_STATUS.get(mdn.disposition_type, mdn.disposition_type or "illisible")
            if mdn.error_code:
                status = f"erreur {mdn.error_code}"
            return [(_message_id(mdn.original_message_id), {"kind": "MDN", "status": status,
                                                            "recipient": mdn.final_recipient,
                                                            "code": mdn.error_label, **where})]
    except Exception:  # noqa: BLE001 - a malformed report is listed as a plain message
        return []
    return []


def _status(flags: tuple[str, ...]) -> str:
    if "\\Deleted" in flags:
        return "supprimé"
    return "lu" if "\\Seen" in flags else "délivré"


def message_row(stored: StoredMessage, msg: Message) -> dict[str, Any]:
    sender = parseaddr(str(msg.get("From", "") or ""))[1] or stored.sender
    recipients = [a for _, a in getaddresses([str(v) for v in msg.get_all("To", []) + msg.get_all("Cc", [])]) if a]
    return {"id": f"{stored.folder}/{stored.uid}", "date": stored.internal_date, "from": sender, "to": recipients,
            "subject": decoded_subject(msg) or stored.subject, "status": _status(stored.flags),
            "attachments": _safe_attachments(msg), "receipts": [], "flags": list(stored.flags),
            "folder": stored.folder, "size": stored.size,
            "message_id": _message_id(str(msg.get("Message-ID", "") or stored.message_id))}


def dashboard_document(boxes: Iterable[Mailbox], messages: list[StoredMessage],
                       counts: dict[str, int]) -> dict[str, Any]:
    """`messages` are the newest of each box, newest first (MssStore.recent_messages)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    by_id: dict[str, list[dict[str, Any]]] = {}
    receipts: list[tuple[str, dict[str, Any]]] = []
    for stored in messages:
        try:
            msg = parse_message(stored.raw or b"")
        except Exception:  # noqa: BLE001 - the stdlib parser is lenient; anything else is hostile input
            msg = Message()
        row = message_row(stored, msg)
        found = receipts_in(stored, msg)
        if found:
            row["report"] = found[0][1]["kind"]
            row["receipt_for"] = found[0][0]
            receipts += found
        rows.setdefault(stored.address, []).append(row)
        if row["message_id"]:
            by_id.setdefault(row["message_id"], []).append(row)
    for original, receipt in sorted(receipts, key=lambda item: item[1]["date"]):
        for row in by_id.get(original, ()):
            row["receipts"].append(receipt)
    result: list[dict[str, Any]] = []
    for box in boxes:
        address = box.address.lower()
        shown = rows.get(address, [])
        result.append({"address": box.address, "kind": KIND_LABELS.get(box.kind, box.kind), "type": box.kind,
                       "owner": owner_of(box), "message_count": counts.get(address, 0),
                       "truncated": counts.get(address, 0) > len(shown), "messages": shown})
    result.sort(key=lambda b: (-(b["messages"][0]["date"] if b["messages"] else 0.0), b["address"]))
    return {"mailboxes": result}
