"""Malformed envelopes, wrong namespaces, huge bodies and hostile XML get SOAP Faults, never a crash."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from simulators.core.bench import Bench
from simulators.ins.server import InsSimulator
from tests.conftest import make_config
from tests.ins.conftest import session_url
from tests.ins.helpers import ZOE, fault, post, request_bytes

GOOD = request_bytes(ZOE)
BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">
<soap:Body><x>&lol3;</x></soap:Body></soap:Envelope>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><x>&x;</x></soap:Body></soap:Envelope>"""
SOAP11 = GOOD.replace(b"http://www.w3.org/2003/05/soap-envelope", b"http://schemas.xmlsoap.org/soap/envelope/")
DEEP = (b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
        + b"<a>" * 5000 + b"</a>" * 5000 + b"</soap:Body></soap:Envelope>")

CASES = {
    "not-xml": b"bonjour",
    "empty": b"",
    "truncated": GOOD[: len(GOOD) // 2],
    "billion-laughs": BILLION_LAUGHS,
    "xxe": XXE,
    "soap11": SOAP11,
    "deep": DEEP,
    "no-namespace-body": GOOD.replace(b' xmlns="http://www.cnamts.fr/INSiRecSans"', b""),
    "wrong-body-namespace": GOOD.replace(b"http://www.cnamts.fr/INSiRecSans", b"http://example.org/INSi"),
    "unknown-child": GOOD.replace(b"<Sexe>", b"<Couleur>bleu</Couleur><Sexe>"),
    "nested-trait": GOOD.replace(b"<NomNaissance>ADRUN</NomNaissance>",
                                 b"<NomNaissance><b>ADRUN</b></NomNaissance>"),
    "two-body-children": GOOD.replace(b"</soap:Body>", b"<autre/></soap:Body>"),
    "no-body": GOOD[: GOOD.index(b"<soap:Body>")] + b"</soap:Envelope>",
    "binary": bytes(range(256)) * 10,
    "utf16-bom": b"\xff\xfe<\x00a\x00/\x00>\x00",
    "headers-wrong-namespace": GOOD.replace(b"urn:siram:lps:ctxlps", b"urn:siram:lps:autre"),
}


NOT_SOAP12 = {"soap11", "utf16-bom"}  # the root is no SOAP 1.2 Envelope: the SOAP stack's VersionMismatch


@pytest.mark.parametrize("case", sorted(set(CASES) - NOT_SOAP12))
def test_hostile_request_gets_a_soap_fault(http_bench: Bench, case: str) -> None:
    got = fault(session_url(http_bench, "hostile"), CASES[case])
    assert got.code == "Sender" and got.erreur_code.startswith(("bench_", "desir_", "insi_"))


@pytest.mark.parametrize("case", sorted(NOT_SOAP12))
def test_not_a_soap12_envelope_gets_version_mismatch(http_bench: Bench, case: str) -> None:
    """SOAP 1.2 part 1 §5.4.7: VersionMismatch with the Upgrade header, from the SOAP stack, not a siram fault."""
    reply = post(session_url(http_bench, "hostile"), CASES[case])
    assert reply.status_code == 500 and reply.headers["Content-Type"].startswith("application/soap+xml")
    assert reply.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert b"soap:VersionMismatch</soap:Value>" in reply.content and b"SupportedEnvelope" in reply.content
    assert b"siram" not in reply.content


def test_lps_file_is_never_read(http_bench: Bench) -> None:
    reply = post(session_url(http_bench, "hostile"), XXE)
    assert b"root:" not in reply.content and b"DOCTYPE" in reply.content


def test_oversized_text_is_answered_not_echoed(http_bench: Bench) -> None:
    huge = GOOD.replace(b"<NomNaissance>ADRUN", b"<NomNaissance>" + b"A" * 2_000_000 + b"ADRUN")
    reply = post(session_url(http_bench, "hostile"), huge)
    assert reply.status_code == 500 and len(reply.content) < 5000


@pytest.fixture(scope="module")
def small_bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    with Bench(make_config(tmp_path_factory.mktemp("ins-small"), max_body_bytes=100_000), [InsSimulator()]) as b:
        yield b


def test_body_over_the_bench_limit_gets_a_soap_fault_with_413(small_bench: Bench) -> None:
    got = fault(session_url(small_bench, "big"), GOOD + b" " * 200_000, status=413)
    assert got.erreur_code == "bench_requete" and "trop volumineuse" in got.text


def test_other_paths_and_methods_get_soap_faults(http_bench: Bench) -> None:
    base = session_url(http_bench, "hostile")
    assert requests.get(base.replace("/lps", "/autre"), timeout=10).status_code == 404
    put = requests.put(base, data=GOOD, timeout=10)
    assert put.status_code == 405 and b"siram:Erreur" in put.content
    assert requests.get(base, timeout=10).status_code == 500  # GET without ?wsdl


def test_invalid_session_name_gets_a_soap_fault(http_bench: Bench) -> None:
    reply = requests.post(session_url(http_bench, "x" * 80), data=GOOD, timeout=10)
    assert reply.status_code == 404 and b"siram:Erreur" in reply.content


def test_the_service_still_answers_after_the_hostile_cases(http_bench: Bench) -> None:
    assert b"<CodeCR>00</CodeCR>" in post(session_url(http_bench, "hostile"), GOOD).content
