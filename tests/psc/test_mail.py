"""MSSanté XOAUTH2 takes tokens from every PSC flow, and refuses forged ones with the SASL error."""

from __future__ import annotations

import hashlib
import imaplib
import smtplib
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from simulators.codecs import jose
from simulators.codecs.jose import SigningKey
from simulators.core.config import BenchConfig
from simulators.core.tls import client_context
from simulators.mss.client import MailClient, compose
from simulators.mss.seed import world_mailboxes
from simulators.psc.client import PscClient
from simulators.psc.seed import world_users
from simulators.psc.store import KEY_FILE
from simulators.psc.tokens import AUDIENCE, ISSUER

SEED = BenchConfig().seed
BOXES = {b.address: b for b in world_mailboxes(SEED)}
USERS = [u for u in world_users(SEED) if u.email in BOXES]
ME, COLLEAGUE = USERS[0], USERS[1]
MY_ORG = next(b.address for b in BOXES.values() if b.kind in ("ORG", "CAB") and b.idnst == BOXES[ME.email].idnst)


@pytest.fixture(scope="module")
def mail(psc_bench, pki) -> MailClient:
    def port(name: str) -> int:
        return int(urlparse(psc_bench.url(name)).port or 0)
    return MailClient("127.0.0.1", port("smtp"), port("imap"), client_context(pki))


def test_code_pkce_token_opens_imap_and_ciba_token_sends(mail: MailClient, psc: PscClient) -> None:
    browser_token = psc.login(ME.rpps)["access_token"]
    imap = mail.imap(ME.email, browser_token)
    assert imap.select("INBOX")[0] == "OK"
    imap.logout()
    ciba_token = psc.ciba_login(COLLEAGUE.national_id, interval_s=0.2)["access_token"]
    refused = mail.send(compose(COLLEAGUE.email, "Collègue", [ME.email], "Via CIBA", "Bonjour"), COLLEAGUE.email,
                        ciba_token)
    assert refused == {}
    assert any(b"Via CIBA" in raw for _, raw in mail.fetch_all(ME.email, browser_token))


def test_professional_token_opens_own_organisation_box_only(mail: MailClient, psc: PscClient) -> None:
    token = psc.login(ME.national_id)["access_token"]
    imap = mail.imap(MY_ORG, token)  # the ORG/CAB box of the professional's own structure
    assert imap.select("INBOX")[0] == "OK"
    imap.logout()
    foreign = next(b.address for b in BOXES.values() if b.kind == "ORG" and b.idnst != BOXES[ME.email].idnst)
    with pytest.raises(imaplib.IMAP4.error):
        mail.imap(foreign, token)
    with pytest.raises(imaplib.IMAP4.error):
        mail.imap(COLLEAGUE.email, token)  # another person's PER box


def _seed_derived_key(seed: int) -> SigningKey:
    """The key the bench used to derive from the public seed (before issue 15): anyone could mint with it."""
    order = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)
    secret = int.from_bytes(hashlib.sha256(f"psc-{seed}".encode()).digest(), "big") % (order - 1) + 1
    return SigningKey(ec.derive_private_key(secret, ec.SECP256R1()))


def _claims(**overrides: object) -> dict:
    now = time.time()
    claims = {"iss": ISSUER, "sub": ME.national_id, "email": ME.email, "typ": "Bearer", "aud": AUDIENCE,
              "iat": int(now), "exp": int(now + 300)}
    claims.update(overrides)
    return claims


def test_seed_minted_forged_and_hostile_tokens_are_refused(mail: MailClient, psc_bench) -> None:
    real_key = SigningKey.load_or_create(Path(psc_bench.config.data_dir) / KEY_FILE)
    assert jose.verify(jose.sign(_claims(), real_key), [real_key], issuer=ISSUER)  # the control: accepted shape
    mail.imap(ME.email, jose.sign(_claims(), real_key)).logout()
    hostile = [jose.sign(_claims(), _seed_derived_key(SEED)),  # minted from the public default seed
               jose.sign(_claims(), SigningKey.generate()),  # another key
               jose.sign(_claims(exp=float("nan")), real_key), jose.sign(_claims(exp=[1]), real_key),
               jose.sign(_claims(exp=str(int(time.time()) + 300)), real_key),
               jose.sign(_claims(nbf="0"), real_key), jose.sign(_claims(exp=time.time() - 1), real_key),
               "eyJhbGciOiJub25lIn0." + jose.sign(_claims(), real_key).split(".")[1] + "."]
    for token in hostile:
        with pytest.raises(imaplib.IMAP4.error):
            mail.imap(ME.email, token)
        with pytest.raises(smtplib.SMTPAuthenticationError) as smtp:
            mail.smtp(ME.email, token)
        assert smtp.value.smtp_code == 535


def test_oauthbearer_takes_code_and_ciba_tokens_too(mail: MailClient, psc: PscClient) -> None:
    def blob(user: str, token: str) -> bytes:  # RFC 7628 §3.1
        return f"n,a={user},\x01host=localhost\x01port=143\x01auth=Bearer {token}\x01\x01".encode()

    code_token = psc.login(ME.rpps)["access_token"]
    imap = imaplib.IMAP4("127.0.0.1", mail.imap_port, timeout=30)
    imap.starttls(ssl_context=mail.context)
    assert imap.authenticate("OAUTHBEARER", lambda _: blob(ME.email, code_token))[0] == "OK"
    imap.logout()
    ciba_token = psc.ciba_login(ME.national_id, interval_s=0.2)["access_token"]
    smtp = smtplib.SMTP("127.0.0.1", mail.smtp_port, timeout=30)
    smtp.ehlo("dui.test")
    smtp.starttls(context=mail.context)
    smtp.ehlo("dui.test")
    code, _ = smtp.auth("OAUTHBEARER", lambda challenge=None: "" if challenge else blob(MY_ORG, ciba_token).decode(),
                        initial_response_ok=True)
    assert code == 235  # the professional's CIBA token, the SASL authzid naming their structure's box
    smtp.quit()
