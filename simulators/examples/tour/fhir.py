"""Tour steps of the FHIR services: Annuaire Santé (API key, searches, reads, pages, errors) and ROR (OAuth
token by secret or mTLS, Ror-* headers, searches, reads, paging, $export, errors)."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import requests

from simulators.examples.tour.base import Step, Tour, inject, quietly
from simulators.examples.tour.mail import boxes
from simulators.annuaire.model import RESOURCE_TYPES
from simulators.core.tls import requests_cert
from simulators.ror.client import RorApiClient
from simulators.ror.model import RESOURCE_TYPES as ROR_RESOURCE_TYPES


ANNUAIRE_KEY = "socle-bench-test-key"


def _annuaire_get(t: Tour, path: str, key: str = ANNUAIRE_KEY, **params: str) -> None:
    requests.get(t.url("annuaire", "/fhir/v2" + path), params=params or None, verify=t.verify, timeout=30,
                 headers={"ESANTE-API-KEY": key, "Accept": "application/fhir+json"})


def _annuaire_queries(t: Tour) -> None:
    sender, _ = boxes(t)
    pro = next(p for p in t.world.professionals if p.mss_address == sender)
    _annuaire_get(t, "/metadata")
    _annuaire_get(t, "/Practitioner", identifier=f"urn:oid:1.2.250.1.71.4.2.1|{pro.idnps}")
    _annuaire_get(t, "/PractitionerRole", _count="2")
    _annuaire_get(t, "/Organization", _count="1")
    _annuaire_get(t, "/HealthcareService", _count="2")
    _annuaire_get(t, "/Device", _count="1")


def _annuaire_reads(t: Tour) -> None:
    """A read by id of each resource type (the id taken from a one-entry search)."""
    headers = {"ESANTE-API-KEY": ANNUAIRE_KEY, "Accept": "application/fhir+json"}
    for rtype in RESOURCE_TYPES:
        found = requests.get(t.url("annuaire", f"/fhir/v2/{rtype}"), params={"_count": "1"}, headers=headers,
                             verify=t.verify, timeout=30).json()
        for entry in found.get("entry", [])[:1]:
            requests.get(t.url("annuaire", f"/fhir/v2/{rtype}/{entry['resource']['id']}"), headers=headers,
                         verify=t.verify, timeout=30)


def _annuaire_bad_key(t: Tour) -> None:
    _annuaire_get(t, "/Practitioner", key="cle-inconnue", _count="1")


def _annuaire_unknown_type(t: Tour) -> None:
    _annuaire_get(t, "/Inconnu")


def _annuaire_pages(t: Tour) -> None:
    """The next page of a search (the `_page` link the gateway gives), then a page id that does not exist."""
    headers = {"ESANTE-API-KEY": ANNUAIRE_KEY, "Accept": "application/fhir+json"}
    first = requests.get(t.url("annuaire", "/fhir/v2/Organization"), params={"_count": "1"}, headers=headers,
                         verify=t.verify, timeout=30).json()
    following = next(link["url"] for link in first["link"] if link["relation"] == "next")
    requests.get(following, headers=headers, verify=t.verify, timeout=30)
    requests.get(t.url("annuaire", "/fhir/v2/_page"), params={"id": "inconnu_50"}, headers=headers, verify=t.verify,
                 timeout=30)


def _annuaire_routing_errors(t: Tour) -> None:
    headers = {"ESANTE-API-KEY": ANNUAIRE_KEY, "Accept": "application/fhir+json"}
    requests.get(t.url("annuaire", "/fhir/autre"), headers=headers, verify=t.verify, timeout=30)
    requests.post(t.url("annuaire", "/fhir/v2/metadata"), headers=headers, verify=t.verify, timeout=30)


def _annuaire_write(t: Tour) -> None:
    requests.delete(t.url("annuaire", "/fhir/v2/Practitioner/exemple"), verify=t.verify, timeout=30,
                    headers={"ESANTE-API-KEY": ANNUAIRE_KEY, "Accept": "application/fhir+json"})


def _annuaire_unknown_parameter(t: Tour) -> None:
    _annuaire_get(t, "/Practitioner", **{"parametre-inconnu": "x"})


def _ror(t: Tour, **kwargs: Any) -> Any:
    return RorApiClient(t.url("ror", "/ws-diffusion-fhir"),
                        t.url("ror", "/auth/realms/ror/protocol/openid-connect/token"),
                        client_id=kwargs.pop("client_id", "bench-profil-0"),
                        client_secret=kwargs.pop("client_secret", "secret-profil-0"), verify=t.verify, **kwargs)


def _ror_queries(t: Tour) -> None:
    client = _ror(t)
    client.metadata()
    client.search("Organization", [("_count", "1")], max_pages=2)  # the second page: HAPI _getpages
    for rtype in ("Location", "PractitionerRole", "Practitioner"):
        quietly(partial(client.search, rtype, [("_count", "1")], max_pages=1))


def _ror_reads(t: Tour) -> None:
    client = _ror(t)
    for rtype in ROR_RESOURCE_TYPES:
        found = client.search(rtype, [("_count", "1")], max_pages=1)
        if found.matches:
            client.read(rtype, found.matches[0]["id"])


def _ror_mtls(t: Tour) -> None:
    client = _ror(t, client_id="bench-profil-1", client_secret="", cert=requests_cert(t.pki, "org-auth-cli"))
    quietly(lambda: client.search("HealthcareService", [("_count", "1")], max_pages=1))


def _ror_export(t: Tour) -> None:
    """Bulk export: kick-off (202 + Content-Location), poll once ready, fetch one file."""
    client = _ror(t)
    headers = {"Authorization": f"Bearer {client.access_token()}", "Accept": "application/fhir+json",
               **client.ror_headers, "Prefer": "respond-async"}
    base = t.url("ror", "/ws-diffusion-fhir")
    one = client.search("HealthcareService", [("_count", "1")], max_pages=1).matches[0]["id"]
    kickoff = requests.get(f"{base}/$export", params={"_type": "HealthcareService",
                                                     "_typeFilter": f"HealthcareService?_id={one}"},
                           headers=headers, verify=t.verify, timeout=60)
    poll = kickoff.headers["Content-Location"]
    time.sleep(1.5)  # past export_delay_s (0.5 s): the poll answers the manifest, the sample is stable
    manifest = requests.get(poll, headers=headers, verify=t.verify, timeout=60).json()
    requests.get(manifest["output"][0]["url"], headers=headers, verify=t.verify, timeout=60)


def _ror_jwks(t: Tour) -> None:
    requests.get(t.url("ror", "/auth/realms/ror/protocol/openid-connect/certs"), verify=t.verify, timeout=30)


def _ror_routing_errors(t: Tour) -> None:
    client = _ror(t)
    headers = {"Authorization": f"Bearer {client.access_token()}", "Accept": "application/fhir+json",
               **client.ror_headers}
    base = t.url("ror", "/ws-diffusion-fhir")
    requests.get(f"{base}/HealthcareService/$inconnue", headers=headers, verify=t.verify, timeout=30)
    requests.get(f"{base}/$inconnue", headers=headers, verify=t.verify, timeout=30)
    requests.get(f"{base}/Organization/a/b/c", headers=headers, verify=t.verify, timeout=30)
    requests.delete(f"{base}/Organization/exemple", headers=headers, verify=t.verify, timeout=30)


def _ror_oauth_error(t: Tour) -> None:
    quietly(lambda: _ror(t, client_secret="faux").access_token())


def _ror_without_headers(t: Tour) -> None:
    client = _ror(t, headers={"Accept-Language": "fr"})  # a header, but none of the four Ror-* ones
    quietly(lambda: client.search("HealthcareService", [("_count", "1")], max_pages=1))


def _ror_unknown_parameter(t: Tour) -> None:
    quietly(lambda: _ror(t).search("HealthcareService", [("parametre-inconnu", "x")], max_pages=1))


def _ror_injected(t: Tour) -> None:
    client = _ror(t)
    client.access_token()
    inject(t, "ror", "ror_rate_limited", "search-*")
    quietly(lambda: client.search("HealthcareService", [("_count", "1")], max_pages=1))


ANNUAIRE_STEPS: tuple[Step, ...] = (
    Step("annuaire-requetes", "annuaire", "Annuaire Santé, metadata et recherches", _annuaire_queries),
    Step("annuaire-lectures", "annuaire", "Annuaire Santé, lecture par id de chaque type de ressource",
         _annuaire_reads),
    Step("annuaire-pages", "annuaire", "Annuaire Santé, page suivante d'une recherche, puis page inconnue (410)",
         _annuaire_pages, keep="*.search"),
    Step("annuaire-routage", "annuaire", "Annuaire Santé, chemin inconnu (404) et méthode non permise (405)",
         _annuaire_routing_errors),
    Step("annuaire-cle-inconnue", "annuaire", "Annuaire Santé, clé ESANTE-API-KEY inconnue : 401", _annuaire_bad_key),
    Step("annuaire-type-inconnu", "annuaire", "Annuaire Santé, type de ressource inconnu : OperationOutcome",
         _annuaire_unknown_type),
    Step("annuaire-parametre-inconnu", "annuaire", "Annuaire Santé, paramètre de recherche inconnu",
         _annuaire_unknown_parameter),
    Step("annuaire-ecriture", "annuaire", "Annuaire Santé, écriture refusée (API en lecture seule) : 405",
         _annuaire_write),
)


ROR_STEPS: tuple[Step, ...] = (
    Step("ror-requetes", "ror", "ROR, jeton OAuth (profil 0), metadata, recherches et lecture", _ror_queries),
    Step("ror-lectures", "ror", "ROR, lecture par id de chaque type de ressource", _ror_reads, keep="read-*"),
    Step("ror-mtls", "ror", "ROR, jeton OAuth en mTLS (profil 1)", _ror_mtls, keep="token"),
    Step("ror-export", "ror", "ROR, export en masse ($export, suivi, fichier)", _ror_export, keep="export*"),
    Step("ror-jwks", "ror", "ROR, clés publiques des jetons (JWKS)", _ror_jwks),
    Step("ror-routage", "ror", "ROR, opération inconnue, chemin inconnu, méthode non permise", _ror_routing_errors),
    Step("ror-panne-injectee", "ror", "ROR, panne injectée ror_rate_limited : 429 et Retry-After", _ror_injected,
         keep="search-*"),
    Step("ror-oauth-refus", "ror", "ROR, secret client faux : erreur OAuth", _ror_oauth_error),
    Step("ror-sans-en-tetes", "ror", "ROR, en-têtes Ror-Profil-Utilisateur-* et Ror-Role-Metier-* absents",
         _ror_without_headers),
    Step("ror-parametre-inconnu", "ror", "ROR, paramètre de recherche inconnu (HAPI)", _ror_unknown_parameter),
)
