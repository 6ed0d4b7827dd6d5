"""Raw request helpers: build a correct request, then break exactly one thing in it."""

from __future__ import annotations

import requests

from simulators.ins.client_codec import InsiServiceFault, LpsIdentity, build_request, parse_response
from simulators.ins.model import FaultView, ResponseView, TraitsQuery, VitaleQuery

ZOE = TraitsQuery("ADRUN", ("ZOE",), "F", "1975-12-31")
CONTENT_TYPE = "application/soap+xml;charset=UTF-8"


def request_bytes(query: TraitsQuery | VitaleQuery = ZOE, **lps: str) -> bytes:
    return build_request(query, LpsIdentity(**lps))[0]


def post(url: str, body: bytes, content_type: str = CONTENT_TYPE) -> requests.Response:
    return requests.post(url, data=body, headers={"Content-Type": content_type}, timeout=10)


def answer(url: str, body: bytes, content_type: str = CONTENT_TYPE) -> ResponseView:
    reply = post(url, body, content_type)
    assert reply.status_code == 200, reply.text
    return parse_response(reply.content, reply.status_code)


def fault(url: str, body: bytes, content_type: str = CONTENT_TYPE, status: int = 500) -> FaultView:
    reply = post(url, body, content_type)
    assert reply.status_code == status, reply.text
    assert reply.headers["Content-Type"].startswith("application/soap+xml")
    try:
        parse_response(reply.content, reply.status_code)
    except InsiServiceFault as exc:
        return exc.fault
    raise AssertionError(f"SOAP Fault attendue, reçu {reply.text[:300]}")
