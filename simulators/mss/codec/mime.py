"""What a submitted message says, as a small JSON summary for the journal and the conformance checks.

Sans-IO and total: any byte string gives a summary (malformed MIME, bad base64 and hostile zips are
reported in `problems`, never raised), because it runs on the operator's hot path.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from ..cda import CdaError, parse_cda
from .dsn import is_dsn
from .mdn import decoded_subject, is_mdn
from .xdm import XdmError, XdmPackage, cda_documents, check_xdm, parse_xdm

log = logging.getLogger("socle_bench.mss")
XDM_NAME_RE = re.compile(r"^IHE_XDM\.ZIP$", re.IGNORECASE)
HEADERS_KEPT = ("Message-ID", "From", "To", "Cc", "Reply-To", "Subject", "Date", "In-Reply-To", "References",
                "Disposition-Notification-To", "Return-Receipt-To", "X-MSS-NIL", "X-MSS-INS", "X-MSS-CODECDA",
                "X-MSS-MES", "MIME-Version", "Content-Type", "Auto-Submitted")
MAX_PARTS = 500


def parse_message(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=email.policy.compat32)


# What `\s` matches among ASCII characters: deleting them with bytes.translate is the regex's result,
# an order of magnitude faster on a 70 KB attachment (non-ASCII payloads take the regex path).
_ASCII_SPACE = bytes(c for c in range(128) if re.match(r"\s", chr(c)))


def _strip_spaces(payload: str) -> str:
    if payload.isascii():
        return payload.encode("ascii").translate(None, _ASCII_SPACE).decode("ascii")
    return re.sub(r"\s+", "", payload)


def _decode_strict(part: Message, problems: list[str]) -> bytes:
    payload = part.get_payload()
    if not isinstance(payload, str):
        return b""
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte == "base64":
        cleaned = _strip_spaces(payload)
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
    return _analyse(raw, msg)[0]


def _analyse(raw: bytes, msg: Message | None) -> tuple[dict[str, Any], tuple[bytes, XdmPackage | None] | None]:
    """The summary, and the IHE_XDM attachment as decoded (strictly) with its parsed package."""
    problems: list[str] = []
    archive: tuple[bytes, XdmPackage | None] | None = None
    try:
        msg = msg if msg is not None else parse_message(raw)
    except Exception as exc:  # noqa: BLE001 - the stdlib parser is lenient; anything else is hostile input
        return {"problems": [f"message illisible : {exc}"], "headers": {}, "parts": []}, None
    headers = {name: [str(v) for v in msg.get_all(name, [])] for name in HEADERS_KEPT if msg.get_all(name)}
    problems.extend(f"MIME : {type(defect).__name__}" for defect in msg.defects)
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
        problems.extend(f"MIME : {type(defect).__name__}" for defect in part.defects)
        if info["disposition"] == "attachment" and _looks_like_xml(info):
            info["cda"] = b"ClinicalDocument" in _decode_strict(part, problems)[:4096]
        parts.append(info)
        if XDM_NAME_RE.match(info["filename"] or "") and xdm is None:
            data = _decode_strict(part, problems)
            xdm, package = _analyse_xdm(data)
            archive = (data, package)
        elif info["disposition"] == "attachment":
            _decode_strict(part, problems)
    summary: dict[str, Any] = {
        "headers": headers, "subject": decoded_subject(msg), "message_id": str(msg.get("Message-ID", "") or "").strip(),
        "content_type": msg.get_content_type(), "parts": parts, "problems": problems,
        "report": "dsn" if is_dsn(msg) else ("mdn" if is_mdn(msg) else ""),
    }
    if xdm is not None:
        summary["xdm"] = xdm
    return summary, archive


def analyse_xdm(data: bytes) -> dict[str, Any]:
    return _analyse_xdm(data)[0]


def _analyse_xdm(data: bytes) -> tuple[dict[str, Any], XdmPackage | None]:
    result: dict[str, Any] = {"size": len(data), "problems": [], "documents": []}
    try:
        package = parse_xdm(data)
    except XdmError as exc:
        result["problems"] = [{"code": "archive", "message": str(exc)}]
        result["readable"] = False
        return result, None
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
    return result, package


# --- parse once: what the submission path already decoded, for the live checks -------------------
PDF_TYPE = "application/pdf"
ZIP_TYPES = ("application/zip", "application/x-zip-compressed")
MEMO_SIZE = 64  # submissions in flight between the SMTP handler and the judge thread
MEMO_BYTES = 32 * 1024 * 1024  # and never more than this many message bytes held


@dataclass
class MessageParts:
    """The attachments a live check reads: PDFs and zips (decoded leniently, as `get_payload(decode=True)`),
    and the IHE_XDM package of each zip when it parses (None when it does not)."""

    pdfs: list[bytes] = field(default_factory=list)
    zips: list[bytes] = field(default_factory=list)
    packages: list[XdmPackage | None] = field(default_factory=list)


def _parts(msg: Message, known: tuple[bytes, XdmPackage | None] | None) -> MessageParts:
    found = MessageParts()
    for part in msg.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type().lower()
        name = (part.get_filename() or "").lower()
        decoded = part.get_payload(decode=True)  # bytes (or None) for a leaf part
        payload = decoded if isinstance(decoded, bytes) else b""
        if content_type == PDF_TYPE or name.endswith(".pdf"):
            found.pdfs.append(payload)
        elif name.endswith(".zip") or content_type in ZIP_TYPES:
            found.zips.append(payload)
    for archive in found.zips:
        if known is not None and known[0] == archive:  # the package the summary was made from
            found.packages.append(known[1])
            continue
        try:
            found.packages.append(parse_xdm(archive))
        except (XdmError, ValueError):
            found.packages.append(None)
    return found


class PartsMemo:
    """The last submissions' parts, keyed by their exact bytes (a bytes object caches its hash, and the
    exchange handed to the judge carries the very object the handler analysed). Identical submissions in
    flight together (a DUI re-sending, a load test) each get their own entry, used once, oldest first."""

    def __init__(self, size: int, max_bytes: int) -> None:
        self.size, self.max_bytes = size, max_bytes
        self._items: OrderedDict[bytes, list[MessageParts]] = OrderedDict()
        self._count = 0
        self._bytes = 0
        self._lock = threading.Lock()

    def keeps(self, raw: bytes) -> bool:
        """False for a huge message: the check parses it again rather than pin it in memory."""
        return len(raw) <= self.max_bytes // 4

    def put(self, raw: bytes, parts: MessageParts) -> None:
        if not self.keeps(raw):
            return
        with self._lock:
            self._items.setdefault(raw, []).append(parts)
            self._items.move_to_end(raw)
            self._count += 1
            self._bytes += len(raw)
            while self._count > self.size or self._bytes > self.max_bytes:
                old, queued = next(iter(self._items.items()))
                queued.pop(0)
                if not queued:
                    del self._items[old]
                self._count -= 1
                self._bytes -= len(old)

    def pop(self, raw: bytes) -> MessageParts | None:
        with self._lock:
            queued = self._items.get(raw)
            if not queued:
                return None
            parts = queued.pop(0)
            if not queued:
                del self._items[raw]
            self._count -= 1
            self._bytes -= len(raw)
            return parts

    def __len__(self) -> int:
        return self._count


HANDED_OVER = PartsMemo(MEMO_SIZE, MEMO_BYTES)


def analyse_submission(raw: bytes, msg: Message, *, hand_over: bool = True) -> dict[str, Any]:
    """`analyse_message` on the submission path: with `hand_over` (live checks will judge the exchange),
    also keeps the decoded attachments and XDM package for `message_parts`, so those checks do not parse
    the message again."""
    summary, archive = _analyse(raw, msg)
    if not hand_over or not HANDED_OVER.keeps(raw):  # nobody to read it, or too big to pin: not kept
        return summary
    try:
        HANDED_OVER.put(raw, _parts(msg, archive))
    except Exception:  # hostile MIME: the check parses it again (and judges it) itself
        log.debug("attachments not kept for the live checks", exc_info=True)
    return summary


def message_parts(raw: bytes) -> MessageParts:
    """The parts of a submitted message: handed over by `analyse_submission` when the handler just analysed
    these bytes (each hand-over is used once), parsed here otherwise (exchange read back from the journal)."""
    known = HANDED_OVER.pop(raw)
    return known if known is not None else _parts(parse_message(raw), None)
