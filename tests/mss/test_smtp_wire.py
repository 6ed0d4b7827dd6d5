"""SMTP replies on the wire: enhanced codes, ASCII, PIPELINING, bare LF, STARTTLS injection, forged tokens."""

from __future__ import annotations

import base64
import json
import re

import pytest

from simulators.mss.client import xoauth2
from simulators.psc.tokens import PscIssuer
from simulators.mss.server.smtp_replies import enhance
from tests.mss.conftest import port_of
from tests.mss.test_operator import CRIP, ERGO
from tests.mss.wire import RawImap, RawSmtp

ENHANCED = re.compile(rb"^\d{3}[ -][245]\.\d{1,3}\.\d{1,3}( |$)")


@pytest.fixture
def raw(mss_bench, mail):
    client = RawSmtp(port_of(mss_bench, "smtp"), mail.context)
    yield client
    client.close()


def _check_reply(lines: list[bytes]) -> None:
    for line in lines:
        assert ENHANCED.match(line), line
        assert all(32 <= b < 127 for b in line), line


@pytest.mark.parametrize(("line", "expected"), [
    ("250 OK", "250 2.0.0 OK"), ("221 Bye", "221 2.0.0 Bye"),
    ("500 Error: bad syntax", "500 5.5.2 Error: bad syntax"), ("503 Error: need MAIL command", "503 5.5.1 Error: need MAIL command"),
    ("552 Error: Too much mail data", "552 5.3.4 Error: Too much mail data"),
    ("250 2.1.0 Expéditeur accepté", "250 2.1.0 Expediteur accepte"), ("354 End data", "354 End data"),
    ("421 4.4.2 Timeout", "421 4.4.2 Timeout"), ("530 5.7.0 Authentication required", "530 5.7.0 Authentication required"),
])
def test_enhance_adds_the_code_and_folds_to_ascii(line: str, expected: str) -> None:
    assert enhance(line) == expected


def test_every_reply_of_a_whole_session_carries_an_enhanced_code(raw: RawSmtp, token_for, session) -> None:
    assert not ENHANCED.match(raw.greeting[0])  # the greeting carries none (RFC 2034 §3)
    ehlo = raw.command(b"EHLO dui.test")
    assert b"250-PIPELINING" in ehlo and b"250-ENHANCEDSTATUSCODES" in ehlo
    _check_reply(raw.command(b"MAIL FROM:<x@y>"))  # 530 before auth
    _check_reply(raw.command(b"BOGUS"))
    _check_reply(raw.command(b"NOOP"))
    raw.login(f"{session}/{ERGO}", token_for(ERGO, session=session))
    _check_reply(raw.command(b"DATA"))  # 503 need RCPT
    _check_reply(raw.command(b"RCPT TO:<" + CRIP.encode() + b">"))  # 503 need MAIL
    _check_reply(raw.command(b"MAIL FROM:<" + ERGO.encode() + b">"))
    _check_reply(raw.command(b"RCPT TO:<juge@justice.example>"))  # 550 5.7.1, French folded to ASCII
    _check_reply(raw.command(b"RSET"))
    _check_reply(raw.command(b"QUIT"))


def test_pipelined_transaction_gets_every_reply_in_order(raw: RawSmtp, token_for, session) -> None:
    raw.login(f"{session}/{ERGO}", token_for(ERGO, session=session))
    message = (f"From: <{ERGO}>\r\nTo: <{CRIP}>\r\nSubject: pipeline\r\nMessage-ID: <p1@dui.test>\r\n"
               f"X-MSS-NIL: DEV1\r\n\r\nCorps\r\n").encode()
    raw.send(b"MAIL FROM:<" + ERGO.encode() + b">\r\nRCPT TO:<" + CRIP.encode() + b">\r\nDATA\r\n")
    codes = [raw.reply()[0][:3] for _ in range(3)]
    assert codes == [b"250", b"250", b"354"]
    raw.send(message + b".\r\nNOOP\r\n")
    assert raw.reply()[0].startswith(b"250 2.0.0")
    assert raw.reply()[0].startswith(b"250 2.0.0")


def test_bare_lf_is_refused_in_commands_and_in_data(raw: RawSmtp, token_for, session) -> None:
    raw.send(b"NOOP\n")
    assert raw.reply()[0].startswith(b"500 5.5.2")
    raw.login(f"{session}/{ERGO}", token_for(ERGO, session=session))
    raw.command(b"MAIL FROM:<" + ERGO.encode() + b">")
    raw.command(b"RCPT TO:<" + CRIP.encode() + b">")
    assert raw.command(b"DATA")[0].startswith(b"354")
    answer = raw.command(b"Subject: x\r\n\r\nline one\nline two\r\n.")
    assert answer[0].startswith(b"550 5.5.2"), answer


def test_command_pipelined_in_clear_after_starttls_is_not_executed(raw: RawSmtp) -> None:
    raw.command(b"EHLO dui.test")
    raw.send(b"STARTTLS\r\nNOOP INJECTED\r\n")
    assert raw.reply()[0].startswith(b"220")
    raw.sock = raw.context.wrap_socket(raw.sock, server_hostname="localhost")
    raw.buffer = b""
    answer = raw.command(b"EHLO dui.test")  # a leftover NOOP reply would come first
    assert answer[0].startswith(b"250-"), answer


def _unsigned(claims: dict) -> str:
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")
    return part({"alg": "ES256", "typ": "JWT"}) + "." + part(claims) + "." + part({"sig": 1})


def test_forged_token_claims_get_535_with_the_error_challenge(raw: RawSmtp) -> None:
    raw.starttls()
    raw.command(b"EHLO dui.test")
    token = _unsigned({"email": ERGO, "exp": [1], "iat": "now", "session": {"x": 1}})
    answer = raw.command(b"AUTH XOAUTH2 " + base64.b64encode(xoauth2(ERGO, token)))
    assert answer[0].startswith(b"334 "), answer
    assert json.loads(base64.b64decode(answer[0][4:]))["status"]
    assert raw.command(b"")[0].startswith(b"535 5.7.8")


def test_any_verification_error_is_an_authentication_failure(mail, token_for, session, monkeypatch) -> None:
    """Whatever the token verifier raises (here a TypeError, as `exp=[1]` once did), SMTP says 535 and IMAP NO."""
    token = token_for(ERGO, session=session)

    def broken(self, token):
        raise TypeError("'<' not supported between instances of 'list' and 'int'")
    monkeypatch.setattr(PscIssuer, "verify", broken)
    import smtplib

    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        mail.smtp(ERGO, token)
    assert refused.value.smtp_code == 535 and refused.value.smtp_error.startswith(b"5.7.8")
    assert b"TypeError" not in refused.value.smtp_error and b"list" not in refused.value.smtp_error
    imap = RawImap(mail.imap_port, mail.context)
    try:
        imap.starttls()
        imap.send(b"A1 AUTHENTICATE XOAUTH2\r\n")
        assert imap.line().startswith(b"+")
        imap.send(base64.b64encode(xoauth2(ERGO, token)) + b"\r\n")
        assert imap.line().startswith(b"+ ")  # RFC 7628 error challenge
        imap.send(b"\x01\r\n")
        answer = imap.until(b"A1")
        assert answer[-1].startswith(b"A1 NO") and b"TypeError" not in answer[-1]
    finally:
        imap.close()


def test_second_starttls_inside_tls_is_refused(raw: RawSmtp) -> None:
    raw.starttls()
    raw.command(b"EHLO dui.test")
    assert raw.command(b"STARTTLS")[0].startswith(b"554 5.5.1")
    assert raw.command(b"NOOP")[0].startswith(b"250 2.0.0")
