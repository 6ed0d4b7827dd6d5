"""The one hardened XML parser of the bench.

Every byte a DUI sends us is hostile until proven otherwise, and a test bench is exactly where
people try XXE or billion-laughs to see what happens. So all modules parse through `parse_xml`:
no DTD is ever loaded, no entity resolved, no network touched, and any document that *declares*
a DOCTYPE is refused outright with a clear error (a silent drop would hide the attempt from the
conformance report). SOAP 1.2 forbids DTDs in messages anyway.

Cost matters: this runs on every request. A fresh lxml parser costs about a microsecond, so one is
built per call (thread-safe, no shared state); the depth check is a single compiled XPath walk and
is skipped when libxml2's own limit (256, or 2048 with huge_tree) is already the requested one.
"""

from __future__ import annotations

from lxml import etree

from simulators.codecs.errors import XmlRejected

DEFAULT_MAX_BYTES = 10_000_000
DEFAULT_MAX_DEPTH = 256
_LIBXML2_MAX_DEPTH = 256
_LIBXML2_HUGE_MAX_DEPTH = 2048
_UTF8_BOM = b"\xef\xbb\xbf"


def _make_parser(*, huge_tree: bool, remove_comments: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=huge_tree,
        remove_comments=remove_comments,
        remove_pis=False,
        collect_ids=False,
    )


def _skip_prolog_item(data: bytes, pos: int) -> int:
    """Return the position after one whitespace run, comment or PI at `pos`, or -1 if none."""
    n = len(data)
    start = pos
    while pos < n and data[pos] in b" \t\r\n":
        pos += 1
    if pos > start:
        return pos
    if data.startswith(b"<?", pos):
        end = data.find(b"?>", pos + 2)
        return -1 if end < 0 else end + 2
    if data.startswith(b"<!--", pos):
        end = data.find(b"-->", pos + 4)
        return -1 if end < 0 else end + 3
    return -1


def _declares_doctype(data: bytes) -> bool:
    """Cheap linear scan of an ASCII-compatible prolog: is the next markup a DOCTYPE?

    Only the prolog is looked at, so "<!DOCTYPE" inside CDATA or a comment in the body (an
    embedded HTML page, say) is no false positive. UTF-16/32 documents fall through to the
    post-parse docinfo check, which is exact.
    """
    pos = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    while True:
        nxt = _skip_prolog_item(data, pos)
        if nxt < 0:
            return data.startswith(b"<!DOCTYPE", pos)
        pos = nxt


def _too_deep(root: etree._Element, max_depth: int) -> bool:
    # One C-level walk: the node-set at step k holds exactly the elements at depth k.
    probe = etree.XPath("boolean(/" + "/".join(["*"] * (max_depth + 1)) + ")")
    return bool(probe(root))


def parse_xml(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    huge_tree: bool = False,
    remove_comments: bool = False,
) -> etree._Element:
    """Parse untrusted bytes into an element, or raise `XmlRejected` with a French message.

    `max_depth` counts the root as depth 1; libxml2 itself stops at 256 (2048 with huge_tree),
    so a larger `max_depth` needs huge_tree=True. Processing instructions (xml-stylesheet...) are kept
    and never acted upon. Comments are kept by default because exclusive c14n "with comments"
    and recorded-fixture comparisons need them.
    """
    if isinstance(data, str):
        raise TypeError("parse_xml expects bytes: the encoding belongs to the document")
    data = bytes(data)
    if not data or data.isspace():
        raise XmlRejected("Document XML refusé : contenu vide.", reason="empty")
    if len(data) > max_bytes:
        raise XmlRejected(
            f"Document XML refusé : {len(data)} octets, limite {max_bytes}.", reason="too_large"
        )
    if _declares_doctype(data):
        raise XmlRejected(
            "Document XML refusé : les déclarations DOCTYPE (DTD, entités) sont interdites.",
            reason="doctype",
        )
    parser = _make_parser(huge_tree=huge_tree, remove_comments=remove_comments)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        reason = "too_deep" if "Excessive depth" in str(exc) else "malformed"
        raise XmlRejected(f"Document XML mal formé : {exc}", reason=reason) from None
    except (ValueError, etree.LxmlError) as exc:
        raise XmlRejected(f"Document XML illisible : {exc}", reason="malformed") from None
    if root is None:  # lxml returns None for some recover-mode inputs; never trust it
        raise XmlRejected("Document XML refusé : aucun élément racine.", reason="malformed")
    if root.getroottree().docinfo.doctype:
        raise XmlRejected(
            "Document XML refusé : les déclarations DOCTYPE (DTD, entités) sont interdites.",
            reason="doctype",
        )
    native_limit = _LIBXML2_HUGE_MAX_DEPTH if huge_tree else _LIBXML2_MAX_DEPTH
    if max_depth < native_limit and _too_deep(root, max_depth):
        raise XmlRejected(
            f"Document XML refusé : imbrication supérieure à {max_depth} niveaux.",
            reason="too_deep",
        )
    return root


def to_bytes(el: etree._Element, *, xml_declaration: bool = False) -> bytes:
    """UTF-8 serialisation of `el` alone (never its tail), declaration only on request."""
    return etree.tostring(el, encoding="UTF-8", xml_declaration=xml_declaration, with_tail=False)
