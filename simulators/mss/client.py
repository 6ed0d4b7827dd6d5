"""Reference MSSanté client (what a good DUI does): PSC token, SMTP+STARTTLS+XOAUTH2, XDM with the
X-MSS-* headers, DSN/MDN requests, IMAP reception and integration by the METADATA patientId.

Used by the tests, the benchmark and the reference DUI; only the standard library clients
(smtplib, imaplib) and requests, so it behaves like a vendor's software would.
"""

from __future__ import annotations

import base64
import imaplib
import smtplib
import ssl
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, UTC
from email.message import EmailMessage
from email.utils import formataddr, format_datetime, make_msgid

import requests

from simulators.identities.ins import ins_cx

from .codec.mime import analyse_message, parse_message
from .cda import CdaSpec, build_cda, parse_cda
from .codec.xdm import XdmDocument, build_xdm, cda_documents, parse_xdm
from .xdm_metadata import DocumentEntry, SubmissionSet

NIL = "SOCLE-BENCH-DUI-1"
OIDC = "/auth/realms/esante-wallet/protocol/openid-connect"


@dataclass
class TokenSet:
    access_token: str
    refresh_token: str
    expires_in: int


def get_token(psc_url: str, address: str, *, session: str = "", password: str = "socle-bench",
              expires_in: int | None = None, verify: str | bool = True) -> TokenSet:
    """A token for a mailbox through the bench's TEST password grant (`allow_test_password_grant`);
    the real PSC has no such grant: a DUI logs in with `simulators.psc.client.PscClient` (code + PKCE
    or CIBA)."""
    data = {"grant_type": "password", "username": address, "password": password, "client_id": "socle-bench-dui"}
    if session:
        data["session"] = session
    if expires_in is not None:
        data["expires_in"] = str(expires_in)
    response = requests.post(_session_root(psc_url, session) + OIDC + "/token", data=data, timeout=10, verify=verify)
    response.raise_for_status()
    body = response.json()
    return TokenSet(body["access_token"], body["refresh_token"], int(body["expires_in"]))


def _session_root(psc_url: str, session: str) -> str:
    """The token request is journaled in the session it opens: ask on ``/s/<session>`` (else "default")."""
    root = psc_url.rstrip("/")
    return f"{root}/s/{session}" if session and "/s/" not in root else root


def refresh_token(psc_url: str, tokens: TokenSet, *, verify: str | bool = True, session: str = "") -> TokenSet:
    response = requests.post(_session_root(psc_url, session) + OIDC + "/token", timeout=10, verify=verify,
                             data={"grant_type": "refresh_token", "refresh_token": tokens.refresh_token})
    response.raise_for_status()
    body = response.json()
    return TokenSet(body["access_token"], body["refresh_token"], int(body["expires_in"]))


def xoauth2(user: str, token: str) -> bytes:
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()


@dataclass
class Patient:
    ins: str
    ins_oid: str
    family: str
    given: str
    birth_date: str  # YYYY-MM-DD
    sex: str


def xdm_subject(label: str, patient: Patient) -> str:
    y, m, d = patient.birth_date.split("-")
    return f"XDM/1.0/DDM+{label} {patient.family.upper()} {patient.given} {d}/{m}/{y}"


def build_patient_xdm(patient: Patient, *, code: str, label: str, author_rpps: str = "", sender: str = "",
                      padding: int = 0, body_text: str = "") -> tuple[bytes, bytes]:
    """(zip, cda) for one CDA about `patient`, METADATA patientId = the CDA recordTarget INS."""
    doc_id = f"1.2.250.1.999.1.{uuid.uuid4().int % 10**12}"
    cda = build_cda(CdaSpec(doc_id=doc_id, code=code, code_label=label, title=label, ins=patient.ins,
                            ins_oid=patient.ins_oid, family=patient.family.upper(), given=patient.given,
                            birth_date=patient.birth_date.replace("-", ""), sex=patient.sex, author_rpps=author_rpps,
                            padding=padding, **({"body_text": body_text} if body_text else {})))
    pid = ins_cx(patient.ins, patient.ins_oid)
    entry = DocumentEntry(patient_id=pid, unique_id=doc_id, type_code=code, type_code_label=label, title=label,
                          class_code="10", format_code="urn:ihe:iti:xds-sd:text:2008",
                          creation_time=datetime.now(UTC).strftime("%Y%m%d%H%M%S"))
    submission = SubmissionSet(patient_id=pid, unique_id=f"1.2.250.1.999.2.{uuid.uuid4().int % 10**12}",
                               source_id="1.2.250.1.999.3", author_institution=sender,
                               submission_time=datetime.now(UTC).strftime("%Y%m%d%H%M%S"),
                               intended_recipients=[])
    return build_xdm([XdmDocument("DOC0001.XML", cda, entry=entry)], submission), cda


def compose(sender: str, sender_label: str, recipients: list[str], subject: str, text: str, *,
            xdm: bytes | None = None, cda_codes: list[str] | None = None, ins_qualified: bool | None = None,
            attachments: Sequence[tuple[str, str, bytes]] = (), dnt: bool = False, return_receipt: bool = False,
            end_patient_thread: bool = False, reply_to: str = "", in_reply_to: str = "", nil: str = NIL) -> EmailMessage:
    msg = EmailMessage()
    domain = sender.rpartition("@")[2]
    msg["From"] = formataddr((sender_label, sender))
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["X-MSS-NIL"] = nil
    if xdm is not None:
        msg["X-MSS-CODECDA"] = ",".join(cda_codes or [])
        msg["X-MSS-INS"] = "O" if ins_qualified else "N"
    if dnt:
        msg["Disposition-Notification-To"] = sender
    if return_receipt:
        msg["Return-Receipt-To"] = sender
    if end_patient_thread:
        msg["X-MSS-MES"] = "FIN"
    if reply_to:
        msg["Reply-To"] = reply_to
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(text, charset="utf-8")
    if xdm is not None:
        msg.add_attachment(xdm, maintype="application", subtype="zip", filename="IHE_XDM.zip")
    for filename, ctype, content in attachments:
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def wire_bytes(msg: EmailMessage) -> bytes:
    """CRLF line ends: smtplib sends bytes unchanged, and a bare-LF message is one huge SMTP line.

    Headers are not folded below RFC 5322's 998 characters: the standard library's folder splits an
    RFC 2047 encoded subject at a space and drops it ("Élise d’Almeida" read back as "Élised’Almeida")."""
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n", max_line_length=998))


@dataclass
class MailClient:
    host: str
    smtp_port: int
    imap_port: int
    context: ssl.SSLContext
    timeout: float = 30.0
    session: str = ""

    def login_name(self, address: str) -> str:
        return f"{self.session}/{address}" if self.session else address

    def smtp(self, address: str, token: str | None = None) -> smtplib.SMTP:
        """Connected, STARTTLS'd and authenticated (XOAUTH2 with `token`, else EXTERNAL by certificate)."""
        client = smtplib.SMTP(self.host, self.smtp_port, timeout=self.timeout)
        client.ehlo("dui.socle-bench.test")
        client.starttls(context=self.context)
        client.ehlo("dui.socle-bench.test")
        if token is not None:
            client.auth("XOAUTH2", lambda challenge=None: "" if challenge else xoauth2(self.login_name(address), token)
                        .decode(), initial_response_ok=True)
        else:
            client.auth("EXTERNAL", lambda challenge=None: self.login_name(address), initial_response_ok=True)
        return client

    def send(self, msg: EmailMessage, address: str, token: str | None = None, *,
             notify: str | None = None) -> dict[str, tuple[int, bytes]]:
        recipients = [a.strip() for a in str(msg["To"]).split(",") if a.strip()]
        with self.smtp(address, token) as client:
            rcpt_options = [f"NOTIFY={notify}"] if notify else []
            return client.sendmail(address, recipients, wire_bytes(msg), rcpt_options=rcpt_options)

    def imap(self, address: str, token: str | None = None) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.imap_port, timeout=self.timeout)
        client.starttls(ssl_context=self.context)
        if token is not None:
            client.authenticate("XOAUTH2", lambda _: xoauth2(self.login_name(address), token))
        else:
            client.authenticate("EXTERNAL", lambda _: self.login_name(address).encode())
        return client

    def fetch_all(self, address: str, token: str | None = None, folder: str = "INBOX") -> list[tuple[int, bytes]]:
        client = self.imap(address, token)
        try:
            client.select(folder)
            _typ, data = client.uid("SEARCH", "ALL")
            uids = [int(u) for u in (data[0] or b"").split()]
            found = []
            for uid in uids:
                _typ, parts = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
                found.append((uid, raw))
            return found
        finally:
            client.logout()


@dataclass
class Integration:
    """What the receiving DUI does with a message (ECO.2.1.2): the patient from METADATA, the documents."""

    patient_ins: str = ""
    patient_oid: str = ""
    documents: list[str] = field(default_factory=list)
    subject: str = ""
    report: str = ""
    problems: list[str] = field(default_factory=list)


def integrate(raw: bytes) -> Integration:
    summary = analyse_message(raw)
    result = Integration(subject=summary.get("subject", "").removeprefix("XDM/1.0/DDM+"), report=summary.get("report", ""))
    msg = parse_message(raw)
    for part in msg.walk():
        if (part.get_filename() or "").upper() == "IHE_XDM.ZIP":
            encoded = part.get_payload()
            package = parse_xdm(base64.b64decode(encoded) if isinstance(encoded, str) else b"")
            pid = package.subsets[0].submission_set.patient_id if package.subsets else ""
            result.patient_ins, _, rest = pid.partition("^^^&")
            result.patient_oid = rest.partition("&")[0]
            for _entry, content in cda_documents(package):
                result.documents.append(parse_cda(content).unique_id)
    result.problems = list(summary.get("problems", [])) + [p["message"] for p in summary.get("xdm", {}).get("problems", [])]
    return result
