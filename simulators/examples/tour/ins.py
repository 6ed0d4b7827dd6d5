"""Tour steps of INSi: both operations in both profiles (certificate, CPx), a person unknown, the faults."""

from __future__ import annotations

import contextlib
from typing import Any

import requests

from simulators.examples.tour.base import Step, Tour, elise, inject, quietly
from simulators.core.tls import requests_cert
from simulators.ins.client import cpx_client, InsiServiceFault, mtls_client


def ins_traits(t: Tour, client: Any) -> None:
    p = elise(t)
    client.search_traits(p.birth_name, p.display_first_name, p.sex, p.birth_date)


def _ins_vitale(t: Tour, client: Any) -> None:
    p = elise(t)
    client.search_vitale(p.ins.value, p.birth_date, matricule_individu=p.ins.value)  # the card's own matricule


def mtls(t: Tour, cert: str = "insi-auto") -> Any:
    return mtls_client(t.url("ins", "/lps"), t.pki, cert)


def _cpx(t: Tour) -> Any:
    return cpx_client(t.url("ins-cpx", "/lps"), t.pki)


def _ins_fault(t: Tour) -> None:
    with contextlib.suppress(InsiServiceFault):  # an organisation certificate whose CN is neither INSI-AUTO nor INSI-MANU
        ins_traits(t, mtls(t, "org-auth-cli"))


def _ins_unknown(t: Tour) -> None:
    mtls(t).search_traits("INCONNU", "PERSONNE", "F", "1901-01-01")


def _ins_wsdl(t: Tour) -> None:
    requests.get(t.url("ins", "/lps"), params={"wsdl": ""}, cert=requests_cert(t.pki, "insi-auto"), verify=t.verify,
                 timeout=30)


def _ins_unknown_operation(t: Tour) -> None:
    envelope = ('<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
                '<OperationInconnue xmlns="urn:exemple"/></soap:Body></soap:Envelope>')
    requests.post(t.url("ins", "/lps"), data=envelope.encode(), cert=requests_cert(t.pki, "insi-auto"),
                  headers={"Content-Type": "application/soap+xml; charset=utf-8"}, verify=t.verify, timeout=30)


def _ins_injected(t: Tour) -> None:
    inject(t, "ins", "insi_102")
    quietly(lambda: ins_traits(t, mtls(t)))


STEPS: tuple[Step, ...] = (
    Step("insi-traits-mtls", "ins", "INSi, recherche par traits, profil certificat (mTLS INSI-AUTO)",
         lambda t: ins_traits(t, mtls(t))),
    Step("insi-vitale-mtls", "ins", "INSi, recherche par carte Vitale, profil certificat",
         lambda t: _ins_vitale(t, mtls(t))),
    Step("insi-traits-cpx", "ins", "INSi, recherche par traits, profil CPx (assertion SAML signée par la CPS)",
         lambda t: ins_traits(t, _cpx(t))),
    Step("insi-vitale-cpx", "ins", "INSi, recherche par carte Vitale, profil CPx", lambda t: _ins_vitale(t, _cpx(t))),
    Step("insi-inconnu", "ins", "INSi, personne inconnue (compte rendu 01, pas une faute)", _ins_unknown),
    Step("insi-faute-certificat", "ins", "INSi, certificat qui n'est ni INSI-AUTO ni INSI-MANU : faute SOAP",
         _ins_fault),
    Step("insi-wsdl", "ins", "INSi, WSDL du service", _ins_wsdl),
    Step("insi-panne-injectee", "ins", "INSi, panne injectée insi_102 (POST /_bench/faults) : faute SOAP Receiver",
         _ins_injected),
    Step("insi-operation-inconnue", "ins", "INSi, opération inconnue : faute SOAP", _ins_unknown_operation),
)
