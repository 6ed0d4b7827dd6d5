"""The operator over real sockets (smtplib/imaplib + STARTTLS): the journeys' acceptance cases."""

from __future__ import annotations

import smtplib

import pytest

from simulators.mss.client import MailClient, Patient, build_patient_xdm, compose, integrate, xdm_subject
from simulators.mss.codec.dsn import parse_dsn
from simulators.mss.codec.mdn import parse_mdn
from simulators.core.config import BenchConfig
from simulators.identities.nir import with_key
from simulators.identities.world import build_world
from tests.mss.conftest import exchanges

WORLD = build_world(BenchConfig().seed)
ERGO = WORLD.professional("ergotherapeute-fanny").mss_address
CRIP = WORLD.establishment("crip-93").mss_org_address
CRIP_EVAL = WORLD.professional("crip-evaluatrice").mss_address
JUDGE = WORLD.establishment("tribunal-bobigny").mss_org_address
AEMO_EDUC = WORLD.professional("aemo-educateur").mss_address
PFI = "pfi." + CRIP
_elliot = WORLD.person("elliot")
ELLIOT_INS = _elliot.ins.value
ELLIOT = Patient(ELLIOT_INS, _elliot.ins.oid, _elliot.birth_name, _elliot.first_given_name, _elliot.birth_date,
                 _elliot.sex)
FANNY_MES = WORLD.person("fanny").mes_address


def test_fanny_step1_ip_form_delivered_and_fetched(mail: MailClient, token_for, session: str, mss_bench) -> None:
    token = token_for(ERGO, session=session)
    msg = compose(ERGO, "Mme_Hélène_MARCHETTI_Cabinet d'ergothérapie", [CRIP], "Information préoccupante - Fanny L.",
                  "Bonjour, veuillez trouver le formulaire d'information préoccupante.",
                  attachments=[("IP_Fanny_Lavergne.pdf", "application/pdf", b"%PDF-1.4 formulaire IP")])
    assert mail.send(msg, ERGO, token) == {}
    got = mail.fetch_all(CRIP, token_for(CRIP, session=session))
    assert len(got) == 1
    assert b"IP_Fanny_Lavergne.pdf" in got[0][1] and b"X-MSS-NIL:" in got[0][1]
    [sent] = exchanges(mss_bench, session, "send")
    assert sent.status == 250 and sent.protocol == "smtp"
    assert sent.summary["headers"]["X-MSS-NIL"] == ["SOCLE-BENCH-DUI-1"]
    assert sent.caller.kind == "oauth" and sent.request_headers["tls"] == "yes"
    assert sent.request_headers["tls_version"] in ("TLSv1.2", "TLSv1.3")


def test_non_trust_space_domain_refused_at_rcpt_and_not_told_twice(mail: MailClient, token_for, session: str,
                                                                    mss_bench) -> None:
    token = token_for(CRIP_EVAL, session=session)
    msg = compose(CRIP_EVAL, "Mme_Nadia_OUALI_CRIP", [JUDGE], "Signalement Élise", "Rapport au juge des enfants.")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        mail.send(msg, CRIP_EVAL, token)
    code, text = refused.value.recipients[JUDGE]
    assert code == 550 and b"5.7.1" in text and b"espace de confiance" in text
    assert mail.fetch_all(CRIP_EVAL, token) == []  # the 550 told the DUI: no failure DSN on top of it
    assert any(e.status == 550 for e in exchanges(mss_bench, session, "send"))


def test_partial_refusal_delivers_the_others_and_refuses_at_rcpt_only(mail, token_for, session) -> None:
    token = token_for(CRIP_EVAL, session=session)
    msg = compose(CRIP_EVAL, "CRIP", [CRIP, JUDGE], "Copie", "Texte")
    refused = mail.send(msg, CRIP_EVAL, token)
    assert list(refused) == [JUDGE] and refused[JUDGE][0] == 550
    assert len(mail.fetch_all(CRIP, token_for(CRIP, session=session))) == 1
    assert mail.fetch_all(CRIP_EVAL, token) == []


def test_failure_at_data_time_for_one_recipient_gives_a_dsn(tmp_path) -> None:
    """A failure the client was not told about (DATA got 250 for the others) is reported by DSN; a message
    refused for everyone at DATA (5xx) is not. 25 Mo + 1 octet: too big for Mon espace santé only."""
    from simulators.core.db import open_database
    from simulators.mss.server.delivery import Operator, OperatorOptions
    from simulators.mss.model import Mailbox, RecipientOutcome
    from simulators.mss.rules import MES_LIMIT_BYTES, TrustSpace
    from simulators.mss.store import MssStore

    pro, patient, sender = "pro@x.mssante.test", f"{ELLIOT_INS}@patient.mssante.fr", "dui@x.mssante.test"
    store = MssStore(open_database(f"sqlite:///{tmp_path / 'm.db'}"), seeder=lambda _s: [
        Mailbox(pro, "PER", "Pro"), Mailbox(sender, "PER", "DUI"), Mailbox(patient, "PAT", "Elliot")])
    store.create_tables()
    operator = Operator(store, TrustSpace(frozenset({"x.mssante.test", "patient.mssante.fr"})),
                        OperatorOptions(max_message_bytes=30 * 1024 * 1024, auto_mdn=False))
    raw = b"From: <" + sender.encode() + b">\r\nSubject: Gros envoi\r\n\r\n" + b"x" * MES_LIMIT_BYTES
    box = store.mailbox("s", sender)
    outcomes = operator.accept("s", box, sender, [RecipientOutcome(pro, False), RecipientOutcome(patient, False)], raw)
    assert [o.delivered for o in outcomes] == [True, False]
    [dsn] = [parse_dsn(store.raw("s", sender, "INBOX", m.uid)) for m in store.messages("s", sender)]
    assert dsn.recipients[0].final_recipient == patient and dsn.recipients[0].action == "failed"
    operator.accept("s", box, sender, [RecipientOutcome(patient, False)], raw)  # refused for all: DATA says 552
    assert len(store.messages("s", sender)) == 1


def test_xdm_message_with_cda_validated(mail, token_for, session, mss_bench) -> None:
    token = token_for(AEMO_EDUC, session=session)
    xdm, _cda = build_patient_xdm(ELLIOT, code="11488-4", label="Compte rendu AEMO", sender="AEMO Bondy")
    msg = compose(AEMO_EDUC, "M_Mehdi_AMRANI_AEMO", [CRIP], xdm_subject("Compte rendu AEMO", ELLIOT), "CR joint.",
                  xdm=xdm, cda_codes=["11488-4"], ins_qualified=True)
    assert mail.send(msg, AEMO_EDUC, token) == {}
    [sent] = exchanges(mss_bench, session, "send")
    summary = sent.summary["xdm"]
    assert summary["readable"] and summary["problems"] == []
    [doc] = summary["documents"]
    assert doc["patient_id"] == f"{ELLIOT_INS}^^^&{ELLIOT.ins_oid}&ISO^NH"
    assert doc["ins"] == ELLIOT_INS and doc["ins_qualified"] and doc["cda_code"] == "11488-4"
    [(_, raw)] = mail.fetch_all(CRIP, token_for(CRIP, session=session))
    received = integrate(raw)
    assert received.patient_ins == ELLIOT_INS and received.problems == []
    assert received.subject == xdm_subject("Compte rendu AEMO", ELLIOT).removeprefix("XDM/1.0/DDM+")


def test_patient_address_delivered_unknown_ins_bounced(mail, token_for, session) -> None:
    token = token_for(AEMO_EDUC, session=session)
    elliot = f"{ELLIOT_INS}@patient.mssante.fr"
    unknown = f"{with_key('2999999999999')}@patient.mssante.fr"  # valid NIR key, nobody in the world
    msg = compose(AEMO_EDUC, "M_Mehdi_AMRANI_AEMO", [elliot, unknown], "Rendez-vous", "Bonjour Elliot.")
    refused = mail.send(msg, AEMO_EDUC, token)
    assert list(refused) == [unknown]
    assert refused[unknown][0] == 550 and b"patient non trouve" in refused[unknown][1]
    assert len(mail.fetch_all(elliot, token_for(elliot, session=session))) == 1
    assert mail.fetch_all(AEMO_EDUC, token) == []  # refused at RCPT: no bounce


def test_patient_replies_only_inside_an_open_thread(mail, token_for, session) -> None:
    elliot = f"{ELLIOT_INS}@patient.mssante.fr"
    patient_token = token_for(elliot, session=session)
    first = compose(elliot, "Elliot", [AEMO_EDUC], "Question", "Bonjour")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        mail.send(first, elliot, patient_token)
    pro_token = token_for(AEMO_EDUC, session=session)
    mail.send(compose(AEMO_EDUC, "AEMO", [elliot], "Suivi", "Comment vas-tu ?"), AEMO_EDUC, pro_token)
    assert mail.send(compose(elliot, "Elliot", [AEMO_EDUC], "Re: Suivi", "Bien."), elliot, patient_token) == {}
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        mail.send(compose(elliot, "Elliot", [FANNY_MES], "Salut", "x"), elliot, patient_token)
    mail.send(compose(AEMO_EDUC, "AEMO", [elliot], "Fin du suivi", "Au revoir", end_patient_thread=True), AEMO_EDUC,
              pro_token)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as closed:
        mail.send(compose(elliot, "Elliot", [AEMO_EDUC], "Re: Fin", "Merci"), elliot, patient_token)
    assert b"[FIN]" in closed.value.recipients[AEMO_EDUC][1]


def test_success_dsn_on_request_and_processing_mdn_from_the_pfi(mail, token_for, session) -> None:
    token = token_for(AEMO_EDUC, session=session)
    xdm, _ = build_patient_xdm(ELLIOT, code="11488-4", label="CR")
    msg = compose(AEMO_EDUC, "AEMO", [PFI], xdm_subject("CR", ELLIOT), "CR", xdm=xdm, cda_codes=["11488-4"],
                  ins_qualified=True, dnt=True)
    assert mail.send(msg, AEMO_EDUC, token, notify="SUCCESS,FAILURE") == {}
    inbox = [raw for _, raw in mail.fetch_all(AEMO_EDUC, token)]
    dsns = [parse_dsn(r) for r in inbox if b"delivery-status" in r]
    mdns = [parse_mdn(r) for r in inbox if b"disposition-notification" in r]
    assert dsns and dsns[0].recipients[0].action == "delivered"
    assert mdns and mdns[0].disposition_type == "processed" and mdns[0].error_code == ""
    unknown = Patient(with_key("2999999999999"), "1.2.250.1.213.1.4.10", "Inconnu", "Jean", "2000-01-01", "M")
    xdm2, _ = build_patient_xdm(unknown, code="11488-4", label="CR")
    mail.send(compose(AEMO_EDUC, "AEMO", [PFI], xdm_subject("CR", unknown), "CR", xdm=xdm2, cda_codes=["11488-4"],
                      ins_qualified=True, dnt=True), AEMO_EDUC, token)
    errors = [parse_mdn(r) for _, r in mail.fetch_all(AEMO_EDUC, token) if b"disposition-notification" in r]
    assert any(m.error_code == "902" and m.subject.startswith("[KO Intégration système !][902]") for m in errors)


def test_return_receipt_to_header_gives_a_delivery_dsn(mail, token_for, session) -> None:
    token = token_for(CRIP_EVAL, session=session)
    mail.send(compose(CRIP_EVAL, "CRIP", [CRIP], "AR", "x", return_receipt=True), CRIP_EVAL, token)
    [(_, raw)] = mail.fetch_all(CRIP_EVAL, token)
    assert parse_dsn(raw).recipients[0].action == "delivered"


def test_app_mailbox_sends_with_its_organisation_certificate(app_mail: MailClient, token_for, mss_bench) -> None:
    app_box = "lps.crip@cd93.mssante.test"
    msg = compose(app_box, "CRIP - logiciel métier", [CRIP], "Envoi automatique", "x")
    assert app_mail.send(msg, app_box) == {}
    [sent] = [e for e in exchanges(mss_bench, "default", "send") if e.summary.get("mail_from") == app_box]
    assert sent.summary["auth"] == "EXTERNAL" and sent.caller.kind == "tls"
    assert app_mail.fetch_all(app_box) == []
