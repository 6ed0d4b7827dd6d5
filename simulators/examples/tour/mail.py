"""Tour steps of MSSanté (PER / ORG / APP boxes, SMTP and IMAP, their refusals) and of Pro Santé Connect
(every grant its discovery announces, the OAuth errors)."""

from __future__ import annotations

import ast
import contextlib
import imaplib
import io
import re
import smtplib
import ssl
from typing import Any
from urllib.parse import urlsplit

import requests

from simulators.examples.tour.base import Step, Tour, elise, inject, quietly
from simulators.core.tls import requests_cert
from simulators.mss.client import compose, get_token, MailClient, wire_bytes, xoauth2
from simulators.psc.client import PscClient


def mail_client(t: Tour) -> Any:
    smtp, imap = urlsplit(t.services["smtp"]), urlsplit(t.services["imap"])
    context = ssl.create_default_context(cafile=t.verify)
    return MailClient(smtp.hostname or "localhost", smtp.port or 587, imap.port or 143, context, session=t.session)


def boxes(t: Tour) -> tuple[str, str]:
    addresses = [p.mss_address for p in t.world.professionals if p.mss_address]
    return addresses[0], addresses[1]


def psc_token(t: Tour, address: str) -> str:
    return get_token(t.url("psc"), address, session=t.session, verify=t.verify).access_token


def _mss_session(t: Tour) -> None:
    sender, recipient = boxes(t)
    mail = mail_client(t)
    msg = compose(sender, "Exemple", [recipient], "Exemple de message", "Bonjour,\n\nMessage d'exemple.\n")
    mail.send(msg, sender, psc_token(t, sender))
    mail.fetch_all(recipient, psc_token(t, recipient))


REDACTED_AUTH = "<base64 de « user=<adresse>\\x01auth=Bearer <jeton PSC>\\x01\\x01 »>"


class _TracedSMTP(smtplib.SMTP):
    debuglevel = 1  # from the greeting on (set_debuglevel after the constructor would miss it)


def _mss_transcript(t: Tour) -> None:
    """The client side of an SMTP then an IMAP session as smtplib / imaplib print it (what goes on the wire),
    the XOAUTH2 string replaced by its recipe. Kept as the samples mss/transcription-smtp and -imap."""
    sender, recipient = boxes(t)
    smtp_url, imap_url = urlsplit(t.services["smtp"]), urlsplit(t.services["imap"])
    context = ssl.create_default_context(cafile=t.verify)
    msg = compose(sender, "Exemple", [recipient], "Transcription SMTP", "Bonjour,\n\nMessage d'exemple.\n")
    written = io.StringIO()
    with contextlib.redirect_stderr(written):
        client = _TracedSMTP(smtp_url.hostname or "localhost", smtp_url.port or 587, timeout=30)
        client.ehlo("dui.example.test")
        client.starttls(context=context)
        client.ehlo("dui.example.test")
        token = psc_token(t, sender)
        client.auth("XOAUTH2", lambda challenge=None: "" if challenge else xoauth2(sender, token).decode(),
                    initial_response_ok=True)
        client.sendmail(sender, [recipient], wire_bytes(msg))
        client.quit()
    t.transcripts["transcription-smtp"] = _smtp_lines(written.getvalue())
    written = io.StringIO()
    token = psc_token(t, recipient)
    with contextlib.redirect_stderr(written):
        box = imaplib.IMAP4(imap_url.hostname or "localhost", imap_url.port or 143, timeout=30)
        box.debug = 4
        box.starttls(ssl_context=context)
        box.authenticate("XOAUTH2", lambda _: xoauth2(recipient, token))
        box.select("INBOX")
        _, found = box.uid("SEARCH", "ALL")
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
        prefix = "C: " if kind == "send" else "S: "
        out.extend(prefix + line for line in text.replace("\r\n", "\n").rstrip("\n").split("\n"))
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
    sender, recipient = boxes(t)
    msg = compose(sender, "Exemple", [recipient], "Sans X-MSS-NIL", "Bonjour.\n")
    del msg["X-MSS-NIL"]
    quietly(lambda: mail_client(t).send(msg, sender, psc_token(t, sender)))


def _mss_bad_token(t: Tour) -> None:
    sender, _ = boxes(t)
    with contextlib.suppress(smtplib.SMTPException):
        mail_client(t).smtp(sender, "jeton-invalide").quit()
    with contextlib.suppress(imaplib.IMAP4.error):
        mail_client(t).imap(sender, "jeton-invalide").logout()


def _mss_outside_trust_space(t: Tour) -> None:
    sender, _ = boxes(t)
    msg = compose(sender, "Exemple", ["quelquun@messagerie-grand-public.example"], "Hors espace de confiance",
                  "Bonjour.\n")
    quietly(lambda: mail_client(t).send(msg, sender, psc_token(t, sender)))


def _org_box(t: Tour) -> tuple[Any, str]:
    est = next(e for e in t.world.establishments if e.mss_org_address)
    return est, est.mss_org_address


def _mss_org_box(t: Tour) -> None:
    """A BAL organisationnelle: the PSC token is asked for the ORG address, then XOAUTH2 as for a personal box."""
    _, org = _org_box(t)
    _, recipient = boxes(t)
    msg = compose(org, "Secrétariat", [recipient], "Depuis une BAL organisationnelle", "Bonjour.\n")
    mail_client(t).send(msg, org, psc_token(t, org))


def _mss_app_box(t: Tour) -> None:
    """A BAL applicative: client certificate (DUI-SOCLE-BENCH) and AUTH EXTERNAL with <session>/<address>."""
    est, org = _org_box(t)
    app = f"lps.{org.partition('@')[0]}@{est.mss_domain}"
    _, recipient = boxes(t)
    mail = mail_client(t)
    mail.context.load_cert_chain(*requests_cert(t.pki, "org-auth-cli"))
    mail.send(compose(app, "DUI", [recipient], "Depuis une BAL applicative", "Bonjour.\n"), app)


def _mss_injected(t: Tour) -> None:
    sender, recipient = boxes(t)
    token = psc_token(t, sender)
    inject(t, "mss", "smtp_451", "send")
    quietly(lambda: mail_client(t).send(compose(sender, "Exemple", [recipient], "Panne", "Bonjour.\n"), sender, token))


def _psc_patient(t: Tour) -> None:
    """A patient's Mon espace santé address: what the PSC mock answers to a token request for it."""
    quietly(lambda: psc_token(t, elise(t).mes_address))


OIDC_PATH = "/auth/realms/esante-wallet/protocol/openid-connect"


DISCOVERY = "/auth/realms/esante-wallet/.well-known/openid-configuration"


def _psc_discovery(t: Tour) -> dict[str, Any]:
    answer = requests.get(t.url("psc", DISCOVERY), verify=t.verify, timeout=30)
    return answer.json() if answer.ok else {}


def _psc_flows(t: Tour) -> None:
    """Every grant the discovery document announces, then the token's uses (userinfo, introspection, JWKS)."""
    conf = _psc_discovery(t)
    token_url = conf.get("token_endpoint") or t.url("psc", OIDC_PATH + "/token")
    sender, _ = boxes(t)
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


def _psc_ciba_and_logout(t: Tour) -> None:
    """CIBA for the e-CPS app (poll mode: pending, then the token once the professional approved), then the
    end of the PSC session (end_session with the id token)."""
    pro = next(p for p in t.world.professionals if p.rpps and p.mss_address)
    psc = PscClient(f"{t.origin('psc')}/s/{t.session}", verify=t.verify)
    tokens = psc.ciba_login(pro.rpps, timeout_s=30, interval_s=1)
    if tokens.get("id_token"):
        psc.logout(tokens["id_token"])


def _psc_bad_password(t: Tour) -> None:
    sender, _ = boxes(t)
    requests.post(t.url("psc", OIDC_PATH + "/token"), data={"grant_type": "password", "username": sender,
                  "password": "faux", "session": t.session}, verify=t.verify, timeout=30)


def _psc_unknown_grant(t: Tour) -> None:
    requests.post(t.url("psc", OIDC_PATH + "/token"), data={"grant_type": "inconnu"}, verify=t.verify, timeout=30)


def _psc_no_grant(t: Tour) -> None:
    requests.post(t.url("psc", OIDC_PATH + "/token"), data={"username": "x"}, verify=t.verify, timeout=30)


def _psc_bad_token(t: Tour) -> None:
    requests.get(t.url("psc", OIDC_PATH + "/userinfo"), headers={"Authorization": "Bearer faux"}, verify=t.verify,
                 timeout=30)


PSC_STEPS: tuple[Step, ...] = (
    Step("psc-flux", "psc", "Pro Santé Connect, découverte, jetons, userinfo, introspection, JWKS", _psc_flows),
    Step("psc-ciba", "psc", "Pro Santé Connect, CIBA (application e-CPS) puis fin de session", _psc_ciba_and_logout,
         keep="*"),
    Step("psc-mot-de-passe-faux", "psc", "Pro Santé Connect, mot de passe faux : invalid_grant", _psc_bad_password),
    Step("psc-grant-inconnu", "psc", "Pro Santé Connect, grant_type inconnu : unsupported_grant_type",
         _psc_unknown_grant),
    Step("psc-sans-grant", "psc", "Pro Santé Connect, demande de jeton sans grant_type", _psc_no_grant),
    Step("psc-jeton-invalide", "psc", "Pro Santé Connect, userinfo avec un jeton invalide : invalid_token",
         _psc_bad_token),
    Step("psc-patient", "psc", "Pro Santé Connect, jeton demandé pour l'adresse Mon espace santé d'un patient",
         _psc_patient),
)


MSS_STEPS: tuple[Step, ...] = (
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
)
