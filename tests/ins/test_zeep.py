"""A standard SOAP client (zeep) works unchanged from the served WSDL, over mutual TLS."""

from __future__ import annotations

import uuid
from datetime import datetime, UTC

import pytest
import requests
import zeep
from zeep.transports import Transport

from simulators.core.bench import Bench
from simulators.core.pki import Pki
from simulators.core.tls import requests_cert, requests_verify
from simulators.ins.contract import served_wsdl
from tests.ins.conftest import session_url


def _zeep(url: str, pki: Pki) -> zeep.Client:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would replace the test root
    session.cert = requests_cert(pki, "insi-auto")
    session.verify = requests_verify(pki)
    return zeep.Client(url + "?wsdl", transport=Transport(session=session))


def _headers() -> dict:
    now = datetime.now(UTC)
    context = str(uuid.uuid4())
    return {
        "NO1_ContexteLPS": {"Version": "01_00", "Nature": "CTXLPS", "Id": context, "Temps": now,
                            "LPS": {"IDAM": {"_value_1": "ZEEP-DUI-01", "R": "4"}, "Version": "4.3.3",
                                    "Instance": str(uuid.uuid4()), "Nom": "urn:lps:zeep:4.3.3"}},
        "NO1_MessageID": {"_value_1": f"uuid:{uuid.uuid4()}"},
        "NO1_ContexteBAM": {"Version": "01_02", "Id": context, "Temps": now, "COUVERTURE": {}},
    }


@pytest.fixture(scope="module")
def client(tls_bench: Bench, pki: Pki) -> zeep.Client:
    return _zeep(session_url(tls_bench, "zeep"), pki)


def test_zeep_traits_search_from_the_served_wsdl(client: zeep.Client) -> None:
    result = client.service.rechercherInsAvecTraitsIdentite(
        NomNaissance="ECETINSI", Prenom=["PIERRE-ALAIN"], Sexe="M", DateNaissance="2009-07-14",
        _soapheaders=_headers())
    assert result.CR.CodeCR == "00"
    assert result.INDIVIDU.INSACTIF.IdIndividu.NumIdentifiant == "1090763220834"
    assert result.INDIVIDU.INSACTIF.IdIndividu.Cle == "89"
    assert result.INDIVIDU.TIQ.ListePrenom == "PIERRE-ALAIN MURIEL FLORIANT"
    assert [h.IdIndividu.NumIdentifiant for h in result.INDIVIDU.INSHISTO] == ["2090763220834"]


def test_zeep_carte_vitale_search(client: zeep.Client) -> None:
    result = client.service.rechercherInsAvecCarteVitale(
        MatriculeIndividu={"NumIdentifiant": "2751263220749", "Cle": "74"}, _soapheaders=_headers())
    assert result.CR.CodeCR == "00"
    assert result.INDIVIDU.TIQ.NomNaissance == "ADRUN"


def test_zeep_sees_the_fault_as_a_soap_fault(client: zeep.Client) -> None:
    with pytest.raises(zeep.exceptions.Fault) as caught:
        client.service.rechercherInsAvecTraitsIdentite(
            NomNaissance="D'AEION", Prenom=["COEUR"], Sexe="M", DateNaissance="1987-01-25", _soapheaders=_headers())
    assert "temporairement inaccessible" in caught.value.message


def test_served_wsdl_points_at_the_answering_port_with_the_official_structure(tls_bench: Bench,
                                                                                    pki: Pki) -> None:
    url = session_url(tls_bench, "zeep-wsdl", "ins-cpx")
    cpx = requests.get(url + "?wsdl", verify=requests_verify(pki), timeout=10)
    assert cpx.status_code == 200
    assert f'location="{url}"'.encode() in cpx.content
    assert b"NO1_Security" in cpx.content
    mtls = requests.get(session_url(tls_bench, "zeep-wsdl") + "?wsdl", verify=requests_verify(pki),
                        cert=requests_cert(pki, "insi-auto"), timeout=10)
    assert b"NO1_Security" in mtls.content and b"RECSANSVITALE" in mtls.content  # as in the official WSDL
    assert served_wsdl("mtls", "https://x/lps") == served_wsdl("mtls", "https://x/lps")


def test_zeep_cpx_profile_carries_the_signed_assertion(tls_bench: Bench, pki: Pki) -> None:
    from simulators.ins.saml import build_assertion

    session = requests.Session()
    session.trust_env = False
    session.verify = requests_verify(pki)
    client = zeep.Client(session_url(tls_bench, "zeep-cpx", "ins-cpx") + "?wsdl", transport=Transport(session=session))
    assertion = build_assertion(pki.certificate("cps"), pki.private_key("cps"), ps_id="00B6087510")
    headers = {"NO1_Security": {"_value_1": [assertion]}, **_headers()}
    result = client.service.rechercherInsAvecTraitsIdentite(
        NomNaissance="ADRUN", Prenom=["ZOE"], Sexe="F", DateNaissance="1975-12-31", _soapheaders=headers)
    assert (result.CR.CodeCR, result.INDIVIDU.INSACTIF.IdIndividu.NumIdentifiant) == ("00", "2751263220749")
