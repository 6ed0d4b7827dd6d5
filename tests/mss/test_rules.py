"""Operator rules: trust space, sizes, Mon espace santé, PSC tokens, SASL parsing."""

from __future__ import annotations

import email

import pytest

from simulators.identities.nir import with_key
from simulators.mss.server.auth import AuthError, parse_oauthbearer, parse_xoauth2, split_login
from simulators.mss.model import PATIENT_KIND, Mailbox, Thread
from simulators.codecs.jose import SigningKey
from simulators.psc.tokens import PscIssuer, TokenError
from simulators.mss.rules import (MES_LIMIT_BYTES, TrustSpace, closes_thread, patient_refusal, patient_reply_refusal,
                                  size_refusal, trust_space_refusal)


def test_trust_space_xml_round_trip_and_refusal() -> None:
    trust = TrustSpace.of(["cd93.mssante.test", "patient.mssante.fr"])
    assert TrustSpace.from_xml(trust.to_xml()) == trust
    assert trust_space_refusal("crip@cd93.mssante.test", trust) is None
    refusal = trust_space_refusal("greffe@tribunal-judiciaire.justice.test", trust)
    assert refusal is not None and (refusal.code, refusal.status) == (550, "5.7.1")


def test_size_limits_operator_and_patient() -> None:
    assert size_refusal(10, operator_limit=100, to_patient=False) is None
    assert size_refusal(101, operator_limit=100, to_patient=False).code == 552
    assert size_refusal(MES_LIMIT_BYTES, operator_limit=50 * 2**20, to_patient=True) is None
    assert "25 Mo" in size_refusal(MES_LIMIT_BYTES + 1, operator_limit=50 * 2**20, to_patient=True).text


def test_patient_address_rules() -> None:
    ins = with_key("1120675114979")
    box = Mailbox(f"{ins}@patient.mssante.fr", PATIENT_KIND, "Elliot")
    assert patient_refusal(box.address, box) is None
    assert "invalide" in patient_refusal("12345@patient.mssante.fr", None).text
    bad_key = ins[:13] + f"{(int(ins[13:]) + 1) % 100:02d}"
    assert "invalide" in patient_refusal(f"{bad_key}@patient.mssante.fr", None).text
    assert "non trouvé" in patient_refusal(f"{with_key('2999999999999')}@patient.mssante.fr", None).text
    assert patient_reply_refusal(None) is not None
    assert patient_reply_refusal(Thread("s", "p", "d", closed=True)) is not None
    assert patient_reply_refusal(Thread("s", "p", "d")) is None


@pytest.mark.parametrize("header,subject,closed", [("FIN", "Bonjour", True), ("", "[FIN]", True), ("", "[FIN] suite", False)])
def test_thread_closing(header: str, subject: str, closed: bool) -> None:
    msg = email.message_from_string(f"Subject: {subject}\n" + (f"X-MSS-MES: {header}\n" if header else "") + "\nx")
    assert closes_thread(msg) is closed


def test_psc_tokens_expiry_refresh_and_forgery(tmp_path) -> None:
    issuer = PscIssuer(SigningKey.load_or_create(tmp_path / "k.pem"))
    tokens = issuer.issue("810000000001", email="a@b.test", session="s1")
    claims = issuer.verify(tokens["access_token"])
    assert claims["email"] == "a@b.test" and claims["session"] == "s1"
    with pytest.raises(TokenError) as expired:
        issuer.verify(issuer.issue("a@b.test", email="a@b.test", ttl_s=-5)["access_token"])
    assert expired.value.reason == "expired"
    with pytest.raises(TokenError) as forged:
        PscIssuer(SigningKey.generate()).verify(tokens["access_token"])
    assert forged.value.reason == "signature"
    with pytest.raises(TokenError):
        issuer.verify(tokens["refresh_token"])  # a refresh token is not an access token
    assert issuer.verify(tokens["refresh_token"], typ="Refresh")["sub"] == "810000000001"
    restarted = PscIssuer(SigningKey.load_or_create(tmp_path / "k.pem"))  # same data dir, same key
    assert restarted.verify(tokens["access_token"])


def test_sasl_parsing_and_session_convention() -> None:
    assert parse_xoauth2(b"user=a@b\x01auth=Bearer T\x01\x01") == ("a@b", "T")
    assert parse_oauthbearer(b"n,a=a@b,\x01host=x\x01auth=Bearer T\x01\x01") == ("a@b", "T")
    with pytest.raises(AuthError):
        parse_xoauth2(b"garbage")
    assert split_login("ci-1/A@B.test") == ("ci-1", "a@b.test")
    assert split_login("a@b.test") == (None, "a@b.test")
