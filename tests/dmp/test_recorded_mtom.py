"""The DMP simulator's MTOM wire against the recorded samples (tests/fixtures/dmp, SOURCES.md), over the
session's TLS bench with VIHF-signed calls of the reference client (simulators/dmp/client.py): the ITI-41
request the client sends and the ITI-43 response the simulator answers have the multipart structure of
the recorded messages: part count, content types and their parameters, the `start` parameter naming the
root part, `start-info`/`action`, and every `xop:Include` href resolving to exactly one part (each
attachment referenced once). The multipart is read with the standard library's MIME parser, not with
the project's MTOM codec, so the comparison does not grade the codec with itself."""

from __future__ import annotations

import email.policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any
from collections.abc import Callable
from urllib.parse import unquote

import pytest
import requests
from lxml import etree

from simulators.dmp.client import DmpClient
from simulators.dmp.codec import xds
from simulators.dmp.context import DEFAULT_REPOSITORY_UID as REPOSITORY
from tests.codecs.recorded import http_message
from tests.dmp.conftest import cda_for

XOP_INCLUDE = "{http://www.w3.org/2004/08/xop/include}Include"


def _bare(cid: str) -> str:
    return cid.strip().removeprefix("<").removesuffix(">")


def multipart_shape(content_type: str, body: bytes) -> dict[str, Any]:
    """The structure of an MTOM message, no values: outer parameters, per part its media type with the
    `type`/`charset` parameters, whether `start` names the first part, and where each xop:Include sits
    and which part it resolves to. Unresolved or doubly-used references are listed, not raised."""
    message = BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body)
    assert isinstance(message, EmailMessage)
    parts = list(message.iter_parts()) if message.is_multipart() else []
    cids = [_bare(p.get("Content-ID", "")) for p in parts]
    start = _bare(message.get_param("start", "") or "")
    shape: dict[str, Any] = {
        "media": message.get_content_type(),
        "params": {k: message.get_param(k) for k in ("type", "start-info", "action")},
        "start_is_first_part": bool(parts) and start == cids[0],
        "parts": [(p.get_content_type(), (p.get_param("type") or "").lower(), (p.get_param("charset") or "").upper(),
                   bool(p.get("Content-ID"))) for p in parts],
        "unique_cids": len(set(cids)) == len(cids),
        "encodings_binary_safe": all(p.get("Content-Transfer-Encoding", "binary").lower() in ("binary", "8bit")
                                     for p in parts),
    }
    root = etree.fromstring(parts[0].get_payload(decode=True)) if parts else None
    includes = [] if root is None else list(root.iter(XOP_INCLUDE))
    targets = []
    for include in includes:
        href = include.get("href", "")
        cid = unquote(href[4:]) if href.startswith("cid:") else None
        targets.append(cids.index(cid) if cid in cids[1:] else None)
    shape["includes"] = [(etree.QName(i.getparent()).localname, t is not None) for i, t in zip(includes, targets, strict=True)]
    shape["every_attachment_referenced_once"] = sorted(t for t in targets if t is not None) == list(range(1, len(parts)))
    shape["include_part_types"] = [parts[t].get_content_type() if t is not None else None for t in targets]
    return shape


class Wire:
    """Every HTTP exchange of one reference client, as sent and as answered (a requests response hook)."""

    def __init__(self, client: DmpClient) -> None:
        self.exchanges: list[requests.Response] = []
        client.http.hooks["response"].append(lambda response, *args, **kwargs: self.exchanges.append(response))

    def last(self, action: str) -> requests.Response:
        return next(r for r in reversed(self.exchanges)
                    if f'action="{action}"' in r.request.headers.get("Content-Type", ""))


def _attachment_bytes(content_type: str, body: bytes) -> list[bytes]:
    message = BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body)
    return [part.get_payload(decode=True) for part in list(message.iter_parts())[1:]]


@pytest.fixture
def round_trip(make_client: Callable[..., DmpClient], world) -> tuple[Any, requests.Response, requests.Response]:
    """One document fed (ITI-41, MTOM, VIHF-signed) and retrieved (ITI-43) by the reference client."""
    person = world.person("elise")
    educator = make_client("mecs-educateur")
    wire = Wire(educator)
    spec = cda_for(world, "elise", "mecs-educateur", "projet-personnalise")
    fed = educator.feed([(spec, ())])
    assert fed.ok, fed.errors
    docs, errors = educator.retrieve(person.ins.value, person.ins.oid, [spec.unique_id], repository_uid=REPOSITORY)
    assert not errors and [d.unique_id for d in docs] == [spec.unique_id]
    return fed, wire.last(xds.ACTION_ITI41), wire.last(xds.ACTION_ITI43)


def test_live_iti43_response_has_the_recorded_multipart_structure(round_trip) -> None:
    fed, iti41, iti43 = round_trip
    assert iti43.status_code == 200
    live = multipart_shape(iti43.headers["Content-Type"], iti43.content)
    recorded = multipart_shape(*http_message("dmp", "iti43-response.http"))
    assert live == recorded
    assert len(live["parts"]) == 2 and live["includes"] == [("Document", True)]  # the recorded facts, spelled out
    # the attachment the simulator answers is, byte for byte, the CDA the client sent as an attachment
    entry = next(e for e in fed.submission.entries if not e.is_signature)
    assert _attachment_bytes(iti43.headers["Content-Type"], iti43.content) == [fed.submission.documents[entry.entry_uuid]]
    assert fed.submission.documents[entry.entry_uuid] in _attachment_bytes(iti41.request.headers["Content-Type"],
                                                                          iti41.request.body)


def test_reference_iti41_request_has_the_recorded_multipart_structure(round_trip) -> None:
    """The client signs its submission set, so it sends one attachment per document (the CDA and the
    signature document) where the recorded request has one: each attachment part has the recorded shape."""
    fed, iti41, _ = round_trip
    live = multipart_shape(iti41.request.headers["Content-Type"], iti41.request.body)
    recorded = multipart_shape(*http_message("dmp", "iti41-request.http"))
    documents = len(fed.submission.documents)
    assert documents >= 1 and len(live["parts"]) == 1 + documents
    expected = dict(recorded, parts=[recorded["parts"][0]] + [recorded["parts"][1]] * documents,
                    includes=recorded["includes"] * documents, include_part_types=recorded["include_part_types"] * documents)
    assert live == expected


# --- the comparison can fail --------------------------------------------------------------------------

def _mutations() -> list[tuple[str, Callable[[str, bytes], tuple[str, bytes]]]]:
    cid = b"1.2.250.1.213.1.1.9.934986993.20260312.1@dmp.example.test"
    return [
        ("start names no part", lambda c, b: (c.replace("<root.0@", "<autre@"), b)),
        ("start names the attachment", lambda c, b: (c.replace("<root.0@socle-bench.fixture>", f"<{cid.decode()}>"), b)),
        ("href to an unknown cid", lambda c, b: (c, b.replace(b'href="cid:' + cid, b'href="cid:inconnu@x', 1))),
        ("href without cid: scheme", lambda c, b: (c, b.replace(b'href="cid:', b'href="', 1))),
        ("root part is text/xml", lambda c, b: (c, b.replace(b"Content-Type: application/xop+xml", b"Content-Type: text/xml", 1))),
        ("root part without type parameter", lambda c, b: (c, b.replace(b'; type="application/soap+xml"', b"", 1))),
        ("attachment content type", lambda c, b: (c, b.replace(b"Content-Type: text/xml", b"Content-Type: application/pdf", 1))),
        ("attachment without Content-ID", lambda c, b: (c, b.replace(b"Content-ID: <" + cid + b">\r\n", b"", 1))),
        ("two parts, one cid", lambda c, b: (c, b.replace(b"Content-ID: <" + cid, b"Content-ID: <root.0@socle-bench.fixture", 1))),
        ("no action parameter", lambda c, b: (c.split("; action=")[0], b)),
        ("not multipart/related", lambda c, b: (c.replace("multipart/related", "multipart/mixed"), b)),
        ("quoted-printable attachment", lambda c, b: (c, b.replace(b"Content-Transfer-Encoding: binary",
                                                                   b"Content-Transfer-Encoding: quoted-printable", 1))),
    ]


@pytest.mark.parametrize(("name", "mutate"), _mutations(), ids=[m[0] for m in _mutations()])
def test_the_structure_comparison_sees_a_broken_copy(name: str, mutate) -> None:
    content_type, body = http_message("dmp", "iti43-response.http")
    broken = mutate(content_type, body)
    assert broken != (content_type, body), name  # the mutation applies to the recorded message
    assert multipart_shape(*broken) != multipart_shape(content_type, body), name


def test_an_attachment_nobody_references_is_seen() -> None:
    content_type, body = http_message("dmp", "iti43-response.http")
    boundary = b"--MIMEBoundary_urn_uuid_2b7c9e41d0a34f5e8c6b1a2d3e4f5a6b"
    extra = boundary + b"\r\nContent-Type: text/xml\r\nContent-ID: <orphan@x>\r\n\r\n<a/>\r\n" + boundary + b"--"
    orphaned = body[: body.rindex(boundary + b"--")] + extra + b"\r\n"
    shape = multipart_shape(content_type, orphaned)
    assert len(shape["parts"]) == 3 and shape["every_attachment_referenced_once"] is False
