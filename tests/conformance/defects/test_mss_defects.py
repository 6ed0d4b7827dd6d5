"""Seeded MSSanté defects: STARTTLS, authentication, Message-ID, charsets and MIME structure, X-MSS-* headers,
IHE_XDM archive and METADATA, XDM subject, patient addresses, replies, PDF names, receipts, MDN.

Each message is what the reference client composes (``simulators.mss.client.compose``, DSN and MDN asked)
with one thing changed, sent over real SMTP (STARTTLS, XOAUTH2 with a Pro Santé Connect token).
"""

from __future__ import annotations

import contextlib
import base64
import hashlib
import imaplib
import io
import re
import smtplib
import ssl
import zipfile
from typing import Any
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from simulators.mss.client import MailClient, Patient, build_patient_xdm, compose, get_token, wire_bytes, xoauth2
from simulators.mss.codec.mdn import build_mdn
from features.steps.cast import Cast
from tests.conformance.defects.harness import DefectBench, assert_caught

NOTIFY = ["NOTIFY=SUCCESS,FAILURE"]


class Kit:
    def __init__(self, bench: DefectBench) -> None:
        cast = Cast(bench.world, "elise")
        self.bench = bench
        self.sender = cast.professional("le responsable ASE").mss_address
        self.reader = cast.professional("l'assistante sociale référente ASE").mss_address
        self.elise = cast.person("Élise")
        ins = self.elise.ins
        self.patient = Patient(ins.value, ins.oid, self.elise.birth_name, self.elise.given_names[0],
                               self.elise.birth_date, self.elise.sex)
        self.context = ssl.create_default_context(cafile=bench.credentials.trust_bundle)
        self._tokens: dict[tuple[str, str], str] = {}

    def client(self, session: str) -> MailClient:
        target = self.bench.target(session)
        smtp, imap = urlsplit(target.service_url("smtp")), urlsplit(target.service_url("imap"))
        return MailClient(smtp.hostname or "localhost", smtp.port or 587, imap.port or 143, self.context,
                          session=session)

    def token(self, session: str, address: str | None = None) -> str:
        """One token per (session, box), kept like a DUI keeps it: asking again for each message is itself
        a defect (bench@4, identical requests in a burst)."""
        key = (session, address or self.sender)
        if key not in self._tokens:
            psc = urlsplit(self.bench.target(session).service_url("psc"))
            self._tokens[key] = get_token(f"{psc.scheme}://{psc.netloc}", key[1], session=session,
                                          verify=self.bench.credentials.trust_bundle).access_token
        return self._tokens[key]

    def message(self, **kwargs: Any) -> Any:
        kwargs.setdefault("dnt", True)
        recipients = kwargs.pop("to", [self.reader])
        return compose(self.sender, kwargs.pop("label", "Responsable ASE - CD 93"), recipients,
                       kwargs.pop("subject", "Rapport de situation"), kwargs.pop("text", "Rapport ci-joint."),
                       **kwargs)

    def xdm(self, **kwargs: Any) -> tuple[bytes, bytes]:
        return build_patient_xdm(self.patient, code="57833-6", label="Ordonnance", sender=self.sender, **kwargs)

    def xdm_message(self, xdm: bytes | None = None, **kwargs: Any) -> Any:
        from simulators.mss.client import xdm_subject

        xdm = xdm if xdm is not None else self.xdm()[0]
        kwargs.setdefault("subject", xdm_subject("Ordonnance", self.patient))
        kwargs.setdefault("cda_codes", ["57833-6"])
        kwargs.setdefault("ins_qualified", True)
        return self.message(xdm=xdm, **kwargs)

    def send(self, session: str, raw: bytes, recipients: list[str] | None = None, *,
             rcpt_options: list[str] | None = None, sender: str | None = None) -> None:
        sender = sender or self.sender
        raw = re.sub(rb"(?<!\r)\n", b"\r\n", raw)  # CRLF on the wire, as every mail library writes it
        # refused: the report judges what was sent
        with self.client(session).smtp(sender, self.token(session, sender)) as smtp, \
                contextlib.suppress(smtplib.SMTPException):
            smtp.sendmail(sender, recipients or [self.reader], raw,
                          rcpt_options=NOTIFY if rcpt_options is None else rcpt_options)


def raw_of(msg: Any) -> bytes:
    return wire_bytes(msg)


def edit(raw: bytes, pattern: bytes, replacement: bytes, count: int = 1) -> bytes:
    return re.sub(pattern, replacement, raw, count=count, flags=re.MULTILINE)


def send_edited(build: Callable[[Kit], Any], pattern: bytes, replacement: bytes, **send: Any) -> Callable[[Kit, str], None]:
    def defect(kit: Kit, session: str) -> None:
        kit.send(session, edit(raw_of(build(kit)), pattern, replacement), **send)
    return defect


def plain(kit: Kit) -> Any:
    return kit.message()


def send_message(build: Callable[[Kit], Any], **send: Any) -> Callable[[Kit, str], None]:
    return lambda kit, session: kit.send(session, raw_of(build(kit)), **send)


# --- XDM archives ----------------------------------------------------------------------------------------------
def rezip(xdm: bytes, edits: dict[str, Callable[[bytes], bytes | None]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xdm)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            change = next((f for name, f in edits.items() if info.filename.endswith(name)), None)
            data = change(data) if change else data
            if data is not None:
                dst.writestr(info.filename, data)
    return out.getvalue()


def xdm_edited(edits: Callable[[Kit, bytes], dict[str, Callable[[bytes], bytes | None]]], **message: Any):
    def defect(kit: Kit, session: str) -> None:
        xdm, cda = kit.xdm()
        kit.send(session, raw_of(kit.xdm_message(rezip(xdm, edits(kit, cda)), **message)))
    return defect


def metadata_replace(old: Callable[[Kit, bytes], str], new: Callable[[Kit, bytes], str]):
    return xdm_edited(lambda kit, cda: {"METADATA.XML": lambda d: d.replace(old(kit, cda).encode(),
                                                                               new(kit, cda).encode())})


def _cda_id(cda: bytes) -> str:
    return re.search(rb'<id root="([^"]+)"', cda).group(1).decode()


def bare_cda(kit: Kit, session: str) -> None:
    _, cda = kit.xdm()
    kit.send(session, raw_of(kit.message(attachments=[("ordonnance.xml", "text/xml", cda)])))


def bare_cda_as_application_xml(kit: Kit, session: str) -> None:
    _, cda = kit.xdm()
    kit.send(session, raw_of(kit.message(attachments=[("CDA.XML", "application/xml", cda)])))


# --- patients, replies, receipts -------------------------------------------------------------------------------
def patient_address(local: Callable[[str], str]) -> Callable[[Kit, str], None]:
    def defect(kit: Kit, session: str) -> None:
        address = f"{local(kit.elise.ins.value)}@patient.mssante.fr"
        kit.send(session, raw_of(kit.message(to=[address])), [address])
    return defect


def _bad_key(ins: str) -> str:
    return ins[:13] + f"{(int(ins[13:]) % 97) + 1:02d}"


def mes_to_professional(kit: Kit, session: str) -> None:
    kit.send(session, raw_of(kit.message(end_patient_thread=True)))


def too_big_for_patient(kit: Kit, session: str) -> None:
    """Just over 25 Mo (the operator's own SMTP SIZE limit is a little above: the message reaches DATA).

    The big base64 block is written directly (composing a 25 Mo EmailMessage is the slow part)."""
    import base64

    from simulators.mss.rules import MES_LIMIT_BYTES

    address = kit.elise.mes_address
    small = raw_of(kit.message(to=[address], attachments=[("scan.pdf", "application/pdf", b"%PDF")]))
    placeholder = base64.b64encode(b"%PDF")
    room = MES_LIMIT_BYTES + 16 * 1024 - len(small)
    block = base64.encodebytes(b"%PDF" + b"0" * (room * 57 // 78)).replace(b"\n", b"\r\n").rstrip(b"\r\n")
    kit.send(session, small.replace(placeholder, block, 1), [address])


def reply(**headers: str) -> Callable[[Kit, str], None]:
    def defect(kit: Kit, session: str) -> None:
        msg = kit.message(subject="RE: Rapport de situation")
        for name, value in headers.items():
            msg[name.replace("_", "-")] = value
        kit.send(session, raw_of(msg))
    return defect


def receipts(*, dnt: bool, notify: bool, return_receipt: bool = False) -> Callable[[Kit, str], None]:
    def defect(kit: Kit, session: str) -> None:
        for _ in range(2):
            msg = kit.message(dnt=dnt, return_receipt=return_receipt)
            kit.send(session, raw_of(msg), rcpt_options=NOTIFY if notify else [])
    return defect


def mdn(edit_mdn: Callable[[bytes], bytes]) -> Callable[[Kit, str], None]:
    def defect(kit: Kit, session: str) -> None:
        original = kit.message()
        kit.send(session, raw_of(original))
        report = edit_mdn(build_mdn(raw_of(original), reporter=kit.reader))
        kit.send(session, report, [kit.sender], sender=kit.reader, rcpt_options=[])
    return defect


# --- connection ------------------------------------------------------------------------------------------------
def auth_without_starttls(kit: Kit, session: str) -> None:
    client = kit.client(session)
    smtp = smtplib.SMTP(client.host, client.smtp_port, timeout=10)
    try:
        smtp.ehlo("dui.test")
        smtp.docmd("AUTH", "XOAUTH2 " + base64.b64encode(xoauth2(client.login_name(kit.sender),
                                                                 kit.token(session))).decode())
    finally:
        smtp.close()


def smtp_auth(mechanism: str, blob: Callable[[Kit, str, MailClient], bytes]) -> Callable[[Kit, str], None]:
    def defect(kit: Kit, session: str) -> None:
        client = kit.client(session)
        smtp = smtplib.SMTP(client.host, client.smtp_port, timeout=10)
        try:
            smtp.ehlo("dui.test")
            smtp.starttls(context=kit.context)
            smtp.ehlo("dui.test")
            code, _ = smtp.docmd("AUTH", f"{mechanism} " + base64.b64encode(blob(kit, session, client)).decode())
            if code == 334:  # RFC 7628 error challenge: the client answers with an empty line, then 535
                smtp.docmd("")
        finally:
            smtp.close()
    return defect


def imap_login(kit: Kit, session: str) -> None:
    client = kit.client(session)
    imap = imaplib.IMAP4(client.host, client.imap_port, timeout=10)
    try:
        imap.starttls(ssl_context=kit.context)
        imap.login(client.login_name(kit.sender), "socle-bench")
    except imaplib.IMAP4.error:
        pass
    finally:
        imap.shutdown()


H = rb"(?im)"
DEFECTS: list[tuple[str, str, Callable[[Kit, str], None]]] = [
    # mss@1 / mss@4: connection and authentication
    ("auth-smtp-sans-starttls", "mss@1", auth_without_starttls),
    # (IMAP AUTHENTICATE before STARTTLS is refused before the client sends its login: the connection names
    # no session, so it cannot be judged within one; the SMTP variant carries the login in its first line)
    ("auth-plain-mot-de-passe", "mss@4", smtp_auth("PLAIN", lambda kit, s, c: f"\0{c.login_name(kit.sender)}\0"
                                                   "socle-bench".encode())),
    ("jeton-psc-invente", "mss@4", smtp_auth("XOAUTH2", lambda kit, s, c: xoauth2(c.login_name(kit.sender),
                                                                                 "jeton-invente"))),
    ("jeton-d-une-autre-bal", "mss@4", smtp_auth("XOAUTH2", lambda kit, s, c: xoauth2(
        c.login_name(kit.sender), kit.token(s, kit.reader)))),
    ("imap-login-mot-de-passe", "mss@4", imap_login),
    # mss@6
    ("sans-message-id", "mss@6", send_edited(plain, H + rb"^Message-ID:.*\r\n", b"")),
    ("message-id-sans-chevrons", "mss@6", send_edited(plain, H + rb"^Message-ID: <([^>]+)>", rb"Message-ID: \1")),
    ("message-id-sans-domaine", "mss@6", send_edited(plain, H + rb"^Message-ID: <[^>]+>", b"Message-ID: <1234567>")),
    ("message-id-en-double", "mss@6", send_edited(plain, H + rb"^(Message-ID: <[^>]+>)", rb"\1\r\n\1")),
    ("message-id-avec-espace", "mss@6", send_edited(plain, H + rb"^Message-ID: <[^>]+>", b"Message-ID: <dui 42@x.fr>")),
    # mss@7
    ("charset-iso-8859-1", "mss@7", send_edited(plain, rb'charset="?utf-8"?', b'charset="iso-8859-1"')),
    ("charset-windows-1252", "mss@7", send_edited(plain, rb'charset="?utf-8"?', b'charset="windows-1252"')),
    ("corps-html-seul", "mss@7", send_edited(plain, rb"Content-Type: text/plain", b"Content-Type: text/html")),
    ("corps-html-avec-pj", "mss@7", send_edited(lambda kit: kit.message(attachments=[("a.pdf", "application/pdf",
                                                                                      b"%PDF-1.4")]),
                                                rb"Content-Type: text/plain", b"Content-Type: text/html")),
    # mss@8
    ("sans-x-mss-nil", "mss@8", send_edited(plain, H + rb"^X-MSS-NIL:.*\r\n", b"")),
    ("x-mss-nil-vide", "mss@8", send_edited(plain, H + rb"^X-MSS-NIL:.*\r\n", b"X-MSS-NIL: \r\n")),
    # mss@9 (RECOMMANDATION)
    ("from-sans-libelle", "mss@9", send_message(lambda kit: kit.message(label=""))),
    ("from-libelle-vide", "mss@9", send_edited(plain, H + rb"^From: .*<", b'From: "" <')),
    # mss@10
    ("xdm-sans-readme", "mss@10", xdm_edited(lambda kit, cda: {"README.TXT": lambda d: None})),
    ("xdm-sans-index", "mss@10", xdm_edited(lambda kit, cda: {"INDEX.HTM": lambda d: None})),
    ("xdm-sans-metadata", "mss@10", xdm_edited(lambda kit, cda: {"METADATA.XML": lambda d: None})),
    ("xdm-sans-cda", "mss@10", xdm_edited(lambda kit, cda: {"DOC0001.XML": lambda d: None})),
    ("cda-joint-hors-xdm", "mss@10", bare_cda),
    ("cda-joint-hors-xdm-application-xml", "mss@10", bare_cda_as_application_xml),
    # mss@11
    ("metadata-patientid-autre-ins", "mss@11", metadata_replace(lambda kit, cda: kit.elise.ins.value,
                                                                lambda kit, cda: _bad_key(kit.elise.ins.value))),
    ("metadata-patientid-oid-nir-faux", "mss@11", metadata_replace(lambda kit, cda: f"{kit.elise.ins.oid}&amp;ISO",
                                                                   lambda kit, cda: "1.2.250.1.213.1.4.2&amp;ISO")),
    ("metadata-hash-faux", "mss@11", metadata_replace(lambda kit, cda: hashlib.sha1(cda, usedforsecurity=False).hexdigest(),
                                                      lambda kit, cda: "0" * 40)),
    ("metadata-hash-sha256", "mss@11", metadata_replace(lambda kit, cda: hashlib.sha1(cda, usedforsecurity=False).hexdigest(),
                                                        lambda kit, cda: hashlib.sha256(cda).hexdigest())),
    ("metadata-taille-fausse", "mss@11", metadata_replace(lambda kit, cda: f"<rim:Value>{len(cda)}</rim:Value>",
                                                          lambda kit, cda: f"<rim:Value>{len(cda) + 7}</rim:Value>")),
    ("metadata-uniqueid-autre", "mss@11", metadata_replace(lambda kit, cda: _cda_id(cda),
                                                           lambda kit, cda: "1.2.250.1.999.1.4242")),
    # mss@12
    ("objet-sans-prefixe-xdm", "mss@12", send_message(lambda kit: kit.xdm_message(subject="Ordonnance Élise"))),
    ("objet-date-iso", "mss@12", send_message(lambda kit: kit.xdm_message(
        subject=f"XDM/1.0/DDM+Ordonnance {kit.patient.family} {kit.patient.given} {kit.patient.birth_date}"))),
    ("objet-mauvaise-date-naissance", "mss@12", send_message(lambda kit: kit.xdm_message(
        subject=f"XDM/1.0/DDM+Ordonnance {kit.patient.family} {kit.patient.given} 01/01/2000"))),
    # mss@13
    ("codecda-sans-xdm", "mss@13", send_edited(plain, H + rb"^(X-MSS-NIL:.*\r\n)", rb"\1X-MSS-CODECDA: 57833-6\r\n")),
    ("x-mss-ins-sans-xdm", "mss@13", send_edited(plain, H + rb"^(X-MSS-NIL:.*\r\n)", rb"\1X-MSS-INS: O\r\n")),
    ("codecda-faux", "mss@13", send_message(lambda kit: kit.xdm_message(cda_codes=["11490-0"]))),
    ("codecda-absent-avec-xdm", "mss@13", send_edited(lambda kit: kit.xdm_message(), H + rb"^X-MSS-CODECDA:.*\r\n",
                                                      b"")),
    ("x-mss-ins-o-sans-qualification-insi", "mss@13", send_message(lambda kit: kit.xdm_message())),
    ("x-mss-ins-oui", "mss@13", send_edited(lambda kit: kit.xdm_message(), H + rb"^X-MSS-INS: O", b"X-MSS-INS: OUI")),
    # mss@14
    ("x-mss-mes-vers-un-professionnel", "mss@14", mes_to_professional),
    ("adresse-patient-cle-fausse", "mss@14", patient_address(_bad_key)),
    ("adresse-patient-nir-sans-cle", "mss@14", patient_address(lambda ins: ins[:13])),
    ("adresse-patient-nir-inconnu", "mss@14", patient_address(lambda ins: "2991299999999" + f"{97 - (2991299999999 % 97):02d}")),
    # mss@15
    ("plus-de-25-mo-vers-mon-espace-sante", "mss@15", too_big_for_patient),
    # mss@16
    ("reponse-sans-in-reply-to", "mss@16", reply()),
    ("reponse-sans-references", "mss@16", reply(In_Reply_To="<abc@cd93.mssante.fr>")),
    ("reponse-sans-in-reply-to-avec-references", "mss@16", reply(References="<abc@cd93.mssante.fr>")),
    # mss@17 (RECOMMANDATION)
    ("pdf-nom-libre", "mss@17", send_message(lambda kit: kit.xdm_message(attachments=[
        ("ordonnance.pdf", "application/pdf", b"%PDF-1.4\n")]))),
    ("pdf-nom-scan", "mss@17", send_message(lambda kit: kit.xdm_message(attachments=[
        ("Scan_0001.pdf", "application/pdf", b"%PDF-1.4\n")]))),
    # mss@19
    ("aucun-accuse-demande", "mss@19", receipts(dnt=False, notify=False)),
    ("mdn-sans-dsn", "mss@19", receipts(dnt=True, notify=False)),
    ("dsn-sans-mdn", "mss@19", receipts(dnt=False, notify=True)),
    # mss@20
    ("mdn-sans-original-message-id", "mss@20", mdn(lambda r: edit(r, H + rb"^Original-Message-ID:.*\r\n", b""))),
    ("mdn-disposition-invalide", "mss@20", mdn(lambda r: edit(r, H + rb"^Disposition: .*$", b"Disposition: lu"))),
    ("mdn-sans-final-recipient", "mss@20", mdn(lambda r: edit(r, H + rb"^Final-Recipient:.*\r\n", b""))),
    ("mdn-sans-report-type", "mss@20", mdn(lambda r: edit(r, rb" report-type=disposition-notification;", b""))),
    ("mdn-en-multipart-mixed", "mss@20", mdn(lambda r: edit(r, rb"multipart/report; report-type=disposition-"
                                                            rb"notification;", b"multipart/mixed;"))),
]


@pytest.fixture(scope="module")
def kit(defect_bench: DefectBench) -> Kit:
    return Kit(defect_bench)


@pytest.mark.parametrize(("name", "expected", "defect"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_mss_defect_is_caught(kit: Kit, request: pytest.FixtureRequest, name: str, expected: str, defect) -> None:
    session = kit.bench.session("mss")
    defect(kit, session)
    kit.bench.wait_for_exchanges(session)
    assert_caught(request.node, kit.bench, session, service="mss", defect=name, expected=expected)
