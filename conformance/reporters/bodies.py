"""Readable bodies for humans: pretty-printed XML/JSON, with the failing fragments marked.

Bodies come from the DUI and are untrusted: XML goes through the hardened parser, everything is
HTML-escaped, and display is capped so a 25 Mo MTOM upload cannot produce a 100 Mo report.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable

from lxml import etree

from simulators.codecs.xmlsafe import parse_xml

DISPLAY_LIMIT = 64 * 1024


def _content_type(headers: dict[str, str]) -> str:
    return {k.lower(): v for k, v in headers.items()}.get("content-type", "").lower()


def pretty_body(body: bytes, headers: dict[str, str] | None = None) -> str:
    """Best-effort readable text; the raw bytes stay in the evidence bundle untouched."""
    if not body:
        return ""
    content_type = _content_type(headers or {})
    text = None
    stripped = body.lstrip()
    if "xml" in content_type or stripped.startswith(b"<"):
        text = _pretty_xml(body)
    elif "json" in content_type or stripped[:1] in (b"{", b"["):
        text = _pretty_json(body)
    if text is None:
        text = body.decode("utf-8", "replace")
    if len(text) > DISPLAY_LIMIT:
        text = text[:DISPLAY_LIMIT] + f"\n… (tronqué : {len(body)} octets au total, voir le paquet de preuves)"
    return text


def _pretty_xml(body: bytes) -> str | None:
    try:
        root = parse_xml(body)
    except Exception:  # noqa: BLE001 - XmlRejected or lxml errors: show the raw text instead
        return None
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode")


def _pretty_json(body: bytes) -> str | None:
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return None


def format_headers(headers: dict[str, str]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers.items())


def highlight(text: str, fragments: Iterable[str], css_class: str = "ko") -> str:
    """HTML-escape ``text`` and wrap every occurrence of a fragment in ``<mark>``.

    Matching is on the unescaped text, so fragments need not know about HTML; longer fragments
    win over shorter ones that overlap them.
    """
    wanted = sorted({f for f in fragments if f and f.strip()}, key=len, reverse=True)
    spans: list[tuple[int, int]] = []
    for fragment in wanted:
        start = text.find(fragment)
        while start != -1:
            end = start + len(fragment)
            if not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
            start = text.find(fragment, end)
    out, cursor = [], 0
    for start, end in sorted(spans):
        out.append(html.escape(text[cursor:start]))
        out.append(f'<mark class="{css_class}">{html.escape(text[start:end])}</mark>')
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out)
