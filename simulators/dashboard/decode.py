"""Bodies made readable for the detail panel: SOAP/XML and FHIR JSON pretty-printed, MIME split
into its parts with attachments listed, XDM (zip) archives listed entry by entry.

Decoding happens on the server, with the bench's hardened XML parser, rather than in the browser:
the same code then serves every page, is unit-tested on real shapes, and a hostile body (a DUI
under test sends what it likes) never reaches a browser-side parser. Every failure becomes a
French note on the part, never an error page.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
import zipfile
from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree

from simulators.codecs.xmlsafe import parse_xml

MAX_TEXT = 200_000  # characters shown per part; the raw body stays downloadable
MAX_PARTS = 50
MAX_DEPTH = 4
MAX_ZIP_ENTRIES = 500


@dataclass
class BodyView:
    kind: str  # empty | xml | json | text | multipart | message | zip | binary
    content_type: str = ""
    size: int = 0
    title: str = ""
    text: str = ""
    truncated: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    parts: list[BodyView] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), "")


def decode_body(body: bytes, headers: dict[str, str], *, protocol: str = "http") -> BodyView:
    """Entry point: the content type says what the bytes are; the protocol fills in for mail."""
    ctype = header(headers, "content-type")
    if not ctype and protocol in ("smtp", "imap") and _looks_like_message(body):
        ctype = "message/rfc822"
    return _decode(body, ctype, depth=0, title="")


def _decode(body: bytes, ctype: str, *, depth: int, title: str) -> BodyView:
    mime = ctype.split(";", 1)[0].strip().lower()
    if not body:
        return BodyView("empty", ctype, 0, title, note="corps vide")
    if mime.startswith("multipart/") and depth < MAX_DEPTH:
        return _multipart(body, ctype, depth=depth, title=title)
    if mime == "message/rfc822" and depth < MAX_DEPTH:
        return _message(body, ctype, depth=depth, title=title)
    if mime in ("application/zip", "application/x-zip-compressed") or body[:4] == b"PK\x03\x04":
        return _zip(body, ctype, title)
    if "json" in mime:
        return _json(body, ctype, title)
    untyped = mime in ("", "application/octet-stream")
    if "xml" in mime or ((untyped or mime.startswith("text/")) and body.lstrip()[:1] == b"<"):
        return _xml(body, ctype, title)
    if mime.startswith("text/") or mime.endswith("x-www-form-urlencoded") or (untyped and _is_text(body)):
        return _text(BodyView("text", ctype, len(body), title), body.decode("utf-8", "replace"))
    return BodyView("binary", ctype, len(body), title, note="contenu binaire : téléchargez le corps brut")


def _text(view: BodyView, text: str) -> BodyView:
    view.truncated = len(text) > MAX_TEXT
    view.text = text[:MAX_TEXT]
    return view


def _is_text(body: bytes) -> bool:
    sample = body[:2048]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a sequence cut at the sample's end is still text
            return False
    return b"\x00" not in sample


def _xml(body: bytes, ctype: str, title: str) -> BodyView:
    view = BodyView("xml", ctype, len(body), title)
    try:
        root = parse_xml(body, remove_comments=False)
    except Exception as exc:  # noqa: BLE001 - shown, never raised: the DUI may send anything
        view.note = f"XML illisible : {exc}"
        return _text(view, body.decode("utf-8", "replace"))
    etree.indent(root, space="  ")
    return _text(view, etree.tostring(root, encoding="unicode"))


def _json(body: bytes, ctype: str, title: str) -> BodyView:
    view = BodyView("json", ctype, len(body), title)
    text = body.decode("utf-8", "replace")
    try:
        text = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except ValueError as exc:
        view.note = f"JSON illisible : {exc}"
    return _text(view, text)


_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]")


def _looks_like_message(body: bytes) -> bool:
    """An RFC 5322 message starts with a header line; an SMTP reply ("554 5.7.1 ...") does not."""
    return bool(_HEADER_LINE.match(body[:1000]))


def _multipart(body: bytes, ctype: str, *, depth: int, title: str) -> BodyView:
    message = email.message_from_bytes(f"Content-Type: {ctype}\r\n\r\n".encode("latin-1", "replace") + body,
                                       policy=email.policy.default)
    view = BodyView("multipart", ctype, len(body), title)
    _add_parts(view, message, depth)
    return view


def _message(body: bytes, ctype: str, *, depth: int, title: str) -> BodyView:
    message = email.message_from_bytes(body, policy=email.policy.default)
    view = BodyView("message", ctype or "message/rfc822", len(body), title)
    view.headers = {name: str(message.get(name)) for name in
                    ("From", "To", "Cc", "Subject", "Date", "Message-ID", "Disposition-Notification-To")
                    if message.get(name) is not None}
    if message.is_multipart():
        _add_parts(view, message, depth)
    else:
        view.parts.append(_leaf(message, depth))
    return view


def _add_parts(view: BodyView, message: email.message.Message, depth: int) -> None:
    parts = message.get_payload() if message.is_multipart() else []
    if not isinstance(parts, list) or not parts:
        view.note = "multipart sans partie lisible"
        return
    for part in parts[:MAX_PARTS]:
        if not isinstance(part, email.message.Message):  # a multipart's payload is a list of Message
            continue
        if part.is_multipart():
            child = BodyView("multipart", part.get_content_type(), 0, _part_title(part))
            _add_parts(child, part, depth + 1)
            view.parts.append(child)
        else:
            view.parts.append(_leaf(part, depth))
    if len(parts) > MAX_PARTS:
        view.note = f"{len(parts) - MAX_PARTS} parties supplémentaires non affichées"


def _leaf(part: email.message.Message, depth: int) -> BodyView:
    payload = part.get_payload(decode=True) or b""
    if not isinstance(payload, bytes):  # decode=True on a leaf part gives bytes (None when empty)
        payload = b""
    child = _decode(payload, str(part.get("Content-Type") or part.get_content_type()),
                    depth=depth + 1, title=_part_title(part))
    child.headers = {name: str(part.get(name)) for name in ("Content-ID", "Content-Disposition",
                                                              "Content-Transfer-Encoding") if part.get(name)}
    return child


def _part_title(part: email.message.Message) -> str:
    filename = part.get_filename()
    if filename:
        return f"pièce jointe : {filename}"
    cid = part.get("Content-ID")
    return f"partie {cid}" if cid else part.get_content_type()


def _zip(body: bytes, ctype: str, title: str) -> BodyView:
    view = BodyView("zip", ctype or "application/zip", len(body), title)
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        view.note = f"archive illisible : {exc}"
        return view
    view.entries = [{"name": i.filename, "size": i.file_size, "compressed": i.compress_size}
                    for i in infos[:MAX_ZIP_ENTRIES]]
    names = {i.filename.upper() for i in infos}
    if any(n.endswith("METADATA.XML") for n in names) or any(n.startswith("IHE_XDM/") for n in names):
        view.note = "archive XDM (IHE_XDM) : " + f"{len(infos)} entrées"
    elif len(infos) > MAX_ZIP_ENTRIES:
        view.note = f"{len(infos) - MAX_ZIP_ENTRIES} entrées supplémentaires non affichées"
    return view


def xml_documents(view: BodyView, body: bytes) -> list[bytes]:
    """Raw XML texts found in a decoded body (the body itself or its XML parts), for VIHF lookup."""
    if view.kind == "xml":
        return [body]
    return [p.text.encode("utf-8") for p in _walk(view) if p.kind == "xml" and p is not view]


def _walk(view: BodyView) -> list[BodyView]:
    found = [view]
    for part in view.parts:
        found.extend(_walk(part))
    return found
