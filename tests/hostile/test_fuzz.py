"""Property-based fuzzing of every HTTP surface: recorded well-formed requests, mutated by hypothesis
(seeded, derandomized), replayed over the real sockets.

For each input: the bench process lives, the answer is the protocol's own shape (SOAP Fault, XDS
RegistryResponse or SOAP Fault, FHIR OperationOutcome, OAuth error JSON, JSON problem for the admin
API), never the generic internal error, and no internals leak (traceback, Python class names, paths).
The server's RSS after the run stays within a bound. SOCLE_HOSTILE_EXAMPLES sets the number of inputs
per surface (default 200 in CI)."""

from __future__ import annotations

import json
import os
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import Seed, Target
from tests.hostile.wire import LEAKS

EXAMPLES = int(os.environ.get("SOCLE_HOSTILE_EXAMPLES", "200"))
RSS_GROWTH_LIMIT_KB = 200 * 1024
INTERNAL = re.compile(rb"erreur interne du (simulateur|banc)")

FUZZ = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=True,
                suppress_health_check=list(HealthCheck))

CONTENT_TYPES = ["application/soap+xml;charset=UTF-8", "text/xml", "text/plain", "application/json",
                 "application/x-www-form-urlencoded", "multipart/related", "multipart/related; boundary=\"x\"",
                 'multipart/related; type="application/xop+xml"; boundary="MIME"; start-info="application/soap+xml"',
                 "application/soap+xml; charset=ISO-8859-1", "application/soap+xml; charset=klingon", "", "*/*",
                 "application/fhir+json", "\u00e9/\u00e9"]
FHIR_PARAMS = ["_revinclude", "_include", "_count", "_sort", "_elements", "_lastUpdated", "_id", "_summary",
               "_format", "name", "name:exact", "identifier", "type", "near", "_has:Location:organization:name",
               "address-postalcode", "period", "_total", "_offset", "organization.name", "active"]
FHIR_VALUES = ["HealthcareService:*", "*", "PractitionerRole:practitioner", "-1", "0", "abc", "99999999999999999999",
               "gt2020-13-45", "ge", "2020-01-01T25:61:00Z", "|", "a|b|c", "43.6|1.4|-5|km", "nan", "\u0000", "%00",
               "1e309", "true", "xml", "count", ":missing", "Location:*:*"]
HEADER_VALUES = ["Bearer", "Bearer x.y.z", "Bearer eyJhbGciOiJub25lIn0.eyJleHAiOltdfQ.", "Basic Og==", "Bearer " + "A" * 5000,
                 "eyJhbGciOiJIUzI1NiJ9.e30.", "NaN", "[1]", "1e309", "-1", "*", "../../etc/passwd", "%00", "null"]
FORM_FIELDS = ["grant_type", "username", "password", "client_id", "client_secret", "scope", "session", "expires_in",
               "refresh_token", "token", "code", "redirect_uri", "acr_values"]
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                           max_leaves=20)


@st.composite
def mutated_body(draw: st.DrawFn, body: bytes) -> bytes:
    kind = draw(st.sampled_from(["truncate", "bytes", "insert", "text-node", "attribute", "drop-tag", "repeat",
                                 "replace-all"]))
    n = len(body)
    if kind == "truncate":
        return body[:draw(st.integers(0, n))]
    if kind == "bytes" and n:
        i = draw(st.integers(0, n - 1))
        return body[:i] + draw(st.binary(min_size=1, max_size=16)) + body[i + draw(st.integers(1, 16)):]
    if kind == "insert":
        i = draw(st.integers(0, n))
        piece = draw(st.sampled_from([b"<", b"&", b"]]>", b"<!--", b"<x:y xmlns:x='urn:x'/>", b"\x00", b"\xff\xfe",
                                      b"&amp;&#0;", b"<?pi?>", b"<![CDATA[", b'"', b"</a>"]) | st.binary(max_size=32))
        return body[:i] + piece + body[i:]
    if kind == "text-node":
        nodes = list(re.finditer(rb">([^<]{1,200})<", body))
        if nodes:
            m = draw(st.sampled_from(nodes))
            return body[:m.start(1)] + draw(TEXT).encode("utf-8") + body[m.end(1):]
    if kind == "attribute":
        attrs = list(re.finditer(rb'="([^"]{0,200})"', body))
        if attrs:
            m = draw(st.sampled_from(attrs))
            value = draw(TEXT).replace('"', "").replace("<", "").replace("&", "")
            return body[:m.start(1)] + value.encode("utf-8") + body[m.end(1):]
    if kind == "drop-tag":
        tags = list(re.finditer(rb"<[^<>]{1,300}>", body))
        if tags:
            m = draw(st.sampled_from(tags))
            return body[:m.start()] + body[m.end():]
    if kind == "repeat" and n:
        i = draw(st.integers(0, n - 1))
        j = draw(st.integers(i, min(n, i + 400)))
        return body[:j] + body[i:j] * draw(st.integers(2, 20)) + body[j:]
    return draw(st.binary(max_size=200))


@st.composite
def mutated_query(draw: st.DrawFn, path: str) -> str:
    parts = urlsplit(path)
    params = parse_qsl(parts.query, keep_blank_values=True)
    action = draw(st.sampled_from(["value", "add", "drop", "path"]))
    if action == "value" and params:
        i = draw(st.integers(0, len(params) - 1))
        params[i] = (params[i][0], draw(st.sampled_from(FHIR_VALUES) | TEXT))
    elif action == "drop" and params:
        params.pop(draw(st.integers(0, len(params) - 1)))
    elif action == "path":
        segment = draw(st.sampled_from(["/..", "/%2e%2e", "/_history", "/$everything", "/x" * 50, "/%00", "/\u00e9",
                                        "/Patient/1", "/metadata", "/_search"]) | TEXT.map(lambda t: "/" + t))
        return parts.path + segment + ("?" + parts.query if parts.query else "")
    else:
        for _ in range(draw(st.integers(1, 3))):
            params.append((draw(st.sampled_from(FHIR_PARAMS)), draw(st.sampled_from(FHIR_VALUES) | TEXT)))
    return parts.path + "?" + urlencode(params)


@st.composite
def mutated_request(draw: st.DrawFn, seeds: list[Seed]) -> tuple[str, str, dict[str, str], bytes]:
    seed = draw(st.sampled_from(seeds))
    headers = {k: v for k, v in seed.headers.items() if k.lower() not in ("content-length", "host", "connection",
                                                                          "transfer-encoding", "accept-encoding")}
    method, path, body = seed.method, seed.path, seed.body
    target = draw(st.sampled_from(["body", "body", "query", "content-type", "method", "header", "form"]))
    if target == "body" and body:
        body = draw(mutated_body(body))
    elif target == "body" or target == "query":
        path = draw(mutated_query(path))
    elif target == "content-type":
        ctype = draw(st.sampled_from(CONTENT_TYPES) | TEXT.filter(lambda t: t.isprintable() and t.isascii()).map(str.strip))
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        if ctype:
            headers["Content-Type"] = ctype
    elif target == "header" and headers:
        name = draw(st.sampled_from(sorted(headers)))
        headers = dict(headers)
        headers[name] = draw(st.sampled_from(HEADER_VALUES) | TEXT.filter(lambda t: t.isprintable() and t.isascii())
                             .map(str.strip))
    elif target == "form" and b"=" in body and b"<" not in body[:1]:
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        if pairs:
            i = draw(st.integers(0, len(pairs) - 1))
            pairs[i] = (pairs[i][0], draw(st.sampled_from(FHIR_VALUES + HEADER_VALUES) | TEXT))
        pairs += draw(st.lists(st.tuples(st.sampled_from(FORM_FIELDS), st.sampled_from(HEADER_VALUES) | TEXT),
                               max_size=3))
        body = urlencode(pairs).encode()
    else:
        method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]))
    return method, path, headers, body


def _send(http: requests.Session, base: str, request: tuple[str, str, dict[str, str], bytes]) -> requests.Response:
    method, path, headers, body = request
    return http.request(method, base + path, headers=headers, data=body, timeout=30, allow_redirects=False)


def _is_json(reply: requests.Response) -> object:
    try:
        return json.loads(reply.content)
    except ValueError:
        raise AssertionError(f"JSON attendu, reçu {reply.status_code} {reply.content[:300]!r}") from None


def check_soap(reply: requests.Response) -> None:
    if reply.request.method == "HEAD":
        return
    assert b"Envelope" in reply.content and b"http://www.w3.org/2003/05/soap-envelope" in reply.content, \
        reply.content[:300]
    if reply.status_code != 200:
        assert b"Fault" in reply.content


def check_xds(reply: requests.Response) -> None:
    if reply.request.method == "HEAD":
        return
    assert b"Envelope" in reply.content, reply.content[:300]
    if reply.status_code != 200:
        assert b"Fault" in reply.content or b"RegistryError" in reply.content, reply.content[:300]


def check_fhir(reply: requests.Response) -> None:
    if reply.request.method == "HEAD":
        return
    data = _is_json(reply)
    assert isinstance(data, dict)
    if reply.status_code >= 400:
        # the OAuth token endpoint of the ROR answers OAuth errors; everything else FHIR OperationOutcome
        assert data.get("resourceType") == "OperationOutcome" or "error" in data, data
    else:
        assert "resourceType" in data or "access_token" in data, data


def check_oauth(reply: requests.Response) -> None:
    if reply.request.method == "HEAD":
        return
    data = _is_json(reply)
    if reply.status_code >= 400:
        assert isinstance(data, dict) and isinstance(data.get("error"), str), data


def check_problem(reply: requests.Response) -> None:
    if reply.request.method == "HEAD" or reply.status_code == 204:
        return
    data = _is_json(reply)
    if reply.status_code >= 400:
        assert isinstance(data, dict) and data.get("status") == reply.status_code and "detail" in data, data


SURFACES = {"ins": ("ins", check_soap), "cpx": ("ins-cpx", check_soap), "dmp": ("dmp", check_xds),
            "ror": ("ror", check_fhir), "annuaire": ("annuaire", check_fhir), "psc": ("psc", check_oauth)}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _judge(target: Target, reply: requests.Response, check) -> None:
    assert target.alive(), "the bench process died"
    if reply.request.method == "OPTIONS" and reply.status_code in (200, 204) and not reply.content:
        return  # the Allow list of HTTP, not an answer of the protocol
    assert reply.status_code != 500 or check in (check_soap, check_xds), (reply.status_code, reply.content[:300])
    assert not INTERNAL.search(reply.content), reply.content[:500]
    assert not LEAKS.search(reply.content), reply.content[:500]
    check(reply)


@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_mutated_requests_get_the_protocol_error(target: Target, surface: str) -> None:
    name, check = SURFACES[surface]
    base = _origin(target.urls[name])
    http = target.session(target.certs[surface])
    rss_before = target.rss_kb()

    @FUZZ
    @given(request=mutated_request(target.seeds[surface]))
    def run(request: tuple[str, str, dict[str, str], bytes]) -> None:
        try:
            reply = _send(http, base, request)
        except requests.ConnectionError:
            assert target.alive(), "the bench process died"
            http.close()  # the server closed a connection it could not go on with (framing): a new one
            return
        _judge(target, reply, check)

    run()
    assert target.rss_kb() - rss_before < RSS_GROWTH_LIMIT_KB


ADMIN_SEEDS = [Seed("POST", "/_bench/sessions", {"Content-Type": "application/json"}, b'{"name": "fuzz-a"}'),
               Seed("POST", "/_bench/faults", {"Content-Type": "application/json"},
                    b'{"kind": "latency", "session": "fuzz-a", "latency_ms": 1, "service": "ins"}'),
               Seed("GET", "/_bench/exchanges?session=seed-ins&limit=5", {}, b""),
               Seed("GET", "/_bench/sessions/seed-ins", {}, b""),
               Seed("POST", "/_bench/sessions/fuzz-a/reset", {"Content-Type": "application/json"}, b"{}")]


@st.composite
def admin_request(draw: st.DrawFn) -> tuple[str, str, dict[str, str], bytes]:
    seed = draw(st.sampled_from(ADMIN_SEEDS))
    if seed.method == "POST" and draw(st.booleans()):
        return seed.method, seed.path, seed.headers, json.dumps(draw(JSON_VALUES)).encode()
    return draw(mutated_request([seed]))


def test_mutated_admin_requests_get_a_json_problem(target: Target) -> None:
    base = _origin(target.urls["admin"])
    http = target.session(None)
    rss_before = target.rss_kb()
    assert http.post(base + "/_bench/sessions", json={"name": "fuzz-a"}, timeout=30).status_code in (200, 201, 409)
    deep = [b"[" * 100_000 + b"]" * 100_000, b"{\"a\":" * 50_000 + b"1" + b"}" * 50_000, b'"bonjour"', b"1e999",
            b"NaN", b"\xff\xfe{}"]
    for body in deep:
        for path in ("/_bench/sessions", "/_bench/faults", "/_bench/sessions/fuzz-a/reset"):
            reply = http.post(base + path, data=body, headers={"Content-Type": "application/json"}, timeout=30)
            assert reply.status_code < 500, (path, body[:20], reply.content[:300])
            _judge(target, reply, check_problem)

    @FUZZ
    @given(request=admin_request())
    def run(request: tuple[str, str, dict[str, str], bytes]) -> None:
        try:
            reply = _send(http, base, request)
        except requests.ConnectionError:
            assert target.alive(), "the bench process died"
            http.close()
            return
        finally:
            http.delete(base + "/_bench/faults", timeout=30)  # a generated rule must not leak into other surfaces
        _judge(target, reply, check_problem)

    run()
    assert target.rss_kb() - rss_before < RSS_GROWTH_LIMIT_KB
