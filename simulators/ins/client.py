"""Reference INSi client: what a good DUI does (used by features, load tests and demos).

- sends normalised traits (uppercase A-Z, no diacritics) with the proper context headers;
- on CR 02 re-queries adding, in order, the other given names, then the birthplace (insi.md §2.4);
- never repeats, within a minute, a traits query that just returned 01 (nothing would change);
- reads INSHISTO as a list even when there is one, checks the key of every matricule and the OID,
  and keeps ListePrenom and the first given name separately;
- authenticates by mutual TLS (organisation certificate) or, in the CPx profile, with a signed
  SAML assertion minted from a CPS certificate and reused until shortly before it expires.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC

import requests
from lxml import etree

from simulators.identities.ins import NON_PRODUCTION_OIDS, OID_INS_NIA, explain_ins
from simulators.identities.traits import normalise_birth_name, normalise_given_names

from simulators.ins.client_codec import InsiServiceFault, LpsIdentity, build_request, parse_response
from simulators.ins.model import CR_FOUND, CR_NONE, CR_SEVERAL, Matricule, ResponseView, TraitsQuery, VitaleQuery
from simulators.ins.saml import build_assertion
from simulators.core.tls import requests_cert, requests_verify

REPEAT_WINDOW_S = 60.0
AssertionFactory = Callable[[], etree._Element]


@dataclass
class Attempt:
    query: TraitsQuery | VitaleQuery
    cr: str
    message_id: str


@dataclass
class InsiOutcome:
    """Final answer of a search, with the attempts and what the client's own checks found."""

    cr: str
    response: ResponseView | None
    attempts: list[Attempt] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # French
    usable: bool = False  # an INS was returned, its key is valid and its OID acceptable
    cached: bool = False

    @property
    def matricule(self) -> str:
        return self.response.ins.value if self.response and self.response.ins else ""

    @property
    def oid(self) -> str:
        return self.response.ins.oid if self.response and self.response.ins else ""

    @property
    def liste_prenom(self) -> str:
        return self.response.liste_prenom if self.response else ""

    @property
    def premier_prenom(self) -> str:
        return self.liste_prenom.split(" ")[0] if self.liste_prenom else ""

    @property
    def history(self) -> list[Matricule]:
        return list(self.response.history) if self.response else []

    @property
    def status(self) -> str:
        """RECUP when usable: QUAL needs a high-trust document check the client cannot do."""
        return "RECUP" if self.usable else ""


def cps_assertion_factory(certificate, key, *, ps_id: str, secteur: str = "SA05",
                          lifetime: timedelta = timedelta(hours=1)) -> AssertionFactory:
    """Mint the CPx assertion once and reuse it until five minutes before it expires."""
    state: dict[str, object] = {}

    def factory() -> etree._Element:
        now = datetime.now(UTC)
        expires = state.get("expires")
        if expires is None or now > expires - timedelta(minutes=5):  # type: ignore[operator]
            state["assertion"] = build_assertion(
                certificate, key, ps_id=ps_id, lifetime=lifetime, now=now,
                attributes={"identifiantFacturation": ps_id, "secteurActivite": secteur})
            state["expires"] = now + lifetime
        return state["assertion"]

    return factory


class InsiClient:
    def __init__(self, url: str, *, http: requests.Session | None = None, cert: tuple[str, str] | None = None,
                 verify: str | bool = True, lps: LpsIdentity | None = None,
                 assertion_factory: AssertionFactory | None = None, timeout: float = 60.0,
                 production: bool = False, clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.http = http or requests.Session()
        self.cert = cert
        self.ca_verify = verify  # passed per request: REQUESTS_CA_BUNDLE would override a session setting
        self.lps = lps or LpsIdentity()
        self.assertion_factory = assertion_factory
        self.timeout = timeout
        self.production = production
        self.clock = clock
        self._recent_none: dict[TraitsQuery, float] = {}

    # --- one call ---------------------------------------------------------------------------
    def send(self, query: TraitsQuery | VitaleQuery) -> tuple[ResponseView, str]:
        """One request; returns (response, message id), raises InsiServiceFault on a SOAP fault."""
        assertions = (self.assertion_factory(),) if self.assertion_factory else ()
        body, action, message_id = build_request(query, self.lps, assertions=assertions)
        headers = {"Content-Type": f'application/soap+xml;charset=UTF-8;action="{action}"'}
        reply = self.http.post(self.url, data=body, timeout=self.timeout, cert=self.cert, verify=self.ca_verify,
                               headers=headers)
        return parse_response(reply.content, reply.status_code), message_id

    # --- searches ---------------------------------------------------------------------------
    def search_traits(self, nom: str, prenoms: str | Sequence[str], sexe: str, date_naissance: str,
                      lieu_naissance: str = "", *, send_birthplace: bool = False) -> InsiOutcome:
        """Traits search with the CR 02 retry strategy; traits are normalised first."""
        names = normalise_given_names(prenoms)
        nom = normalise_birth_name(nom)
        sent = list(names[:1])
        lieu = lieu_naissance if send_birthplace else ""
        attempts: list[Attempt] = []
        while True:
            query = TraitsQuery(nom, tuple(sent), sexe.strip().upper(), date_naissance.strip(), lieu)
            recent = self._recent_none.get(query)
            if recent is not None and self.clock() - recent < REPEAT_WINDOW_S:
                return InsiOutcome(CR_NONE, None, attempts, ["même recherche sans résultat il y a moins "
                                                              "d'une minute : pas de nouvel appel"], cached=True)
            response, message_id = self.send(query)
            attempts.append(Attempt(query, response.cr, message_id))
            if response.cr == CR_NONE:
                now = self.clock()
                self._recent_none = {q: t for q, t in self._recent_none.items() if now - t < REPEAT_WINDOW_S}
                self._recent_none[query] = now
            if response.cr != CR_SEVERAL:
                break
            if len(sent) < len(names):
                sent.append(names[len(sent)])
            elif lieu_naissance and not lieu:
                lieu = lieu_naissance
            else:
                break
        return self._judge(response, attempts)

    def search_vitale(self, matricule_od: str, date_naissance: str = "", rang: str = "1", *,
                      matricule_individu: str = "", nom: str = "") -> InsiOutcome:
        query = VitaleQuery(matricule_individu[:13], matricule_individu[13:15], matricule_od[:13],
                            matricule_od[13:15], normalise_birth_name(nom) if nom else "", date_naissance, rang)
        response, message_id = self.send(query)
        return self._judge(response, [Attempt(query, response.cr, message_id)])

    def verify(self, matricule: str, nom: str, prenoms: str | Sequence[str], sexe: str, date_naissance: str,
               lieu_naissance: str = "") -> bool:
        """Vérification unitaire: search again with the stored traits and compare the matricule."""
        outcome = self.search_traits(nom, prenoms, sexe, date_naissance, lieu_naissance)
        return outcome.usable and outcome.matricule == matricule

    # --- what a DUI checks on the answer ----------------------------------------------------
    def _judge(self, response: ResponseView, attempts: list[Attempt]) -> InsiOutcome:
        outcome = InsiOutcome(response.cr, response, attempts)
        if response.cr == CR_SEVERAL:
            outcome.warnings.append("plusieurs identités : préciser les prénoms ou le lieu de naissance")
        if response.cr != CR_FOUND or response.ins is None:
            return outcome
        usable = True
        for label, m in [("INS", response.ins)] + [(f"INSHISTO[{i}]", h) for i, h in enumerate(response.history)]:
            reason = explain_ins(m.value, m.oid, production=self.production)
            if reason:
                outcome.warnings.append(f"{label} : {reason}")
                usable = usable and label != "INS"
        if response.ins.oid in NON_PRODUCTION_OIDS:
            outcome.warnings.append(f"OID {response.ins.oid} : INS de test ou de démonstration")
        if response.ins.oid == OID_INS_NIA:
            outcome.warnings.append("INS de type NIA (numéro d'attente)")
        outcome.usable = usable
        return outcome


def mtls_client(url: str, pki, cert_name: str = "insi-auto", **kwargs) -> InsiClient:
    """Client of the certificate profile with a bench PKI certificate (INSI-AUTO by default)."""
    return InsiClient(url, cert=requests_cert(pki, cert_name), verify=requests_verify(pki), **kwargs)


def cpx_client(url: str, pki, cert_name: str = "cps", ps_id: str = "00B6087510",
               **kwargs) -> InsiClient:
    """Client of the CPx profile: TLS without client certificate, assertion from a bench CPS certificate."""
    factory = cps_assertion_factory(pki.certificate(cert_name), pki.private_key(cert_name), ps_id=ps_id)
    return InsiClient(url, verify=requests_verify(pki), assertion_factory=factory, **kwargs)


__all__ = ["InsiClient", "InsiOutcome", "InsiServiceFault", "LpsIdentity", "cps_assertion_factory", "cpx_client",
           "mtls_client"]
