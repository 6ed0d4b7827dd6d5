"""What a submitted message says, as a small JSON summary for the journal and the conformance checks.

Sans-IO and total: any byte string gives a summary (malformed MIME, bad base64 and hostile zips are
reported in `problems`, never raised), because it runs on the operator's hot path.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import re
from email.message import Message
from typing import Any

from ..cda import CdaError, parse_cda
from .dsn import is_dsn
from .mdn import decoded_subject, is_mdn
from .xdm import XdmError, cda_documents, check_xdm, parse_xdm

XDM_NAME_RE = re.compile(r"^IHE_XDM\.ZIP$", re.IGNORECASE)
HEADERS_KEPT = ("Message-ID", "From", "To", "Cc", "Reply-To", "Subject", "Date", "In-Reply-To", "References",
                "Disposition-Notification-To", "Return-Receipt-To", "X-MSS-NIL", "X-MSS-INS", "X-MSS-CODECDA",
                "X-MSS-MES", "MIME-Version", "Content-Type", "Auto-Submitted")
MAX_PARTS = 500


def parse_message(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def _decode_strict(part: Message, problems: list[str]) -> bytes:
    payload = part.get_payload()
    if not isinstance(payload, str):
        return b""
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte == "base64":
        cleaned = re.sub(r"\s+", "", payload)
        try:
            return base64.b64decode(cleaned, validate=True)
        except (binascii.Error, ValueError):
            problems.append(f"base64 invalide dans la partie {part.get_filename() or part.get_content_type()}")
            return base64.b64decode(re.sub(r"[^A-Za-z0-9+/]", "", cleaned) + "==", validate=False)
    decoded = part.get_payload(decode=True)
    return decoded if isinstance(decoded, bytes) else b""


# Machine-readable bodies of a report (RFC 3464 DSN, RFC 8098 MDN): one leaf each, never walked into (the
# stdlib parses their field blocks as header-only sub-messages, which would look like text parts
# without a charset).
REPORT_BODIES = frozenset({"message/disposition-notification", "message/delivery-status",
                           "message/global-disposition-notification", "message/global-delivery-status"})


def _walk(part: Message):
    yield part
    if part.is_multipart() and part.get_content_type() not in REPORT_BODIES:
        for sub in part.get_payload():
            if isinstance(sub, Message):  # a multipart's payload is a list of Message
                yield from _walk(sub)


def _looks_like_xml(info: dict[str, Any]) -> bool:
    return info["type"] in ("text/xml", "application/xml", "application/hl7-v3+xml") or \
        str(info["filename"]).lower().endswith(".xml")


def analyse_message(raw: bytes, msg: Message | None = None) -> dict[str, Any]:
    """Summary of `raw`; pass `msg` when the caller already parsed it (the parse is the costly part)."""
    problems: list[str] = []
    try:
        msg = msg if msg is not None else parse_message(raw)
    except Exception as exc:  # noqa: BLE001 - the stdlib parser is lenient; anything else is hostile input
        return {"problems": [f"message illisible : {exc}"], "headers": {}, "parts": []}
    headers = {name: [str(v) for v in msg.get_all(name, [])] for name in HEADERS_KEPT if msg.get_all(name)}
    for defect in msg.defects:
        problems.append(f"MIME : {type(defect).__name__}")
    parts: list[dict[str, Any]] = []
    xdm: dict[str, Any] | None = None
    for index, part in enumerate(_walk(msg)):
        if index >= MAX_PARTS:
            problems.append(f"plus de {MAX_PARTS} parties MIME : analyse arrêtée")
            break
        if part.is_multipart() and part.get_content_type() not in REPORT_BODIES:
            continue
        info: dict[str, Any] = {"type": part.get_content_type(), "charset": part.get_content_charset() or "",
                                "filename": part.get_filename() or "",
                                "disposition": str(part.get("Content-Disposition", "")).split(";")[0].strip().lower(),
                                "encoding": str(part.get("Content-Transfer-Encoding", "")).strip().lower()}
        for defect in part.defects:
            problems.append(f"MIME : {type(defect).__name__}")
        if info["disposition"] == "attachment" and _looks_like_xml(info):
            info["cda"] = b"ClinicalDocument" in _decode_strict(part, problems)[:4096]
        parts.append(info)
        if XDM_NAME_RE.match(info["filename"] or "") and xdm is None:
            xdm = analyse_xdm(_decode_strict(part, problems))
        elif info["disposition"] == "attachment":
            _decode_strict(part, problems)
    summary: dict[str, Any] = {
        "headers": headers, "subject": decoded_subject(msg), "message_id": str(msg.get("Message-ID", "") or "").strip(),
        "content_type": msg.get_content_type(), "parts": parts, "problems": problems,
        "report": "dsn" if is_dsn(msg) else ("mdn" if is_mdn(msg) else ""),
    }
    if xdm is not None:
        summary["xdm"] = xdm
    return summary


def analyse_xdm(data: bytes) -> dict[str, Any]:
    result: dict[str, Any] = {"size": len(data), "problems": [], "documents": []}
    try:
        package = parse_xdm(data)
    except XdmError as exc:
        result["problems"] = [{"code": "archive", "message": str(exc)}]
        result["readable"] = False
        return result
    result["readable"] = True
    result["names"] = package.names[:50]
    parsed: dict[str, Any] = {}
    result["problems"] = [{"code": p.code, "message": p.message} for p in check_xdm(package, parsed)]
    if package.subsets:
        result["patient_id"] = package.subsets[0].submission_set.patient_id
    for entry, content in cda_documents(package):
        doc: dict[str, Any] = {"uri": entry.uri, "patient_id": entry.patient_id, "unique_id": entry.unique_id,
                               "type_code": entry.type_code, "action": entry.action}
        try:
            cda = parsed.get(entry.uri) or parse_cda(content)
            doc.update(cda_code=cda.code, cda_id=cda.unique_id, set_id=cda.set_id, version=cda.version,
                       ins=cda.ins, ins_oid=cda.ins_oid, ins_qualified=cda.ins_qualified, replaces=cda.replaces,
                       family=cda.family, given=cda.given, birth_time=cda.birth_time, title=cda.title)
        except CdaError as exc:
            doc["error"] = str(exc)
        result["documents"].append(doc)
    return result
