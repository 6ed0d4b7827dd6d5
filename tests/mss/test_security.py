"""Authentication rules and hostile input: the operator answers every abuse with the right reply."""

from __future__ import annotations

import base64
import imaplib
import smtplib
import socket
import ssl
import zipfile
import io

import pytest

from simulators.core.bench import Bench
from simulators.core.pki.defaults import DUI_CN
from simulators.core.pki.profiles import CertRequest
from simulators.core.tls import client_context
from simulators.mss.factory import SERVICE as MSS
from simulators.mss.client import MailClient, compose, wire_bytes, xoauth2
from tests.conftest import make_config
from tests.mss.conftest import exchanges, port_of
from tests.mss.test_operator import CRIP, ERGO


def _smtp(mail: MailClient) -> smtplib.SMTP:
    client = smtplib.SMTP(mail.host, mail.smtp_port, timeout=10)
    client.ehlo("hostile.test")
    return client


def test_cleartext_auth_is_refused_on_smtp_and_imap(mail: MailClient, token_for, mss_bench) -> None:
    token = token_for(ERGO)
    client = _smtp(mail)
    assert "auth" not in client.esmtp_features and "starttls" in client.esmtp_features
    code, text = client.docmd("AUTH", "XOAUTH2 " + base64.b64encode(xoauth2(ERGO, token)).decode())
    assert code == 538 and b"Encryption required" in text
    code, _ = client.docmd("MAIL", f"FROM:<{ERGO}>")
    assert code == 530
    client.quit()
    imap = imaplib.IMAP4(mail.host, mail.imap_port, timeout=10)
    assert "AUTH=XOAUTH2" not in imap.capabilities and "STARTTLS" in imap.capabilities
    with pytest.raises(imaplib.IMAP4.error):
        imap.authenticate("XOAUTH2", lambda _: xoauth2(ERGO, token))
    with pytest.raises(imaplib.IMAP4.error):
        imap.login(ERGO, token)
    assert [e.summary["reason"] for e in exchanges(mss_bench, "default", "imap.auth")][-2:] == ["cleartext"] * 2
    imap.starttls(ssl_context=mail.context)
    assert "AUTH=XOAUTH2" in imap.capabilities
    imap.authenticate("XOAUTH2", lambda _: xoauth2(ERGO, token))
    imap.logout()


# The test offers TLS 1.0/1.1 on purpose (the server must refuse them): their deprecation is the point.
@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
def test_tls_below_1_2_is_refused(mail: MailClient) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    try:
        context.minimum_version = ssl.TLSVersion.TLSv1
    except ValueError:
        pytest.skip("local OpenSSL cannot even offer TLS 1.1")
    client = _smtp(mail)
    with pytest.raises((ssl.SSLError, smtplib.SMTPServerDisconnected, ConnectionError)):
        client.starttls(context=context)


def test_expired_or_foreign_token_is_refused_and_refresh_works(mail: MailClient, token_for, session, mss_bench, pki) -> None:
    expired = token_for(ERGO, session=session, expires_in=-30)
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        mail.smtp(ERGO, expired)
    assert refused.value.smtp_code == 535 and "expire" in refused.value.smtp_error.decode()
    with pytest.raises(imaplib.IMAP4.error):
        mail.imap(ERGO, expired)
    forged = expired.rsplit(".", 1)[0] + "." + base64.urlsafe_b64encode(b"\0" * 64).decode().rstrip("=")
    with pytest.raises(smtplib.SMTPAuthenticationError):
        mail.smtp(ERGO, forged)
    auths = [e for e in exchanges(mss_bench, session) if e.operation in ("auth", "imap.auth")]
    assert auths and all(not e.summary["accepted"] for e in auths)
    assert {e.summary["reason"] for e in auths} >= {"expired"}
    from simulators.mss.client import get_token, refresh_token

    psc = mss_bench.url("psc").split("/auth/")[0]
    tokens = get_token(psc, ERGO, session=session, verify=str(pki.root_path))
    fresh = refresh_token(psc, tokens, verify=str(pki.root_path))
    mail.smtp(ERGO, fresh.access_token).quit()


def test_token_of_another_box_or_session_is_refused(mail: MailClient, token_for) -> None:
    token = token_for(ERGO, session="s-one")
    with pytest.raises(smtplib.SMTPAuthenticationError):
        mail.smtp(CRIP, token)  # SASL user is not the token's box
    other = MailClient(mail.host, mail.smtp_port, mail.imap_port, mail.context, session="s-two")
    with pytest.raises(smtplib.SMTPAuthenticationError):
        other.smtp(ERGO, token)  # login says s-two, token says s-one
    client = mail.smtp(ERGO, token)
    code, _ = client.docmd("MAIL", f"FROM:<{CRIP}>")
    assert code == 553  # a box sends only as itself
    client.quit()


def test_app_mailbox_with_expired_or_unmapped_certificate_is_refused(mss_bench, mail: MailClient, pki) -> None:
    record = pki.issue(CertRequest("auth-cli", name="mss-dui-expired", cn=DUI_CN, organisation="TEST",
                                   structure_id="1750000002", variant="expired"), exist_ok=True)
    expired = client_context(pki, record.name)
    app = MailClient(mail.host, mail.smtp_port, mail.imap_port, expired)
    with pytest.raises((ssl.SSLError, smtplib.SMTPException, ConnectionError)):
        app.smtp("lps.crip@cd93.mssante.test")
    with pytest.raises((ssl.SSLError, imaplib.IMAP4.error, ConnectionError, OSError)):
        app.imap("lps.crip@cd93.mssante.test")
    unmapped = MailClient(mail.host, mail.smtp_port, mail.imap_port, client_context(pki, "insi-auto"))
    with pytest.raises(smtplib.SMTPAuthenticationError):
        unmapped.smtp("lps.crip@cd93.mssante.test")
    no_cert = MailClient(mail.host, mail.smtp_port, mail.imap_port, client_context(pki))
    with pytest.raises(smtplib.SMTPAuthenticationError):
        no_cert.smtp("lps.crip@cd93.mssante.test")


def test_without_tls_no_authentication_is_possible(tmp_path) -> None:
    with Bench(make_config(tmp_path, tls=False), [MSS]) as bench:
        client = smtplib.SMTP("127.0.0.1", port_of(bench, "smtp"), timeout=10)
        client.ehlo("x")
        assert "starttls" not in client.esmtp_features
        code, _text = client.docmd("AUTH", "XOAUTH2 " + base64.b64encode(b"user=a\x01auth=Bearer x\x01\x01").decode())
        assert code == 538
        assert client.docmd("MAIL", "FROM:<a@b.test>")[0] == 530
        client.quit()


def test_command_abuse_gets_protocol_replies(mail: MailClient, token_for) -> None:
    client = _smtp(mail)
    assert client.docmd("DATA")[0] == 530  # before STARTTLS
    client.starttls(context=mail.context)
    client.ehlo("hostile.test")
    assert client.docmd("RCPT", "TO:<a@b.test>")[0] == 530  # before AUTH
    assert client.docmd("AUTH", "XOAUTH2 !!!notbase64")[0] in (501, 535)
    assert client.docmd("AUTH", "CRAM-MD5")[0] == 504
    client.sock.sendall(b"X" * 5000 + b"\r\n")
    assert client.getreply()[0] == 500
    token = token_for(ERGO)
    client.auth("XOAUTH2", lambda c=None: "" if c else xoauth2(ERGO, token).decode(), initial_response_ok=True)
    assert client.docmd("AUTH", "XOAUTH2 abc")[0] == 503
    assert client.docmd("DATA")[0] == 503
    assert client.docmd("MAIL", f"FROM:<{ERGO}> SIZE=999999999")[0] == 552
    assert client.docmd("MAIL", f"FROM:<{ERGO}>")[0] == 250
    assert client.docmd("MAIL", f"FROM:<{ERGO}>")[0] == 503
    assert client.docmd("RCPT", "TO:<not an address>")[0] in (501, 553)
    client.docmd("RSET")
    for _ in range(3):
        assert client.docmd("BOGUS")[0] == 500
    codes = []
    with pytest.raises(smtplib.SMTPServerDisconnected):
        for _ in range(60):
            codes.append(client.docmd("NOOP")[0])  # noqa: PERF401 - the codes read before the disconnect count
    assert codes[0] == 250 and codes[-1] == 421 and len(codes) == 51


def test_ten_thousand_recipients_are_capped(mail: MailClient, token_for) -> None:
    client = mail.smtp(ERGO, token_for(ERGO))
    assert client.docmd("MAIL", f"FROM:<{ERGO}>")[0] == 250
    payload = b"".join(f"RCPT TO:<user{i}@cd93.mssante.test>\r\n".encode() for i in range(10_000))
    client.sock.sendall(payload)
    codes = [client.getreply()[0] for _ in range(10_000)]
    assert set(codes[:100]) == {550} and set(codes[100:]) == {452}
    assert client.docmd("RSET")[0] == 250
    client.quit()


def _send_raw(mail: MailClient, token: str, raw: bytes, to: str = CRIP) -> tuple[int, bytes]:
    client = mail.smtp(ERGO, token)
    client.mail(ERGO)
    client.rcpt(to)
    code, text = client.data(raw)
    client.quit()
    return code, text


def test_hostile_content_is_accepted_or_refused_but_never_crashes(mail: MailClient, token_for, mss_bench, session) -> None:
    token = token_for(ERGO, session=session)
    garbage = (b"From: <" + ERGO.encode() + b">\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n"
               b"--zz\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
               b"@@@ not base64 @@@\r\n--zz\r\nContent-Type: application/zip\r\nContent-Disposition: attachment;"
               b" filename=\"IHE_XDM.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%%\r\n")
    assert _send_raw(mail, token, garbage)[0] == 250
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.TXT", b"x")
        archive.writestr("../../etc/cron.d/evil", b"x")
    msg = compose(ERGO, "Ergo", [CRIP], "XDM/1.0/DDM+x", "x", xdm=bomb.getvalue(), cda_codes=["x"], ins_qualified=False)
    assert _send_raw(mail, token, wire_bytes(msg))[0] == 250
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("IHE_XDM/SUBSET01/DOC0001.XML", b"\0" * (30 * 1024 * 1024))
    msg = compose(ERGO, "Ergo", [CRIP], "XDM/1.0/DDM+x", "x", xdm=bomb.getvalue(), cda_codes=["x"], ins_qualified=False)
    assert _send_raw(mail, token, wire_bytes(msg))[0] == 250
    big = compose(ERGO, "Ergo", [CRIP], "gros", "x", attachments=[("a.bin", "application/octet-stream", b"\1" * 2_100_000)])
    code, text = _send_raw(mail, token, wire_bytes(big))
    assert code == 552 and b"5.3.4" in text
    sent = [e for e in exchanges(mss_bench, session, "send") if e.status == 250]
    problems = " ".join(p for e in sent for p in e.summary.get("problems", []))
    assert "base64 invalide" in problems
    xdm_problems = " ".join(p["message"] for e in sent for p in e.summary.get("xdm", {}).get("problems", []))
    assert "traversée" in xdm_problems and ("bombe ZIP" in xdm_problems or "compression" in xdm_problems)
    assert _send_raw(mail, token, wire_bytes(compose(ERGO, "Ergo", [CRIP], "encore", "ok")))[0] == 250
    nested = b"Subject: deep\r\n" + b"".join(f"Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n"
                                              .encode() for i in range(3000)) + b"\r\nx\r\n"
    code, text = _send_raw(mail, token, nested)
    assert code == 554 and b"5.6.0" in text
    imap = mail.imap(CRIP, token_for(CRIP, session=session))
    imap.select("INBOX")
    typ, _data = imap.fetch("1:*", "(BODYSTRUCTURE ENVELOPE BODY[])")
    assert typ == "OK" and imap.search(None, "ALL")[1] == [b"1 2 3 4"]
    imap.logout()


def test_silent_client_does_not_block_others(mail: MailClient, token_for) -> None:
    idle = socket.create_connection((mail.host, mail.smtp_port), timeout=5)
    try:
        mail.smtp(ERGO, token_for(ERGO)).quit()
    finally:
        idle.close()


def test_operator_can_present_an_expired_certificate_that_a_good_client_refuses(tmp_path, pki) -> None:
    pki.issue(CertRequest("server", name="mss-server-expired", cn="localhost", dns_names=("localhost",),
                          ip_addresses=("127.0.0.1",), variant="expired"), exist_ok=True)
    config = make_config(tmp_path, tls=True, services={"mss": {"tls_certificate": "mss-server-expired"}})
    with Bench(config, [MSS], pki=pki) as bench:
        mail = MailClient("127.0.0.1", port_of(bench, "smtp"), port_of(bench, "imap"), client_context(pki))
        with pytest.raises(ssl.SSLCertVerificationError, match="expired"):
            mail.smtp(ERGO, "unused")


def test_app_mailbox_may_finish_its_certificate_login_with_plain(app_mail: MailClient, mail: MailClient, token_for) -> None:
    app_box = "lps.crip@cd93.mssante.test"
    client = smtplib.SMTP(app_mail.host, app_mail.smtp_port, timeout=10)
    client.starttls(context=app_mail.context)
    client.login(app_box, "ignored")
    assert client.sendmail(app_box, [CRIP], wire_bytes(compose(app_box, "CRIP LPS", [CRIP], "PLAIN", "x"))) == {}
    client.quit()
    imap = imaplib.IMAP4(app_mail.host, app_mail.imap_port, timeout=10)
    imap.starttls(ssl_context=app_mail.context)
    assert imap.login(app_box, "ignored")[0] == "OK"
    imap.logout()
    no_cert = smtplib.SMTP(mail.host, mail.smtp_port, timeout=10)
    no_cert.starttls(context=mail.context)
    with pytest.raises(smtplib.SMTPAuthenticationError):
        no_cert.login(ERGO, token_for(ERGO))  # PLAIN is never a way in for a PER box
