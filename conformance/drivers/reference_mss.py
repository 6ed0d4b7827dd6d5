"""Reference DUI, MSSanté and Annuaire santé parts, on the MSS reference client.

Sending: a Pro Santé Connect token per mailbox (kept in memory only, mss@5), SMTP with STARTTLS and
XOAUTH2, X-MSS-NIL, an IHE_XDM.zip only for documents that go with the patient's qualified INS.
Recipients without an MSSanté address (the judge) are reached by ordinary e-mail: off the bench.
"""

from __future__ import annotations

import email
import email.policy
import smtplib
import ssl
from dataclasses import replace
from urllib.parse import urlsplit

import requests

from simulators.identities.model import Establishment, Professional

from conformance.drivers.base import (
    BenchTarget, DriverError, IdentityResult, OutgoingMessage, ReceivedMessage, SendResult,
)
from conformance.drivers.documents import kind_of, patient_filename
from conformance.drivers.recipients import mss_address_of, who
from simulators.mss.client import build_patient_xdm, compose, get_token, MailClient, Patient, xdm_subject
from simulators.psc.client import PscClient, PscClientError

API_KEY = "socle-bench-dui-de-reference"


def _tls_context(target: BenchTarget) -> ssl.SSLContext:
    """STARTTLS verifies the operator against the bench trust bundle (mss@3: IGC-Santé only)."""
    credentials = target.credentials
    return ssl.create_default_context(cafile=credentials.trust_bundle if credentials else None)


def _decoded(part: email.message.Message) -> bytes:
    payload = part.get_payload(decode=True)  # a leaf's transfer-decoded bytes (None when empty)
    return payload if isinstance(payload, bytes) else b""


def _typo_in_key(address: str) -> str:
    """The INS key mistyped (last two digits off by one): what a hand-built patient address looks like."""
    local, _, domain = address.partition("@")
    key = (int(local[-2:]) % 97) + 1 if local[-2:].isdigit() else 1
    return f"{local[:-2]}{key:02d}@{domain}"


class MssPart:
    defects: frozenset[str] = frozenset()  # set by ReferenceDui (see reference.DEFECTS)

    def __init__(self, target: BenchTarget) -> None:
        self.target = target
        smtp = urlsplit(target.service_url("smtp"))
        imap = urlsplit(target.service_url("imap"))
        psc = urlsplit(target.service_url("psc"))
        self.psc_root = f"{psc.scheme}://{psc.netloc}"
        self.verify: str | bool = target.credentials.trust_bundle if target.credentials else True
        self.client = MailClient(smtp.hostname or "localhost", smtp.port or 587, imap.port or 143,
                                 _tls_context(target), session=target.session)
        self._tokens: dict[str, str] = {}

    def token(self, address: str, actor: Professional | None = None) -> str:
        """A professional opening their own box logs in as on the real Pro Santé Connect (authorization
        code + PKCE through the e-CPS page, identified by their RPPS); other boxes (organisation,
        patient) use the bench's test password grant."""
        if address not in self._tokens:
            try:
                if actor is not None and actor.rpps and (actor.mss_address or "").lower() == address.lower():
                    psc = PscClient(self.target.session_url("psc"), verify=self.verify)
                    self._tokens[address] = str(psc.login(actor.rpps)["access_token"])
                else:
                    self._tokens[address] = get_token(self.psc_root, address, session=self.target.session,
                                                      verify=self.verify).access_token
            except (requests.RequestException, PscClientError) as exc:
                raise DriverError(f"jeton Pro Santé Connect refusé pour {address} : {exc}") from exc
        return self._tokens[address]

    def send(self, actor: Professional, message: OutgoingMessage, patient: IdentityResult | None) -> SendResult:
        addresses = [a for a in (mss_address_of(r) for r in message.recipients) if a]
        if "mss.patient-address-bad-key" in self.defects:
            addresses = [_typo_in_key(a) if a.endswith("@patient.mssante.fr") else a for a in addresses]
        outside = tuple(who(r) for r in message.recipients if not mss_address_of(r))
        if not addresses:
            return SendResult(outside_mss=outside)
        sender = message.sender_box or actor.mss_address
        if not sender:
            raise DriverError(f"{who(actor)} n'a pas de boîte MSSanté")
        attachments = [(a.filename, a.content_type, a.data) for a in message.attachments]
        attachments += [(patient_filename(d, message.patient) if message.patient else d.as_attachment().filename,
                         d.mime_type, d.content) for d in message.documents]
        xdm, codes, subject = None, [], message.subject
        if message.xdm:
            if patient is None or not patient.qualified or message.patient is None or not message.documents:
                raise DriverError("une archive XDM suppose un document et l'INS qualifiée du patient")
            kind = kind_of(message.documents[0])
            # the INS traits, as qualified, name the patient in the CDA, the METADATA and the subject
            traits = Patient(patient.ins, patient.oid, patient.birth_name, patient.given_names.split(" ")[0],
                             patient.birth_date, patient.sex)
            xdm, _cda = build_patient_xdm(traits, code=kind.code, label=kind.label, author_rpps=actor.rpps or "",
                                          sender=sender)
            codes = [kind.code]
            subject = xdm_subject(kind.label[0].upper() + kind.label[1:], traits)
        label = f"{actor.first_name} {actor.last_name} - {actor.role}"  # no parentheses: a comment in RFC 5322
        receipts = "mss.no-receipts" not in self.defects  # mss@19: delivery (DSN) and read (MDN) receipts
        msg = compose(sender, label, addresses, subject, message.body, xdm=xdm, cda_codes=codes,
                      ins_qualified=bool(patient and patient.qualified), attachments=attachments, dnt=receipts)
        result = self._send_raw(sender, msg, actor=actor, notify="SUCCESS,FAILURE" if receipts else None)
        return replace(result, outside_mss=outside)

    def send_outside(self, actor: Professional, message: OutgoingMessage) -> SendResult:
        """Defect "mss.outside-trust-space": ordinary addresses through the MSSanté operator, and the same
        message sent again after the operator's refusal (its failure DSN ignored)."""
        outside = [getattr(r, "email", "") for r in message.recipients if not mss_address_of(r)]
        outside = [a for a in outside if a]
        if not outside or not actor.mss_address:
            return self.send(actor, message, None)
        label = f"{actor.first_name} {actor.last_name} - {actor.role}"
        attachments = [(d.as_attachment().filename, d.mime_type, d.content) for d in message.documents]
        msg = compose(actor.mss_address, label, outside, message.subject, message.body, attachments=attachments,
                      dnt=True)
        refused: dict = {}
        for _attempt in range(2):  # the DSN says "hors espace de confiance": sent again all the same
            try:
                refused = self.client.send(msg, actor.mss_address, self.token(actor.mss_address),
                                           notify="SUCCESS,FAILURE")
            except smtplib.SMTPRecipientsRefused as exc:
                refused = exc.recipients
            except smtplib.SMTPException as exc:
                raise DriverError(f"envoi MSSanté refusé par l'opérateur : {exc}") from exc
        return SendResult(message_id=str(msg["Message-ID"]), refused={a: str(v) for a, v in refused.items()})

    def read(self, actor: Professional, mailbox: str) -> list[ReceivedMessage]:
        found = []
        for _uid, raw in self.client.fetch_all(mailbox, self.token(mailbox, actor)):
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            names = tuple(name for part in msg.walk() if (name := part.get_filename()))
            body = msg.get_body(("plain",))
            found.append(ReceivedMessage(sender=str(msg.get("From", "")), subject=str(msg.get("Subject", "")),
                                         message_id=str(msg.get("Message-ID", "")), attachments=names,
                                         body=body.get_content() if body is not None else "", mailbox=mailbox))
        return found

    def _raw(self, original: ReceivedMessage) -> email.message.EmailMessage:
        for _uid, raw in self.client.fetch_all(original.mailbox, self.token(original.mailbox)):
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            if str(msg.get("Message-ID", "")).strip() == original.message_id.strip():
                return msg
        raise DriverError(f"message {original.message_id} introuvable dans la boîte {original.mailbox}")

    def _send_raw(self, sender: str, msg: email.message.EmailMessage, *, actor: Professional | None = None,
                  notify: str | None = "SUCCESS,FAILURE") -> SendResult:
        """Submit one message, asking for delivery receipts (DSN, mss@19); the operator's refusals (at RCPT)
        come back per address, as the DUI sees them."""
        addresses = [a.strip() for a in str(msg["To"]).split(",") if a.strip()]
        try:
            refused = self.client.send(msg, sender, self.token(sender, actor), notify=notify)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except smtplib.SMTPException as exc:
            raise DriverError(f"envoi MSSanté refusé par l'opérateur : {exc}") from exc
        refused_text = {a: f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
                        for a, (code, text) in refused.items()}
        return SendResult(message_id=str(msg["Message-ID"]), refused=refused_text,
                          accepted=tuple(a for a in addresses if a not in refused))

    def reply(self, actor: Professional | None, original: ReceivedMessage, body: str,
              documents: tuple = (), sender_label: str = "") -> SendResult:
        """In the thread: to the sender, ``Re:`` subject, In-Reply-To/References (what MES checks)."""
        from email.utils import parseaddr


        box = original.mailbox
        to = parseaddr(original.sender)[1]
        subject = original.subject if original.subject.lower().startswith("re:") else f"Re: {original.subject}"
        label = sender_label or (f"{actor.first_name} {actor.last_name} - {actor.role}" if actor else box)
        attachments = [(d.as_attachment().filename, d.mime_type, d.content) for d in documents]
        professional = actor is not None  # None: the person's Mon espace santé app, which is not a DUI
        msg = compose(box, label, [to], subject, body, attachments=attachments, in_reply_to=original.message_id,
                      dnt=professional)
        return self._send_raw(box, msg, actor=actor, notify="SUCCESS,FAILURE" if professional else None)

    def forward(self, actor: Professional, original: ReceivedMessage, addresses: list[str], note: str) -> SendResult:
        """``TR:`` with every attachment byte for byte; the X-MSS-CODECDA/X-MSS-INS of an XDM kept."""
        source = self._raw(original)
        attachments = [(name, part.get_content_type(), _decoded(part))
                       for part in source.iter_attachments() if (name := part.get_filename())]
        quoted = source.get_body(("plain",))
        text = (note + "\n\n" if note else "") + "-------- Message transféré --------\n" + \
            f"De : {original.sender}\nObjet : {original.subject}\n\n" + (quoted.get_content() if quoted else "")
        subject = original.subject
        if not subject.startswith("XDM/") and not subject.lower().startswith("tr:"):  # an XDM subject stays (mss@12)
            subject = f"TR: {subject}"
        label = f"{actor.first_name} {actor.last_name} - {actor.role}"
        box = original.mailbox or actor.mss_address
        msg = compose(box, label, addresses, subject, text, attachments=attachments, in_reply_to=original.message_id,
                      dnt=True)
        for header in ("X-MSS-CODECDA", "X-MSS-INS"):
            if source.get(header):
                msg[header] = str(source[header])
        return self._send_raw(box, msg, actor=actor)


class AnnuairePart:
    def __init__(self, target: BenchTarget) -> None:
        self.target = target
        self.url = target.session_url("annuaire", "/fhir/v2")
        self.verify: str | bool = target.credentials.trust_bundle if target.credentials else True
        self.http = requests.Session()
        self.http.headers.update({"ESANTE-API-KEY": API_KEY, "Accept": "application/fhir+json"})

    def _search(self, resource: str, params: dict[str, str]) -> list[dict]:
        reply = self.http.get(f"{self.url}/{resource}", params=params, verify=self.verify, timeout=30)
        if reply.status_code != 200:
            raise DriverError(f"Annuaire santé : HTTP {reply.status_code} sur {resource} ({reply.text[:200]})")
        return [e.get("resource", {}) for e in reply.json().get("entry", [])]

    def find_mailbox(self, actor: Professional, target: Establishment | Professional) -> str:
        if isinstance(target, Establishment):
            resources = self._search("Organization", {"identifier": target.idnst})
        else:
            resources = self._search("PractitionerRole", {"mailbox-mss": target.mss_address}) if target.mss_address else []
        for resource in resources:
            for telecom in resource.get("telecom", []):
                if telecom.get("system") == "email" and telecom.get("value"):
                    return str(telecom["value"])
        raise DriverError(f"aucune adresse MSSanté trouvée dans l'Annuaire santé pour {who(target)}")
