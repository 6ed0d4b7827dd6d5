"""The non-HTTP locust user: SMTP submission and IMAP retrieval, reported as locust requests.

locust only measures HTTP by itself; here every SMTP transaction and IMAP session is timed and fired
as a `request` event with request_type "SMTP" or "IMAP", so mail shows in the same statistics, CSV
and HTML report (and is judged by the same thresholds) as the HTTP services. smtplib and imaplib
use plain sockets, which locust's gevent makes cooperative: one process holds many mail users.
"""

from __future__ import annotations

import email
import imaplib
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass

from .base import BenchUser, Measure


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    tls: str = "none"  # none | starttls | implicit
    ssl_context: ssl.SSLContext | None = None


def smtp_send(server: MailServer, sender: str, recipients: Sequence[str], message: bytes, *,
              login: str | None = None, password: str | None = None, measure: Measure | None = None) -> None:
    """One SMTP transaction on a fresh connection, as a DUI sends one message."""
    connection: smtplib.SMTP  # SMTP_SSL derives from it
    if server.tls == "implicit":
        connection = smtplib.SMTP_SSL(server.host, server.port, timeout=30, context=server.ssl_context)
    else:
        connection = smtplib.SMTP(server.host, server.port, timeout=30)
    with connection as smtp:
        if server.tls == "starttls":
            smtp.starttls(context=server.ssl_context)
        if login:
            smtp.login(login, password or "")
        refused = smtp.sendmail(sender, list(recipients), message)
    if measure is not None:
        measure.length = len(message)
        if refused:
            measure.fail(f"destinataires refusés: {', '.join(sorted(refused))}")


def imap_fetch(server: MailServer, login: str, password: str, *, mailbox: str = "INBOX",
               delete: bool = False, measure: Measure | None = None) -> list[email.message.Message]:
    """Log in, fetch every message of `mailbox` (optionally expunging them), log out."""
    if server.tls == "implicit":
        imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(server.host, server.port, ssl_context=server.ssl_context, timeout=30)
    else:
        imap = imaplib.IMAP4(server.host, server.port, timeout=30)
        if server.tls == "starttls":
            imap.starttls(ssl_context=server.ssl_context)
    messages: list[email.message.Message] = []
    size = 0
    try:
        imap.login(login, password)
        imap.select(mailbox)
        _typ, data = imap.search(None, "ALL")
        for number in (data[0] or b"").decode("ascii").split():
            _typ, parts = imap.fetch(number, "(RFC822)")
            for part in parts:
                if isinstance(part, tuple):
                    size += len(part[1])
                    messages.append(email.message_from_bytes(part[1]))
            if delete:
                imap.store(number, "+FLAGS", "\\Deleted")
        if delete:
            imap.expunge()
        imap.close()
    finally:
        imap.logout()
    if measure is not None:
        measure.length = size
    return messages


class MailUser(BenchUser):
    """Base of the mail users: `send` and `fetch` are measured as SMTP and IMAP requests."""

    abstract = True

    def send(self, name: str, server: MailServer, sender: str, recipients: Sequence[str], message: bytes, *,
             login: str | None = None, password: str | None = None) -> None:
        with self.measure("SMTP", name) as m:
            smtp_send(server, sender, recipients, message, login=login, password=password, measure=m)

    def fetch(self, name: str, server: MailServer, login: str, password: str, *, mailbox: str = "INBOX",
              delete: bool = False) -> list[email.message.Message]:
        result: list[email.message.Message] = []
        with self.measure("IMAP", name) as m:
            result = imap_fetch(server, login, password, mailbox=mailbox, delete=delete, measure=m)
        return result
