"""Acceptance over real mutual TLS with the bench PKI: every test person of insi.md §5 gives its
documented answer, the CN rule gives DESIR_560, bad certificates are refused during the handshake."""

from __future__ import annotations

import pytest
import requests

from simulators.core.bench import Bench
from simulators.core.pki import Pki
from simulators.core.tls import requests_verify
from simulators.ins.client import InsiClient, InsiServiceFault
from simulators.ins.client import mtls_client as client_for
from simulators.ins.model import TraitsQuery
from tests.ins.conftest import session_url

NIR_OID, NIA_OID = "1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9"

# (nom, prénoms, sexe, date) -> (CR, matricule 13, clé, OID, ListePrenom, LieuNaissance, INSHISTO [(nir, clé)])
FOUND = [
    (("ADRTROIS", ("DOMINIQUE",), "F", "1997-02-26"),
     ("297022A020778", "78", NIR_OID, "DOMINIQUE", "2A020", [])),
    (("ADRTROIS", ("TOUSSAINT",), "M", "1960-01-01"),
     ("160012B020777", "13", NIR_OID, "TOUSSAINT", "2B020", [])),
    (("TCHITCHI", ("CATARINA",), "F", "1936-06-21"),
     ("2360663220836", "56", NIR_OID, "CATARINA BELLA", "63220", [])),
    (("ECETINSI", ("PIERRE-ALAIN",), "M", "2009-07-14"),
     ("1090763220834", "89", NIR_OID, "PIERRE-ALAIN MURIEL FLORIANT", "63220", [("2090763220834", "39")])),
    (("ADRUN", ("ZOE",), "F", "1975-12-31"), ("2751263220749", "74", NIR_OID, "ZOE", "63220", [])),
    (("NESSI", ("MICHELANGELO",), "M", "2010-08-07"),
     ("1100863220830", "60", NIR_OID, "MICHELANGELO ANTHONY", "63220", [])),
    (("PROVISOIRE", ("MATRICULE",), "M", "2009-07-01"),
     ("1090763220888", "35", NIA_OID, "MATRICULE", "63220", [])),
    (("CORSE", ("ANTHONY",), "M", "1980-03-02"),
     ("180032B020401", "23", NIR_OID, "ANTHONY", "2B020", [("180032B020401", "23")])),
    (("HERMANN", ("GATIEN",), "M", "1981-03-24"),
     ("1810363220456", "60", NIR_OID, "GATIEN", "63220", [("1810363220456", "60"), ("2810363220456", "10")])),
    (("ADRDEUX", ("LAURENT",), "M", "1981-01-01"), ("1810163220751", "40", NIR_OID, "LAURENT", "75056", [])),
]
NOT_FOUND = [
    ("TCHITCHI", ("OLA",), "F", "1936-06-21", "01"),
    ("DE VINCI", ("LEONARDO",), "M", "2014-02-01", "02"),
    ("DE VINCI", ("LEONARDODINO",), "M", "2004-02-01", "01"),
    ("HOUILLES", ("PIERRE",), "M", "1993-01-27", "01"),
    ("HOUILLES", ("PAUL",), "M", "1993-01-27", "01"),
    ("HOUILLES", ("JACQUES",), "M", "1993-01-27", "01"),
    ("HOUILLES", ("PIERRE PAUL JACQUES",), "M", "1993-01-27", "01"),
    ("PATB-QUATRE", ("LAURENCE",), "F", "1907-05-25", "01"),
]


def mtls_client(bench: Bench, pki: Pki, session: str, cert: str = "insi-auto") -> InsiClient:
    return client_for(session_url(bench, session), pki, cert)


@pytest.mark.parametrize(("traits", "expected"), FOUND, ids=[f[0][0] + "-" + f[0][1][0] for f in FOUND])
def test_cnam_test_person_is_found_with_its_documented_ins(tls_bench: Bench, pki: Pki, traits, expected) -> None:
    nir, cle, oid, liste, lieu, history = expected
    response, _ = mtls_client(tls_bench, pki, "mtls-found").send(TraitsQuery(*traits))
    assert (response.cr, response.libelle) == ("00", "OK")
    assert (response.ins.nir, response.ins.cle, response.ins.oid) == (nir, cle, oid)
    assert (response.liste_prenom, response.lieu_naissance) == (liste, lieu)
    assert [(h.nir, h.cle) for h in response.history] == history


@pytest.mark.parametrize("case", NOT_FOUND, ids=[f"{c[0]}-{c[1][0]}" for c in NOT_FOUND])
def test_documented_01_and_02_answers(tls_bench: Bench, pki: Pki, case) -> None:
    *traits, cr = case
    response, _ = mtls_client(tls_bench, pki, "mtls-none").send(TraitsQuery(*traits))
    assert response.cr == cr
    assert response.libelle == {"01": "Aucune identite trouvee", "02": "Plusieurs identites trouvees"}[cr]
    assert response.ins is None


@pytest.mark.parametrize("traits", [("D'AEION", ("COEUR",), "M", "1987-01-25"),
                                    ("DE VINCI", ("RUTH",), "F", "1976-07-14")])
def test_fault_persons_give_insi_102(tls_bench: Bench, pki: Pki, traits) -> None:
    with pytest.raises(InsiServiceFault) as caught:
        mtls_client(tls_bench, pki, "mtls-fault").send(TraitsQuery(*traits))
    fault = caught.value.fault
    assert caught.value.status == 500
    expected = ("Receiver", "siram_40", "insi_102", "fatal")
    assert (fault.code, fault.subcode, fault.erreur_code, fault.severite) == expected


def test_ecetinsi_history_dates_are_returned(tls_bench: Bench, pki: Pki) -> None:
    response, _ = mtls_client(tls_bench, pki, "mtls-histo").send(
        TraitsQuery("ECETINSI", ("PIERRE-ALAIN",), "M", "2009-07-14"))
    (histo,) = response.history
    # the live service (2025-26) sends no TypeMatricule in INSHISTO any more (tests/fixtures/ins)
    assert (histo.date_deb, histo.date_fin, histo.type_matricule) == ("2019-03-01", "2019-02-28", "")


def test_insi_manu_is_accepted_too(tls_bench: Bench, pki: Pki) -> None:
    response, _ = mtls_client(tls_bench, pki, "mtls-manu", cert="insi-manu").send(
        TraitsQuery("ADRUN", ("ZOE",), "F", "1975-12-31"))
    assert response.cr == "00"


def test_other_cn_gets_desir_560_and_echoes_the_message_id(tls_bench: Bench, pki: Pki) -> None:
    client = mtls_client(tls_bench, pki, "mtls-cn", cert="org-auth-cli")
    with pytest.raises(InsiServiceFault) as caught:
        client.send(TraitsQuery("ADRUN", ("ZOE",), "F", "1975-12-31"))
    fault = caught.value.fault
    assert caught.value.status == 500
    assert fault.erreur_code == "DESIR_560"
    assert fault.text == "Vous ne disposez pas des droits suffisants pour accéder à ce service"
    assert fault.message_id.startswith("uuid:")


@pytest.mark.parametrize("cert", ["insi-auto-expired", "insi-auto-revoked", "insi-auto-wrong-issuer"])
def test_bad_client_certificates_are_refused_during_the_handshake(tls_bench: Bench, pki: Pki, cert: str) -> None:
    client = mtls_client(tls_bench, pki, "mtls-refused", cert=cert)
    with pytest.raises(requests.exceptions.ConnectionError):
        client.send(TraitsQuery("ADRUN", ("ZOE",), "F", "1975-12-31"))


def test_no_client_certificate_is_refused(tls_bench: Bench, pki: Pki) -> None:
    client = InsiClient(session_url(tls_bench, "mtls-nocert"), verify=requests_verify(pki))
    with pytest.raises(requests.exceptions.ConnectionError):
        client.send(TraitsQuery("ADRUN", ("ZOE",), "F", "1975-12-31"))


def test_caller_certificate_reaches_the_journal(tls_bench: Bench, pki: Pki) -> None:
    mtls_client(tls_bench, pki, "mtls-journal").send(TraitsQuery("ADRUN", ("ZOE",), "F", "1975-12-31"))
    from simulators.core.journal import ExchangeQuery

    (exchange,) = tls_bench.runtime.journal.query(ExchangeQuery(session="mtls-journal"))
    assert exchange.caller.attributes["cn"] == "INSI-AUTO"
    assert exchange.operation == "rechercherInsAvecTraitsIdentite"
    assert exchange.summary["cr"] == "00"
    assert exchange.summary["lps"]["idam"] == "SOCLE-BENCH-REF-01"
