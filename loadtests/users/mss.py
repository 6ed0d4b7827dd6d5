"""MSSanté load user: a professional's mailbox on the bench's operator — PSC token, SMTP submission
(STARTTLS + XOAUTH2) of a message with an IHE_XDM.zip about a patient, IMAP retrieval of the unread
mail (STARTTLS + XOAUTH2), with the reference client. SMTP and IMAP are reported to locust as
request types "SMTP" and "IMAP" (see mail.py)."""

from __future__ import annotations

import time
from typing import Any

from locust import task

from ..clients import mss_patients, personal_boxes, xdm_message
from .base import BenchUser, Measure
from conformance.drivers.base import OutgoingMessage
from simulators.core.tls import client_context
from simulators.mss.client import get_token, MailClient, wire_bytes


class MssUser(BenchUser):
    abstract = True

    def on_start(self) -> None:
        boxes = personal_boxes(self.target.seed)
        self.box = self.rng.choice(boxes)
        self.peers = [b for b in boxes if b.address != self.box.address]
        self.patients = mss_patients(self.target.world())
        self.token = ""
        self.token_until = 0.0
        if self.dui is not None:
            return  # the DUI talks SMTP/IMAP itself
        pki = self.target.pki()
        host, smtp_port = self.target.host_port("smtp")
        _host, imap_port = self.target.host_port("imap")
        self.mail = MailClient(host, smtp_port, imap_port, client_context(pki), session=self.target.session)
        self.verify = str(pki.trust_path)

    def access_token(self) -> str:
        if time.time() < self.token_until:
            return self.token
        with self.measure("HTTP", "PSC jeton") as m:
            tokens = get_token(self.target.origin("psc"), self.box.address, session=self.target.session,
                               verify=self.verify)
            self.token, self.token_until = tokens.access_token, time.time() + tokens.expires_in - 60
            m.length = len(self.token)
        return self.token

    @task(2)
    def send(self) -> None:
        patient = self.rng.choice(self.patients)
        recipient = self.rng.choice(self.peers)
        token = self.access_token() if self.dui is None else ""

        msg = xdm_message(self.box, recipient, patient) if self.dui is None else None  # built before timing

        def direct(m: Measure) -> None:
            assert msg is not None, "built above when no DUI drives the run"
            refused = self.mail.send(msg, self.box.address, token)
            m.length = len(wire_bytes(msg))
            if refused:
                m.fail(f"destinataires refusés : {refused}")

        def via_dui(dui: Any) -> Any:
            world = self.target.world()
            person = next(p for p in world.persons if p.ins is not None and p.ins.value == patient.ins)
            return dui.send_message(self.actor(), OutgoingMessage(
                recipients=(world.professional(recipient.owner_id),), subject="Compte rendu",
                body="Veuillez trouver le compte rendu ci-joint.", patient=person, xdm=True)).accepted
        self.act("SMTP", "MSS envoyer (XDM 50 Ko)", direct, via_dui)

    @task(1)
    def fetch(self) -> None:
        token = self.access_token() if self.dui is None else ""

        def direct(m: Measure) -> None:
            m.length = sum(len(raw) for raw in fetch_unread(self.mail, self.box.address, token))
        self.act("IMAP", "MSS relever", direct, lambda dui: dui.read_mailbox(self.actor(), self.box.address))

    def actor(self) -> Any:
        return self.target.world().professional(self.box.owner_id)


def fetch_unread(mail: Any, address: str, token: str) -> list[bytes]:
    """What a DUI does on each poll: the unread messages only (fetching marks them read)."""
    client = mail.imap(address, token)
    found = []
    try:
        client.select("INBOX")
        _typ, data = client.uid("SEARCH", None, "UNSEEN")
        for uid in (data[0] or b"").split():
            _typ, parts = client.uid("FETCH", uid.decode(), "(BODY[])")
            found += [p[1] for p in parts if isinstance(p, tuple)]
    finally:
        client.logout()
    return found
