"""The tour: what the journeys do not show, played with the services' reference clients against a running bench.

Each step runs in its own session ``ex-<label>`` so the recorder knows which sample an exchange belongs to
without guessing; a step that cannot run (service absent, client changed) is reported as missing, never
raised, so ``python -m simulators.examples`` records what exists and says what does not.
"""

from __future__ import annotations

import ast
import contextlib
import imaplib
import io
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

SESSION_PREFIX = "ex-"


@dataclass(frozen=True)
class Step:
    label: str  # sample name (and session ex-<label>)
    service: str  # service the step is about (the bench service name)
    title: str  # what a vendor reads in the guide
    run: Callable[["Tour"], Any]
    keep: str = ""  # glob of operations shown even when an earlier step showed them
    journaled: bool = True  # False: the step's samples are its client transcripts, not its exchanges


@dataclass
class Tour:
    admin: str
    pki_dir: str
    seed: int = 20261122
    services: dict[str, str] = field(default_factory=dict)
    session: str = ""
    transcripts: dict[str, str] = field(default_factory=dict)  # client-side transcripts a step writes
    _pki: Any = None
    _world: Any = None

    # --- context ------------------------------------------------------------------------------------------
    @property
    def pki(self) -> Any:
        if self._pki is None:
            from simulators.core.pki import Pki

            self._pki = Pki.load(self.pki_dir)
        return self._pki

    @property
    def world(self) -> Any:
        if self._world is None:
            from simulators.identities.world import build_world

            self._world = build_world(self.seed)
        return self._world

    @property
    def verify(self) -> str:
        from simulators.core.tls import requests_verify

        return requests_verify(self.pki)

    def url(self, service: str, path: str = "") -> str:
        """``scheme://host:port/s/<session><path>`` of an HTTP service."""
        scheme, _, rest = self.services[service].partition("://")
        return f"{scheme}://{rest.partition('/')[0]}/s/{self.session}{path}"

    def origin(self, service: str) -> str:
        scheme, _, rest = self.services[service].partition("://")
        return f"{scheme}://{rest.partition('/')[0]}"


# --- INSi -----------------------------------------------------------------------------------------------------

def _elise(t: Tour) -> Any:
    return t.world.person("elise")


def _ins_traits(t: Tour, client: Any) -> None:
    p = _elise(t)
    client.search_traits(p.birth_name, p.display_first_name, p.sex, p.birth_date)


def _ins_vitale(t: Tour, client: Any) -> None:
    p = _elise(t)
    client.search_vitale(p.ins.value, p.birth_date, matricule_individu=p.ins.value)  # the card's own matricule


def _mtls(t: Tour, cert: str = "insi-auto") -> Any:
    from simulators.ins.client import mtls_client

    return mtls_client(t.url("ins", "/lps"), t.pki, cert)


def _cpx(t: Tour) -> Any:
    from simulators.ins.client import cpx_client

    return cpx_client(t.url("ins-cpx", "/lps"), t.pki)


def _ins_fault(t: Tour) -> None:
    from simulators.ins.client import InsiServiceFault

    try:  # an organisation certificate whose CN is neither INSI-AUTO nor INSI-MANU
        _ins_traits(t, _mtls(t, "org-auth-cli"))
    except InsiServiceFault:
        pass


def _ins_unknown(t: Tour) -> None:
    _mtls(t).search_traits("INCONNU", "PERSONNE", "F", "1901-01-01")


def _ins_wsdl(t: Tour) -> None:
    from simulators.core.tls import requests_cert

    requests.get(t.url("ins", "/lps"), params={"wsdl": ""}, cert=requests_cert(t.pki, "insi-auto"), verify=t.verify,
                 timeout=30)


def _ins_unknown_operation(t: Tour) -> None:
    from simulators.core.tls import requests_cert

    envelope = ('<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
                '<OperationInconnue xmlns="urn:exemple"/></soap:Body></soap:Envelope>')
    requests.post(t.url("ins", "/lps"), data=envelope.encode(), cert=requests_cert(t.pki, "insi-auto"),
                  headers={"Content-Type": "application/soap+xml; charset=utf-8"}, verify=t.verify, timeout=30)


# --- DMP ------------------------------------------------------------------------------------------------------

def _dmp(t: Tour, professional: str = "mecs-educateur") -> Any:
    from simulators.dmp.client import DmpClient
    from simulators.dmp.journey import identity_for

    return DmpClient(t.services["dmp"], identity_for(t.pki, t.world, professional), verify=t.verify,
                     session=t.session)


def _ins_of(t: Tour, pid: str = "elise") -> tuple[str, str]:
    p = t.world.person(pid)
    return p.ins.value, p.ins.oid


def _quietly(call: Callable[[], Any]) -> Any:
    """A refused call is what the sample shows: the client's exception is expected, not an error of the tour."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - DmpFault, RorClientError, SMTP errors...: the exchange is journaled
        return exc


def _dmp_patients(t: Tour) -> None:
    client = _dmp(t)
    ins, oid = _ins_of(t)
    p = _elise(t)
    client.test_existence(ins, oid)  # TD0.2
    _quietly(lambda: client.find_patients(family=p.birth_name, given=p.first_given_name, birth_date=p.birth_date,
                                          gender=p.sex, context=(ins, oid)))  # TD0.5


def _dmp_create(t: Tour) -> None:
    """TD1.1 for an adult without a DMP (synthetic NIR outside the world), then TD1.x closing and reactivation."""
    from simulators.identities.nir import generate_nir, with_key

    client = _dmp(t)
    nir = generate_nir("F", "1980-05-12", "75056", 999)
    ins, oid = (nir if len(nir) == 15 else with_key(nir)), _elise(t).ins.oid
    client.create_dmp(ins, oid, family="EXEMPLE", given="CLAIRE", gender="F", birth_date="1980-05-12")
    client.close_dmp(ins, oid)
    client.reactivate_dmp(ins, oid)


def _dmp_create_refused(t: Tour) -> None:
    p = _elise(t)
    _dmp(t).create_dmp(p.ins.value, p.ins.oid, family=p.birth_name, given=p.first_given_name, gender=p.sex,
                       birth_date=p.birth_date)


def _dmp_documents(t: Tour) -> None:
    from simulators.dmp.journey import cda_for

    educator = _dmp(t)
    ins, oid = _ins_of(t)
    spec = cda_for(t.world, "elise", "mecs-educateur", "projet-personnalise")
    educator.feed([(spec, ())])  # ITI-41
    educator.list_authorizations(ins, oid)  # TD0.3 (liste)
    found = educator.find_documents(ins, oid)  # ITI-18
    entry = next(e for e in found.entries if e.unique_id == spec.unique_id)
    educator.retrieve(ins, oid, [spec.unique_id], repository_uid=entry.repository_uid)  # ITI-43
    educator.set_visibility(entry, ("INVISIBLE_REPRESENTANTS_LEGAUX",))  # ITI-57 (TD3.3a)


def _dmp_registry_error(t: Tour) -> None:
    from simulators.dmp.journey import cda_for

    educator = _dmp(t)
    spec = cda_for(t.world, "elise", "mecs-educateur", "projet-personnalise")
    sub = educator.prepare([(spec, ())])
    other = t.world.person("fanny")
    sub.submission_set.patient_id = sub.submission_set.patient_id.replace(spec.patient.ins, other.ins.value)
    educator.provide_and_register(sub)  # XDSPatientIdDoesNotMatch


def _dmp_without_authorization(t: Tour) -> None:
    ins, oid = _ins_of(t)
    _quietly(lambda: _dmp(t, "mecs-psychologue").find_documents(ins, oid))  # no TD0.3 authorisation


def _dmp_vihf_fault(t: Tour) -> None:
    """A VIHF signed with an expired SIGN certificate: the envelope is refused with a SOAP 1.2 Fault."""
    from simulators.dmp.client import DmpClient
    from simulators.dmp.journey import identity_for

    ins, oid = _ins_of(t)
    client = DmpClient(t.services["dmp"], identity_for(t.pki, t.world, "mecs-educateur", sign_variant="expired"),
                       verify=t.verify, session=t.session)
    _quietly(lambda: client.test_existence(ins, oid))


def _dmp_get(t: Tour) -> None:
    from simulators.core.tls import requests_cert

    requests.get(t.url("dmp", "/si-dmp-server/v2/services/patients"), cert=requests_cert(t.pki, "org-auth-cli"),
                 verify=t.verify, timeout=30)


# --- MSSanté --------------------------------------------------------------------------------------------------

def _mail(t: Tour) -> Any:
    from simulators.mss.client import MailClient

    smtp, imap = urlsplit(t.services["smtp"]), urlsplit(t.services["imap"])
    context = ssl.create_default_context(cafile=t.verify)
    return MailClient(smtp.hostname or "localhost", smtp.port or 587, imap.port or 143, context, session=t.session)


def _boxes(t: Tour) -> tuple[str, str]:
    addresses = [p.mss_address for p in t.world.professionals if p.mss_address]
    return addresses[0], addresses[1]


def _token(t: Tour, address: str) -> str:
    from simulators.mss.client import get_token

    return get_token(t.url("psc"), address, session=t.session, verify=t.verify).access_token


def _mss_session(t: Tour) -> None:
    from simulators.mss.client import compose

    sender, recipient = _boxes(t)
    mail = _mail(t)
    msg = compose(sender, "Exemple", [recipient], "Exemple de message", "Bonjour,\n\nMessage d'exemple.\n")
    mail.send(msg, sender, _token(t, sender))
    mail.fetch_all(recipient, _token(t, recipient))


REDACTED_AUTH = "<base64 de « user=<adresse>\\x01auth=Bearer <jeton PSC>\\x01\\x01 »>"


class _TracedSMTP(smtplib.SMTP):
    debuglevel = 1  # from the greeting on (set_debuglevel after the constructor would miss it)


def _mss_transcript(t: Tour) -> None:
    """The client side of an SMTP then an IMAP session as smtplib / imaplib print it (what goes on the wire),
    the XOAUTH2 string replaced by its recipe. Kept as the samples mss/transcription-smtp and -imap."""
    from simulators.mss.client import compose, wire_bytes, xoauth2

    sender, recipient = _boxes(t)
    smtp_url, imap_url = urlsplit(t.services["smtp"]), urlsplit(t.services["imap"])
    context = ssl.create_default_context(cafile=t.verify)
    msg = compose(sender, "Exemple", [recipient], "Transcription SMTP", "Bonjour,\n\nMessage d'exemple.\n")
    written = io.StringIO()
    with contextlib.redirect_stderr(written):
        client = _TracedSMTP(smtp_url.hostname or "localhost", smtp_url.port or 587, timeout=30)
        client.ehlo("dui.example.test")
        client.starttls(context=context)
        client.ehlo("dui.example.test")
        token = _token(t, sender)
        client.auth("XOAUTH2", lambda challenge=None: "" if challenge else xoauth2(sender, token).decode(),
                    initial_response_ok=True)
        client.sendmail(sender, [recipient], wire_bytes(msg))
        client.quit()
    t.transcripts["transcription-smtp"] = _smtp_lines(written.getvalue())
    written = io.StringIO()
    token = _token(t, recipient)
    with contextlib.redirect_stderr(written):
        box = imaplib.IMAP4(imap_url.hostname or "localhost", imap_url.port or 143, timeout=30)
        box.debug = 4
        box.starttls(ssl_context=context)
        box.authenticate("XOAUTH2", lambda _: xoauth2(recipient, token))
        box.select("INBOX")
        _, found = box.uid("SEARCH", None, "ALL")
        last = (found[0] or b"").split()[-1:]
        if last:
            box.uid("FETCH", last[0].decode(), "(BODY.PEEK[HEADER.FIELDS (FROM SUBJECT X-MSS-NIL)])")
        box.logout()
    t.transcripts["transcription-imap"] = _imap_lines(written.getvalue())


def _smtp_lines(debug: str) -> str:
    """smtplib's "send: b'...'" / "reply: b'...'" lines as C: / S: lines."""
    out: list[str] = []
    for kind, raw in re.findall(r"^(send|reply): (b?'.*'|b?\".*\")$", debug, flags=re.M):
        value = ast.literal_eval(raw)
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        for line in text.replace("\r\n", "\n").rstrip("\n").split("\n"):
            out.append(("C: " if kind == "send" else "S: ") + line)
    redacted = (re.sub(r"^(C: AUTH XOAUTH2) \S+$", lambda m: f"{m.group(1)} {REDACTED_AUTH}", line) for line in out)
    return "\n".join(redacted) + "\n"


def _imap_lines(debug: str) -> str:
    """imaplib's "> b'...'" / "< b'...'" lines as C: / S: lines; the base64 answer to AUTHENTICATE redacted."""
    out: list[str] = []
    for way, raw in re.findall(r"^\s*\d\d:\d\d\.\d\d ([<>]) (b'.*'|b\".*\")$", debug, flags=re.M):
        line = ast.literal_eval(raw).decode("utf-8", "replace").rstrip("\r\n")
        if re.fullmatch(r"[A-Za-z0-9+/=]{40,}", line):
            line = REDACTED_AUTH
        out.append(("C: " if way == ">" else "S: ") + line)
        if way == "<" and line.startswith("+") and len(out) > 1 and "AUTHENTICATE XOAUTH2" in out[-2]:
            out.append(f"C: {REDACTED_AUTH}")  # imaplib writes the continuation without printing it
    return "\n".join(out) + "\n"


def _mss_without_nil(t: Tour) -> None:
    from simulators.mss.client import compose

    sender, recipient = _boxes(t)
    msg = compose(sender, "Exemple", [recipient], "Sans X-MSS-NIL", "Bonjour.\n")
    del msg["X-MSS-NIL"]
    _quietly(lambda: _mail(t).send(msg, sender, _token(t, sender)))


def _mss_bad_token(t: Tour) -> None:
    sender, _ = _boxes(t)
    try:
        _mail(t).smtp(sender, "jeton-invalide").quit()
    except smtplib.SMTPException:
        pass
    try:
        _mail(t).imap(sender, "jeton-invalide").logout()
    except imaplib.IMAP4.error:
        pass


def _mss_outside_trust_space(t: Tour) -> None:
    from simulators.mss.client import compose

    sender, _ = _boxes(t)
    msg = compose(sender, "Exemple", ["quelquun@messagerie-grand-public.example"], "Hors espace de confiance",
                  "Bonjour.\n")
    _quietly(lambda: _mail(t).send(msg, sender, _token(t, sender)))


def _org_box(t: Tour) -> tuple[Any, str]:
    est = next(e for e in t.world.establishments if e.mss_org_address)
    return est, est.mss_org_address


def _mss_org_box(t: Tour) -> None:
    """A BAL organisationnelle: the PSC token is asked for the ORG address, then XOAUTH2 as for a personal box."""
    from simulators.mss.client import compose

    _, org = _org_box(t)
    _, recipient = _boxes(t)
    msg = compose(org, "Secrétariat", [recipient], "Depuis une BAL organisationnelle", "Bonjour.\n")
    _mail(t).send(msg, org, _token(t, org))


def _mss_app_box(t: Tour) -> None:
    """A BAL applicative: client certificate (DUI-SOCLE-BENCH) and AUTH EXTERNAL with <session>/<address>."""
    from simulators.core.tls import requests_cert
    from simulators.mss.client import compose

    est, org = _org_box(t)
    app = f"lps.{org.partition('@')[0]}@{est.mss_domain}"
    _, recipient = _boxes(t)
    mail = _mail(t)
    mail.context.load_cert_chain(*requests_cert(t.pki, "org-auth-cli"))
    mail.send(compose(app, "DUI", [recipient], "Depuis une BAL applicative", "Bonjour.\n"), app)


def _psc_patient(t: Tour) -> None:
    """A patient's Mon espace santé address: what the PSC mock answers to a token request for it."""
    _quietly(lambda: _token(t, _elise(t).mes_address))


# --- Pro Santé Connect ----------------------------------------------------------------------------------------

OIDC_PATH = "/auth/realms/esante-wallet/protocol/openid-connect"
DISCOVERY = "/auth/realms/esante-wallet/.well-known/openid-configuration"


def _psc_discovery(t: Tour) -> dict[str, Any]:
    answer = requests.get(t.url("psc", DISCOVERY), verify=t.verify, timeout=30)
    return answer.json() if answer.ok else {}


def _psc_flows(t: Tour) -> None:
    """Every grant the discovery document announces, then the token's uses (userinfo, introspection, JWKS)."""
    conf = _psc_discovery(t)
    token_url = conf.get("token_endpoint") or t.url("psc", OIDC_PATH + "/token")
    sender, _ = _boxes(t)
    form = {"grant_type": "password", "username": sender, "password": "socle-bench", "client_id": "socle-bench-dui",
            "session": t.session}
    tokens = requests.post(token_url, data=form, verify=t.verify, timeout=30).json()
    if "refresh_token" in tokens:
        requests.post(token_url, data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
                      verify=t.verify, timeout=30)
    access = tokens.get("access_token", "")
    if conf.get("userinfo_endpoint"):
        requests.get(conf["userinfo_endpoint"], headers={"Authorization": f"Bearer {access}"}, verify=t.verify,
                     timeout=30)
    if conf.get("introspection_endpoint"):
        requests.post(conf["introspection_endpoint"], data={"token": access}, verify=t.verify, timeout=30)
    if conf.get("jwks_uri"):
        requests.get(conf["jwks_uri"], verify=t.verify, timeout=30)
    for grant in conf.get("grant_types_supported", []):
        if grant not in ("password", "refresh_token"):  # flows added later: recorded as the bench answers them
            requests.post(token_url, data={"grant_type": grant, "client_id": "socle-bench-dui", "session": t.session},
                          verify=t.verify, timeout=30)


def _psc_bad_password(t: Tour) -> None:
    sender, _ = _boxes(t)
    requests.post(t.url("psc", OIDC_PATH + "/token"), data={"grant_type": "password", "username": sender,
                  "password": "faux", "session": t.session}, verify=t.verify, timeout=30)


def _psc_unknown_grant(t: Tour) -> None:
    requests.post(t.url("psc", OIDC_PATH + "/token"), data={"grant_type": "inconnu"}, verify=t.verify, timeout=30)


def _psc_no_grant(t: Tour) -> None:
    requests.post(t.url("psc", OIDC_PATH + "/token"), data={"username": "x"}, verify=t.verify, timeout=30)


def _psc_bad_token(t: Tour) -> None:
    requests.get(t.url("psc", OIDC_PATH + "/userinfo"), headers={"Authorization": "Bearer faux"}, verify=t.verify,
                 timeout=30)


# --- Annuaire Santé -------------------------------------------------------------------------------------------

ANNUAIRE_KEY = "socle-bench-test-key"


def _annuaire_get(t: Tour, path: str, key: str = ANNUAIRE_KEY, **params: str) -> None:
    requests.get(t.url("annuaire", "/fhir/v2" + path), params=params or None, verify=t.verify, timeout=30,
                 headers={"ESANTE-API-KEY": key, "Accept": "application/fhir+json"})


def _annuaire_queries(t: Tour) -> None:
    sender, _ = _boxes(t)
    pro = next(p for p in t.world.professionals if p.mss_address == sender)
    _annuaire_get(t, "/metadata")
    _annuaire_get(t, "/Practitioner", identifier=f"urn:oid:1.2.250.1.71.4.2.1|{pro.idnps}")
    _annuaire_get(t, "/PractitionerRole", _count="2")
    _annuaire_get(t, "/Organization", _count="1")
    _annuaire_get(t, "/HealthcareService", _count="2")
    _annuaire_get(t, "/Device", _count="1")


def _annuaire_reads(t: Tour) -> None:
    """A read by id of each resource type (the id taken from a one-entry search)."""
    from simulators.annuaire.model import RESOURCE_TYPES

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


# --- ROR ------------------------------------------------------------------------------------------------------

def _ror(t: Tour, **kwargs: Any) -> Any:
    from simulators.ror.client import RorApiClient

    return RorApiClient(t.url("ror", "/ws-diffusion-fhir"),
                        t.url("ror", "/auth/realms/ror/protocol/openid-connect/token"),
                        client_id=kwargs.pop("client_id", "bench-profil-0"),
                        client_secret=kwargs.pop("client_secret", "secret-profil-0"), verify=t.verify, **kwargs)


def _ror_queries(t: Tour) -> None:
    client = _ror(t)
    client.metadata()
    client.search("Organization", [("_count", "1")], max_pages=2)  # the second page: HAPI _getpages
    for rtype in ("Location", "PractitionerRole", "Practitioner"):
        _quietly(lambda rtype=rtype: client.search(rtype, [("_count", "1")], max_pages=1))


def _ror_reads(t: Tour) -> None:
    from simulators.ror.model import RESOURCE_TYPES

    client = _ror(t)
    for rtype in RESOURCE_TYPES:
        found = client.search(rtype, [("_count", "1")], max_pages=1)
        if found.matches:
            client.read(rtype, found.matches[0]["id"])


def _ror_mtls(t: Tour) -> None:
    from simulators.core.tls import requests_cert

    client = _ror(t, client_id="bench-profil-1", client_secret="", cert=requests_cert(t.pki, "org-auth-cli"))
    _quietly(lambda: client.search("HealthcareService", [("_count", "1")], max_pages=1))


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
    _quietly(lambda: _ror(t, client_secret="faux").access_token())


def _ror_without_headers(t: Tour) -> None:
    client = _ror(t, headers={"Accept-Language": "fr"})  # a header, but none of the four Ror-* ones
    _quietly(lambda: client.search("HealthcareService", [("_count", "1")], max_pages=1))


def _ror_unknown_parameter(t: Tour) -> None:
    _quietly(lambda: _ror(t).search("HealthcareService", [("parametre-inconnu", "x")], max_pages=1))


# --- injected faults (POST /_bench/faults, limited to the step's session) -------------------------------------

def _inject(t: Tour, service: str, fault: str, operation: str = "*") -> None:
    answer = requests.post(f"{t.admin}/_bench/faults", timeout=30, json={
        "kind": "fault", "service": service, "fault": fault, "operation": operation, "session": t.session,
        "max_hits": 1})
    answer.raise_for_status()


def _ins_injected(t: Tour) -> None:
    _inject(t, "ins", "insi_102")
    _quietly(lambda: _ins_traits(t, _mtls(t)))


def _dmp_injected(t: Tour) -> None:
    _inject(t, "dmp", "dmp_indisponible")
    _quietly(lambda: _dmp(t).test_existence(*_ins_of(t)))


def _mss_injected(t: Tour) -> None:
    from simulators.mss.client import compose

    sender, recipient = _boxes(t)
    token = _token(t, sender)
    _inject(t, "mss", "smtp_451", "send")
    _quietly(lambda: _mail(t).send(compose(sender, "Exemple", [recipient], "Panne", "Bonjour.\n"), sender, token))


def _ror_injected(t: Tour) -> None:
    client = _ror(t)
    client.access_token()
    _inject(t, "ror", "ror_rate_limited", "search-*")
    _quietly(lambda: client.search("HealthcareService", [("_count", "1")], max_pages=1))


STEPS: tuple[Step, ...] = (
    Step("insi-traits-mtls", "ins", "INSi, recherche par traits, profil certificat (mTLS INSI-AUTO)",
         lambda t: _ins_traits(t, _mtls(t))),
    Step("insi-vitale-mtls", "ins", "INSi, recherche par carte Vitale, profil certificat",
         lambda t: _ins_vitale(t, _mtls(t))),
    Step("insi-traits-cpx", "ins", "INSi, recherche par traits, profil CPx (assertion SAML signée par la CPS)",
         lambda t: _ins_traits(t, _cpx(t))),
    Step("insi-vitale-cpx", "ins", "INSi, recherche par carte Vitale, profil CPx", lambda t: _ins_vitale(t, _cpx(t))),
    Step("insi-inconnu", "ins", "INSi, personne inconnue (compte rendu 01, pas une faute)", _ins_unknown),
    Step("insi-faute-certificat", "ins", "INSi, certificat qui n'est ni INSI-AUTO ni INSI-MANU : faute SOAP",
         _ins_fault),
    Step("insi-wsdl", "ins", "INSi, WSDL du service", _ins_wsdl),
    Step("insi-panne-injectee", "ins", "INSi, panne injectée insi_102 (POST /_bench/faults) : faute SOAP Receiver",
         _ins_injected),
    Step("insi-operation-inconnue", "ins", "INSi, opération inconnue : faute SOAP", _ins_unknown_operation),
    Step("dmp-patient", "dmp", "DMP, TD0.2 test d'existence et TD0.5 recherche de patients", _dmp_patients),
    Step("dmp-gestion", "dmp", "DMP, TD1.1 création, TD1.x fermeture puis réactivation", _dmp_create),
    Step("dmp-creation-refus", "dmp", "DMP, TD1.1 pour un patient qui a déjà un DMP : acquittement AE",
         _dmp_create_refused),
    Step("dmp-documents", "dmp", "DMP, ITI-41, TD0.3 liste, ITI-18, ITI-43 et ITI-57", _dmp_documents),
    Step("dmp-registry-error", "dmp", "DMP, ITI-41 refusé : RegistryError XDSPatientIdDoesNotMatch",
         _dmp_registry_error),
    Step("dmp-sans-autorisation", "dmp", "DMP, ITI-18 sans autorisation d'accès : RegistryError",
         _dmp_without_authorization),
    Step("dmp-panne-injectee", "dmp", "DMP, panne injectée dmp_indisponible : faute SOAP Receiver", _dmp_injected),
    Step("dmp-get", "dmp", "DMP, GET sur un point d'accès SOAP", _dmp_get),
    Step("dmp-faute-vihf", "dmp", "DMP, VIHF signé par un certificat expiré : SOAP Fault", _dmp_vihf_fault),
    Step("psc-flux", "psc", "Pro Santé Connect, découverte, jetons, userinfo, introspection, JWKS", _psc_flows),
    Step("psc-mot-de-passe-faux", "psc", "Pro Santé Connect, mot de passe faux : invalid_grant", _psc_bad_password),
    Step("psc-grant-inconnu", "psc", "Pro Santé Connect, grant_type inconnu : unsupported_grant_type",
         _psc_unknown_grant),
    Step("psc-sans-grant", "psc", "Pro Santé Connect, demande de jeton sans grant_type", _psc_no_grant),
    Step("psc-jeton-invalide", "psc", "Pro Santé Connect, userinfo avec un jeton invalide : invalid_token",
         _psc_bad_token),
    Step("psc-patient", "psc", "Pro Santé Connect, jeton demandé pour l'adresse Mon espace santé d'un patient",
         _psc_patient),
    Step("mss-session", "mss", "MSSanté, jeton PSC, SMTP STARTTLS + XOAUTH2 puis IMAP XOAUTH2", _mss_session),
    Step("mss-transcription", "mss", "MSSanté, côté client : une session SMTP puis IMAP telle qu'elle passe sur le fil",
         _mss_transcript, journaled=False),
    Step("mss-panne-injectee", "mss", "MSSanté, panne injectée smtp_451 sur l'envoi", _mss_injected, keep="send"),
    Step("mss-sans-nil", "mss", "MSSanté, message sans en-tête X-MSS-NIL : refus SMTP 5xx", _mss_without_nil),
    Step("mss-jeton-invalide", "mss", "MSSanté, XOAUTH2 avec un jeton invalide (SMTP et IMAP)", _mss_bad_token),
    Step("mss-hors-espace-de-confiance", "mss", "MSSanté, destinataire hors de l'espace de confiance : 550 5.7.1",
         _mss_outside_trust_space),
    Step("mss-bal-organisationnelle", "mss", "MSSanté, BAL organisationnelle : jeton PSC de l'adresse ORG puis XOAUTH2",
         _mss_org_box, keep="token.*"),
    Step("mss-bal-applicative", "mss", "MSSanté, BAL applicative : certificat client et AUTH EXTERNAL",
         _mss_app_box, keep="auth"),
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


def play(admin: str, pki_dir: str, *, seed: int = 20261122, log: Any = None,
         transcripts: dict[str, str] | None = None) -> dict[str, str]:
    """Run every step; returns {label: "" when it ran, else why it did not}; client transcripts go to
    `transcripts` ({name: text})."""
    services = {e["service"]: e["url"] for e in requests.get(f"{admin}/_bench/services", timeout=30).json()}
    outcome: dict[str, str] = {}
    for step in STEPS:
        tour = Tour(admin, pki_dir, seed, services, SESSION_PREFIX + step.label,
                    transcripts if transcripts is not None else {})
        started = time.monotonic()
        try:
            step.run(tour)
            outcome[step.label] = ""
            if log is not None:
                print(f"tour: {step.label} {time.monotonic() - started:.1f} s", file=log)
        except Exception as exc:  # noqa: BLE001 - a step that cannot run is reported, the others still run
            outcome[step.label] = f"{type(exc).__name__}: {exc}"[:300]
            if log is not None:
                print(f"tour: {step.label} did not run: {outcome[step.label]}", file=log)
    return outcome


__all__ = ["STEPS", "SESSION_PREFIX", "Step", "Tour", "play"]
