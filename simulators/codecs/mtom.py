"""MTOM/XOP codec: multipart/related (RFC 2387, RFC 2046) with XOP 1.0 includes, sans-IO.

DMP ITI-41/ITI-43 carry CDA documents of tens of kB to several MB this way, so the splitter only
uses `bytes.find` from a moving cursor (linear in the body, no regex over binary data) and checks
the limits before copying anything. Attachments are keyed by their bare Content-ID (no angle
brackets); `cid:` URLs are percent-decoded before lookup, as RFC 2392 requires.

Building is deterministic: without an explicit boundary, one is derived from the content and
checked against every part, so recorded fixtures and replays produce identical bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import quopri
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from lxml import etree

from simulators.codecs.errors import MtomError, ProtocolError
from simulators.codecs.soap_fault import SoapError
from simulators.codecs.soap_base import SOAP12_MEDIA_TYPE, parse_content_type, quote_param

XOP_NS = "http://www.w3.org/2004/08/xop/include"
XOP_MEDIA_TYPE = "application/xop+xml"
DEFAULT_MAX_PART_BYTES = 50_000_000
DEFAULT_MAX_TOTAL_BYTES = 100_000_000
_CRLF = b"\r\n"
_CID_SAFE = "!$&'()*+,;=:@-._~"
_PASSTHROUGH_TYPES = ("", SOAP12_MEDIA_TYPE, "text/xml", "application/xml", XOP_MEDIA_TYPE)


@dataclass
class Part:
    content_type: str
    headers: dict[str, str]  # lower-cased names, unfolded values
    data: bytes
    content_id: str | None = None


@dataclass
class MtomMessage:
    root: Part
    attachments: dict[str, Part]
    params: dict[str, str]  # parameters of the outer multipart/related Content-Type
    unnamed_parts: list[Part] = field(default_factory=list)

    @property
    def is_xop(self) -> bool:
        return parse_content_type(self.root.content_type)[0] == XOP_MEDIA_TYPE

    @property
    def action(self) -> str | None:
        """SOAP 1.2 action wherever stacks put it: outer `action` (CXF, DMP), then inside the outer
        `start-info` or the root part's `type` (Axis2, WCF)."""
        if "action" in self.params:
            return self.params["action"]
        for inner in (self.params.get("start-info"), parse_content_type(self.root.content_type)[1].get("type")):
            action = parse_content_type(inner)[1].get("action") if inner else None
            if action:
                return action
        return None


def cid_from_href(href: str) -> str:
    if href[:4].lower() != "cid:":
        raise MtomError(f"Référence XOP {href!r} : URL cid: attendue.", reason="xop_href_invalid")
    return unquote(href[4:])


def cid_to_href(cid: str) -> str:
    return "cid:" + quote(cid, safe=_CID_SAFE)


def _bare_cid(value: str) -> str:
    value = value.strip()
    return value[1:-1].strip() if value.startswith("<") and value.endswith(">") else value


# --- Parsing -------------------------------------------------------------------------------


def _find_delimiter(body: bytes, delim: bytes, start: int) -> int:
    """Index of the next real delimiter (CRLF--boundary then "--" or LWSP* CRLF), or -1."""
    n = len(body)
    while True:
        i = body.find(delim, start)
        if i < 0:
            return -1
        j = i + len(delim)
        if body.startswith(b"--", j):
            return i
        while j < n and body[j] in b" \t":
            j += 1
        if j == n or body.startswith(_CRLF, j):
            return i
        start = i + 1  # boundary was a prefix of a longer token: not a delimiter


def _split_raw_parts(body: bytes, boundary: bytes, max_parts: int) -> list[bytes]:
    dash = b"--" + boundary
    delim = _CRLF + dash
    if body.startswith(dash):
        cursor = len(dash)
    else:
        first = _find_delimiter(body, delim, 0)
        if first < 0:
            raise MtomError(
                "Corps multipart : délimiteur introuvable (boundary erroné ?).", reason="boundary_not_found"
            )
        cursor = first + len(delim)
    parts: list[bytes] = []
    while True:
        if body.startswith(b"--", cursor):
            return parts  # close delimiter; the epilogue is ignored (RFC 2046 §5.1.1)
        eol = body.find(_CRLF, cursor)
        if eol < 0 or body[cursor:eol].strip(b" \t"):
            raise MtomError("Corps multipart tronqué ou ligne de délimiteur invalide.", reason="truncated")
        start = eol + 2
        end = _find_delimiter(body, delim, start)
        if end < 0:
            raise MtomError("Corps multipart tronqué : délimiteur de fin absent.", reason="truncated")
        if len(parts) >= max_parts:
            raise MtomError(f"Corps multipart : plus de {max_parts} parties.", reason="too_many_parts")
        parts.append(body[start:end])
        cursor = end + len(delim)


def _parse_headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    last = None
    for line in block.decode("latin-1").split("\r\n"):
        if line[:1] in (" ", "\t") and last is not None:
            headers[last] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise MtomError(f"En-tête de partie MIME invalide : {line[:80]!r}.", reason="bad_header")
        last = name.strip().lower()
        headers.setdefault(last, value.strip())
    return headers


def _decode(data: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "binary", "8bit", "7bit"):
        return data
    try:
        if encoding == "base64":
            return base64.b64decode(data)
        if encoding == "quoted-printable":
            return quopri.decodestring(data)
    except (binascii.Error, ValueError) as exc:
        raise MtomError(f"Partie MIME : {encoding} invalide ({exc}).", reason="bad_encoding") from None
    raise MtomError(f"Content-Transfer-Encoding non pris en charge : {encoding}.", reason="bad_encoding")


def _parse_part(raw: bytes, max_part_bytes: int) -> Part:
    if raw.startswith(_CRLF):
        headers, content = {}, raw[2:]
    else:
        sep = raw.find(_CRLF + _CRLF)
        if sep < 0:
            raise MtomError("Partie MIME sans ligne vide après les en-têtes.", reason="bad_header")
        headers, content = _parse_headers(raw[:sep]), raw[sep + 4 :]
    if len(content) > max_part_bytes:
        raise MtomError(
            f"Partie MIME de {len(content)} octets, limite {max_part_bytes}.", reason="part_too_large"
        )
    data = _decode(content, headers.get("content-transfer-encoding", ""))
    cid = _bare_cid(headers["content-id"]) if "content-id" in headers else None
    return Part(headers.get("content-type", "text/plain"), headers, data, cid or None)


def parse_mtom(
    body: bytes,
    content_type: str,
    *,
    max_parts: int = 1000,
    max_part_bytes: int = DEFAULT_MAX_PART_BYTES,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
) -> MtomMessage:
    """Split a multipart/related body; the root is the `start` part, else the first (RFC 2387)."""
    media, params = parse_content_type(content_type)
    if media != "multipart/related":
        raise MtomError(f"multipart/related attendu, reçu {media or 'rien'}.", reason="media_type")
    boundary = params.get("boundary", "")
    if not boundary or len(boundary) > 200:
        raise MtomError("Paramètre boundary absent ou invalide.", reason="boundary_missing")
    if len(body) > max_total_bytes:
        raise MtomError(
            f"Corps multipart de {len(body)} octets, limite {max_total_bytes}.", reason="too_large"
        )
    raw_parts = _split_raw_parts(bytes(body), boundary.encode("latin-1", "replace"), max_parts)
    if not raw_parts:
        raise MtomError("Corps multipart sans aucune partie.", reason="no_parts")
    parts = [_parse_part(raw, max_part_bytes) for raw in raw_parts]
    by_cid: dict[str, Part] = {}
    unnamed: list[Part] = []
    for part in parts:
        if part.content_id is None:
            unnamed.append(part)
        elif part.content_id in by_cid:
            raise MtomError(f"Content-ID <{part.content_id}> en double.", reason="duplicate_cid")
        else:
            by_cid[part.content_id] = part
    start = _bare_cid(params.get("start", ""))
    if start:
        root = by_cid.pop(start, None)
        if root is None:
            raise MtomError(
                f"Paramètre start <{start}> : aucune partie ne porte ce Content-ID.", reason="start_not_found"
            )
    else:
        root = parts[0]
        if root.content_id is not None:
            by_cid.pop(root.content_id)
        else:
            unnamed.remove(root)
    return MtomMessage(root=root, attachments=by_cid, params=params, unnamed_parts=unnamed)


def resolve_xop(
    root: etree._Element, attachments: dict[str, Part], *, inline: bool = False
) -> dict[etree._Element, Part]:
    """Map each element that held an xop:Include to its part; with inline=True, also put the part
    back as base64 text (what a validator or XAdES digest over the infoset expects)."""
    found: dict[etree._Element, Part] = {}
    for inc in list(root.iter(f"{{{XOP_NS}}}Include")):
        href = inc.get("href")
        if not href:
            raise MtomError("xop:Include sans attribut href.", reason="xop_href_invalid")
        cid = cid_from_href(href)
        part = attachments.get(cid)
        if part is None:
            raise MtomError(
                f"xop:Include vers {href} : aucune partie MIME avec ce Content-ID.", reason="unknown_cid"
            )
        parent = inc.getparent()
        if parent is None or len(parent) != 1 or (parent.text or "").strip() or (inc.tail or "").strip():
            raise MtomError(
                "xop:Include doit être le seul contenu de son élément parent.", reason="xop_include_not_alone"
            )
        found[parent] = part
        if inline:
            parent.remove(inc)
            parent.text = base64.b64encode(part.data).decode("ascii")
    return found


# --- Building ------------------------------------------------------------------------------


def xop_include(cid: str) -> etree._Element:
    el = etree.Element(f"{{{XOP_NS}}}Include", nsmap={"xop": XOP_NS})
    el.set("href", cid_to_href(cid))
    return el


def _header_line(name: str, value: str) -> bytes:
    if "\r" in value or "\n" in value:
        raise ValueError(f"MIME header {name} cannot contain line breaks")
    return f"{name}: {value}\r\n".encode("latin-1")


def _boundary_for(contents: Sequence[bytes], seed: bytes) -> str:
    h = hashlib.sha256(seed)
    for c in contents:
        h.update(len(c).to_bytes(8, "big") + c[:64] + c[-64:])
    for counter in range(1000):
        candidate = f"MIMEBoundary_{h.hexdigest()[:40]}{counter or ''}"
        marker = b"--" + candidate.encode("ascii")
        if not any(marker in c for c in contents):
            return candidate
    raise ValueError("could not find a boundary absent from the content")  # pragma: no cover


def build_mtom(
    root_xml: bytes,
    attachments: Sequence[tuple[str, str, bytes]],
    *,
    start_cid: str | None = None,
    boundary: str | None = None,
    action: str | None = None,
) -> tuple[bytes, str]:
    """MTOM SOAP 1.2 message from a root envelope and (cid, content_type, data) attachments."""
    start_cid = start_cid or "root.message@socle-bench"
    cids = [start_cid, *(a[0] for a in attachments)]
    if len(set(cids)) != len(cids):
        raise ValueError("Content-IDs must be unique (including the root part)")
    contents = [root_xml, *(a[2] for a in attachments)]
    if boundary is None:
        boundary = _boundary_for(contents, "\0".join(cids).encode("utf-8"))
    elif any(b"--" + boundary.encode("latin-1") in c for c in contents):
        raise ValueError("boundary occurs inside a part")
    dash = b"--" + boundary.encode("latin-1")
    root_type = f'{XOP_MEDIA_TYPE}; charset=UTF-8; type="{SOAP12_MEDIA_TYPE}"'
    chunks: list[bytes] = []
    for cid, ctype, data in [(start_cid, root_type, root_xml), *attachments]:
        chunks += [dash, _CRLF, _header_line("Content-Type", ctype)]
        chunks.append(_header_line("Content-Transfer-Encoding", "binary"))
        chunks.append(_header_line("Content-ID", f"<{cid}>"))
        chunks += [_CRLF, data, _CRLF]
    chunks += [dash, b"--", _CRLF]
    ctype = (
        f'multipart/related; type="{XOP_MEDIA_TYPE}"; boundary={quote_param(boundary)}; '
        f'start={quote_param(f"<{start_cid}>")}; start-info="{SOAP12_MEDIA_TYPE}"'
    )
    if action:
        ctype += f"; action={quote_param(action)}"
    return b"".join(chunks), ctype


def split_soap_request(
    body: bytes,
    content_type: str | None,
    *,
    max_parts: int = 1000,
    max_part_bytes: int = DEFAULT_MAX_PART_BYTES,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
) -> tuple[bytes, dict[str, Part]]:
    """One entry for SOAP adapters: plain SOAP passes through, MTOM is unpacked; errors are faults.

    text/xml passes through on purpose so that a SOAP 1.1 client gets the VersionMismatch fault
    from parse_envelope rather than an opaque media-type refusal.
    """
    media, params = parse_content_type(content_type)
    if media == "multipart/related":
        declared = params.get("type", "").strip().lower()
        if declared != XOP_MEDIA_TYPE:  # SOAP MTOM §4.3 / XOP §4.1: the root is an XOP package
            got = f"« {declared} »" if declared else "absent"
            raise SoapError.sender(f"multipart/related : paramètre type {got}, {XOP_MEDIA_TYPE} attendu (MTOM).",
                                   reason="media_type")
        try:
            msg = parse_mtom(
                body, content_type or "", max_parts=max_parts,
                max_part_bytes=max_part_bytes, max_total_bytes=max_total_bytes,
            )
        except ProtocolError as exc:
            raise SoapError.from_protocol_error(exc) from exc
        return msg.root.data, msg.attachments
    if media in _PASSTHROUGH_TYPES:
        return bytes(body), {}
    raise SoapError.sender(f"Type de contenu non pris en charge : {media}.", reason="media_type")
