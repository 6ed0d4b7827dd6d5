"""No evidence lost: `kill -9` on a real `socle-bench serve` during an SMTP burst — every message the DUI saw
acknowledged (250 after DATA) is in the journal after restart and in the recipient's mailbox store.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import shutil
import smtplib
import threading
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import MetaData, Table, select

from simulators.core.db import open_database
from simulators.core.pki import Pki
from simulators.core.tls import client_context
from simulators.identities.world import build_world
from simulators.mss.client import MailClient, compose, get_token, wire_bytes
from tests.support.serve import database_url, journaled_request_bodies, kill_during_burst, serve

SESSION = "crash"
WORLD = build_world(20261122)
SENDER = WORLD.professional("ergotherapeute-fanny").mss_address
RECIPIENT = WORLD.establishment("crip-93").mss_org_address


def _burst(mail: MailClient, token: str, acknowledged: list[str], stop: threading.Event) -> None:
    try:
        client = mail.smtp(SENDER, token)
    except (OSError, smtplib.SMTPException):
        return
    while not stop.is_set():
        subject = f"rafale {uuid.uuid4().hex}"
        msg = compose(SENDER, "Mme_Hélène_MARCHETTI", [RECIPIENT], subject, "Message de rafale.")
        try:
            refused = client.sendmail(SENDER, [RECIPIENT], wire_bytes(msg))
        except (OSError, smtplib.SMTPException):  # the server is being killed
            return
        if not refused:  # 250 after DATA: acknowledged
            acknowledged.append(subject)


def _kill_during_burst(tmp_path: Path, source_pki: Pki, database: str) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(source_pki.directory, data_dir / "pki")
    pki = Pki.load(data_dir / "pki")
    served = serve(data_dir, database, "mss")
    try:
        smtp_port = urlparse(served.urls["smtp"]).port
        imap_port = urlparse(served.urls["imap"]).port
        mail = MailClient("127.0.0.1", int(smtp_port or 0), int(imap_port or 0), client_context(pki), timeout=10,
                          session=SESSION)
        token = get_token(served.urls["psc"].split("/auth/")[0], SENDER, session=SESSION,
                          verify=str(pki.root_path)).access_token
        acknowledged = kill_during_burst(served, lambda acked, stop: _burst(mail, token, acked, stop), at_least=20)
    finally:
        served.stop()
    assert len(acknowledged) >= 20
    again = serve(data_dir, database, "mss")
    try:
        journaled = journaled_request_bodies(again.admin, SESSION, "mss", 250, operation="send")
    finally:
        again.stop()
    missing_evidence = [s for s in acknowledged if s.encode() not in journaled]
    assert missing_evidence == [], f"{len(missing_evidence)}/{len(acknowledged)} acknowledged messages not journaled"
    db = open_database(database)
    messages = Table("mss_messages", MetaData(), autoload_with=db.engine)
    with db.engine.connect() as conn:
        stored = set(conn.execute(select(messages.c.subject).where(messages.c.session == SESSION,
                                                                  messages.c.address == RECIPIENT)).scalars())
    db.dispose()
    assert set(acknowledged) - stored == set()


def test_kill_9_loses_no_acknowledged_message_on_sqlite(tmp_path: Path, pki: Pki) -> None:
    _kill_during_burst(tmp_path, pki, database_url("sqlite", tmp_path / "data"))


@pytest.mark.postgres
def test_kill_9_loses_no_acknowledged_message_on_postgresql(tmp_path: Path, pki: Pki, postgres_url: str,
                                                            pg_schema: str) -> None:
    _kill_during_burst(tmp_path, pki, database_url("postgresql", tmp_path / "data", postgres_url, pg_schema))
