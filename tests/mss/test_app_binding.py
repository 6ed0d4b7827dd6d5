"""A BAL applicative opens with the certificate registered for it (its fingerprint), not with any certificate
that happens to carry the same CN: another organisation's AUTH_CLI named like the DUI is refused with the
operator's own SMTP and IMAP answers."""

from __future__ import annotations

import imaplib
import smtplib

import pytest

from simulators.core.pki import CertRequest
from simulators.core.pki.defaults import DUI_CN
from simulators.core.tls import client_context
from simulators.mss.client import MailClient

APP_BOX = "lps.crip@cd93.mssante.test"


def test_same_cn_from_another_organisation_cannot_open_the_app_box(mss_bench, mail: MailClient, pki) -> None:
    record = pki.issue(CertRequest("auth-cli", name="mss-same-cn-other-org", cn=DUI_CN, organisation="AUTRE ORGANISME",
                                   structure_id="1750000099"), exist_ok=True)
    impostor = MailClient(mail.host, mail.smtp_port, mail.imap_port, client_context(pki, record.name))
    with pytest.raises(smtplib.SMTPAuthenticationError) as caught:
        impostor.smtp(APP_BOX)
    assert caught.value.smtp_code == 535 and b"5.7.8" in caught.value.smtp_error
    with pytest.raises(imaplib.IMAP4.error):
        impostor.imap(APP_BOX)


def test_the_registered_certificate_opens_it(mss_bench, app_mail: MailClient) -> None:
    app_mail.smtp(APP_BOX).quit()
    app_mail.imap(APP_BOX).logout()
