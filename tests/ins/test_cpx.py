"""CPx profile: a SAML 2.0 assertion signed with a bench PKI certificate in wsse:Security, over TLS
without client certificate; unsigned, tampered, foreign, revoked or expired assertions are refused."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from pathlib import Path

import pytest
import requests
from lxml import etree

from simulators.core.bench import Bench
from simulators.core.journal import ExchangeQuery
from simulators.core.pki import CertRequest, Pki
from simulators.core.pki.testing import make_test_pki
from simulators.core.tls import requests_verify
from simulators.ins.client import InsiClient, InsiServiceFault, cps_assertion_factory
from simulators.ins.client import cpx_client as reference_cpx_client
from simulators.ins.client_codec import LpsIdentity, build_request
from simulators.ins.model import NS_SAML2, TraitsQuery, VitaleQuery
from simulators.ins.saml import AssertionVerifier, build_assertion
from simulators.ins.server import InsSimulator
from tests.conftest import make_config
from tests.ins.conftest import session_url

ZOE = TraitsQuery("ADRUN", ("ZOE",), "F", "1975-12-31")


def cpx_client(bench: Bench, pki: Pki, session: str, factory) -> InsiClient:
    return InsiClient(session_url(bench, session, "ins-cpx"), verify=requests_verify(pki), assertion_factory=factory)


def test_signed_cps_assertion_is_accepted_and_identifies_the_ps(tls_bench: Bench, pki: Pki) -> None:
    factory = cps_assertion_factory(pki.certificate("cps"), pki.private_key("cps"), ps_id="00B6087510")
    response, _ = cpx_client(tls_bench, pki, "cpx-ok", factory).send(ZOE)
    assert response.cr == "00"
    (exchange,) = tls_bench.runtime.journal.query(ExchangeQuery(session="cpx-ok"))
    assert (exchange.caller.kind, exchange.caller.subject) == ("saml", "00B6087510")
    assert exchange.caller.attributes["secteurActivite"] == "SA05"
    assert "CN=810001234565" in exchange.caller.attributes["certificate_subject"]


@pytest.mark.parametrize("cert", ["org-sign", "org-auth-cli", "insi-auto", "server"])
def test_only_a_cps_card_may_sign_the_assertion(tls_bench: Bench, pki: Pki, cert: str) -> None:
    """insi.md §1: the CPx assertion comes from the CPS/CPE card; organisation and server certificates of
    the same trusted PKI are refused with the service's fault."""
    client = reference_cpx_client(session_url(tls_bench, f"cpx-{cert}", "ins-cpx"), pki, cert, "10B0152872")
    with pytest.raises(InsiServiceFault) as caught:
        client.search_traits("Adrun", "Zoé", "F", "1975-12-31")
    assert caught.value.fault.erreur_code == "bench_authentification"
    assert "CPS" in caught.value.fault.text


def _refused(bench: Bench, pki: Pki, session: str, factory) -> str:
    with pytest.raises(InsiServiceFault) as caught:
        cpx_client(bench, pki, session, factory).send(ZOE)
    assert caught.value.status == 500
    assert caught.value.fault.erreur_code == "bench_authentification"
    return caught.value.fault.text


def test_expired_assertion_is_refused(tls_bench: Bench, pki: Pki) -> None:
    old = build_assertion(pki.certificate("cps"), pki.private_key("cps"), ps_id="00B6087510",
                          now=datetime.now(UTC) - timedelta(hours=3))
    assert "expirée" in _refused(tls_bench, pki, "cpx-expired", lambda: old)


def test_tampered_assertion_is_refused(tls_bench: Bench, pki: Pki) -> None:
    assertion = build_assertion(pki.certificate("cps"), pki.private_key("cps"), ps_id="00B6087510")
    assertion.find(f"{{{NS_SAML2}}}Subject/{{{NS_SAML2}}}NameID").text = "99B9999999"
    assert "signature" in _refused(tls_bench, pki, "cpx-tampered", lambda: assertion)


@pytest.mark.parametrize("cert", ["insi-auto-wrong-issuer", "insi-auto-revoked"])
def test_assertion_signed_by_an_untrusted_or_revoked_certificate_is_refused(tls_bench: Bench, pki: Pki,
                                                                            cert: str) -> None:
    assertion = build_assertion(pki.certificate(cert), pki.private_key(cert), ps_id="00B6087510")
    _refused(tls_bench, pki, f"cpx-{cert}", lambda: assertion)


def test_unsigned_assertion_is_refused(tls_bench: Bench, pki: Pki) -> None:
    unsigned = etree.fromstring(f'<saml:Assertion xmlns:saml="{NS_SAML2}" ID="_x" Version="2.0"/>'.encode())
    _refused(tls_bench, pki, "cpx-unsigned", lambda: unsigned)


def test_missing_security_header_is_refused(tls_bench: Bench, pki: Pki) -> None:
    assert "sans assertion" in _refused(tls_bench, pki, "cpx-none", None)


def test_rsa_sha256_assertion_as_produced_from_a_cps_card(tmp_path: Path) -> None:
    rsa_pki = make_test_pki(tmp_path / "rsa", defaults=False)
    rsa_pki.issue(CertRequest("cps", name="cps", rpps="10001234565", given_name="JEAN", surname="MEDECIN-TEST"))
    assertion = build_assertion(rsa_pki.certificate("cps"), rsa_pki.private_key("cps"), ps_id="00B6087510",
                                attributes={"secteurActivite": "SA05"})
    signature = etree.tostring(assertion)
    assert b"xmldsig-more#rsa-sha256" in signature and b"xml-exc-c14n#" in signature
    assert assertion[1].tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"  # right after Issuer
    info = AssertionVerifier(str(rsa_pki.trust_path)).verify(assertion)
    assert (info.subject, info.attributes["secteurActivite"]) == ("00B6087510", "SA05")


def test_carte_vitale_search_can_require_a_recent_vitale_assertion(pki: Pki, tmp_path: Path) -> None:
    options = {"require_vitale_assertion": True, "vitale_assertion_max_age_s": 1200}
    ps = build_assertion(pki.certificate("cps"), pki.private_key("cps"), ps_id="00B6087510")
    old_card = build_assertion(pki.certificate("cps"), pki.private_key("cps"), ps_id="CV",
                               now=datetime.now(UTC) - timedelta(minutes=30))
    fresh_card = build_assertion(pki.certificate("cps"), pki.private_key("cps"), ps_id="CV")
    with Bench(make_config(tmp_path, tls=True, services={"ins": options}), [InsSimulator()], pki=pki) as bench:
        url = session_url(bench, "vitale", "ins-cpx")

        def send(*assertions: etree._Element) -> bytes:
            body = build_request(VitaleQuery(matricule_individu="2751263220749"), LpsIdentity(),
                                 assertions=assertions)[0]
            return requests.post(url, data=body, verify=requests_verify(pki), timeout=10).content

        assert b'code="bench_authentification"' in send(ps)
        assert b"trop ancienne" in send(ps, old_card)
        assert b"<CodeCR>00</CodeCR>" in send(ps, fresh_card)
