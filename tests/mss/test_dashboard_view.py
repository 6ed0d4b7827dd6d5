"""The dashboard's MSSanté view (`GET /_bench/mss/dashboard`): boxes with their newest messages,
attachments (XDM flagged) and the DSN/MDN linked back to the message they report on."""

from __future__ import annotations

import requests

from simulators.mss.client import build_patient_xdm, compose, xdm_subject
from simulators.mss.dashboard_view import dashboard_document
from simulators.mss.model import Mailbox, StoredMessage
from tests.dashboard.view_contract import assert_view
from tests.mss.test_operator import AEMO_EDUC, CRIP, ELLIOT, ERGO, PFI


def view(bench, session: str, **params: str) -> dict:
    reply = requests.get(f"{bench.admin_url}/_bench/mss/dashboard", params={"session": session, **params},
                         timeout=10)
    assert reply.status_code == 200, reply.text
    assert_view("mailboxes", reply.json())
    return reply.json()


def test_a_message_sent_appears_in_the_crip_box_with_its_attachment_and_receipts(
        mss_bench, mail, token_for, session) -> None:
    token = token_for(ERGO, session=session)
    xdm, _ = build_patient_xdm(ELLIOT, code="11488-4", label="CR")
    msg = compose(ERGO, "Mme_Hélène_MARCHETTI", [CRIP], "Information préoccupante - Fanny L.", "Formulaire joint.",
                  xdm=xdm, cda_codes=["11488-4"], ins_qualified=True,
                  attachments=[("IP_Fanny_Lavergne.pdf", "application/pdf", b"%PDF-1.4 " + b"x" * 2000)])
    assert mail.send(msg, ERGO, token, notify="SUCCESS,FAILURE") == {}
    boxes = {b["address"]: b for b in view(mss_bench, session)["mailboxes"]}
    assert len(boxes) > 100  # every seeded box is listed ...
    assert set(list(boxes)[:2]) == {CRIP, ERGO}  # ... the ones with mail first (newest first)
    crip = boxes[CRIP]
    assert (crip["kind"], crip["type"], crip["owner"]) == (
        "organisationnelle", "ORG", "CRIP de la Seine-Saint-Denis - secrétariat")
    [message] = crip["messages"]
    assert (message["subject"], message["from"], message["to"], message["status"]) == (
        "Information préoccupante - Fanny L.", ERGO, [CRIP], "délivré")
    assert isinstance(message["date"], float) and message["message_id"] == msg["Message-ID"].strip("<>")
    files = {a["filename"]: a for a in message["attachments"]}
    assert files["IP_Fanny_Lavergne.pdf"] == {"filename": "IP_Fanny_Lavergne.pdf", "content_type": "application/pdf",
                                              "size": 2009, "xdm": False}
    assert files["IHE_XDM.zip"]["xdm"] and files["IHE_XDM.zip"]["size"] == len(xdm)
    [dsn] = message["receipts"]
    assert (dsn["kind"], dsn["status"], dsn["recipient"], dsn["mailbox"]) == ("DSN", "délivré", CRIP, ERGO)
    [report] = boxes[ERGO]["messages"]  # the DSN itself, in the sender's box, says what it reports on
    assert (report["report"], report["receipt_for"], report["attachments"]) == ("DSN", message["message_id"], [])
    assert boxes[f"{ELLIOT.ins}@patient.mssante.fr"]["kind"] == "Mon espace santé (patient)"


def test_the_pfi_mdn_and_a_failure_are_linked_and_boxes_are_capped(mss_bench, mail, token_for, session) -> None:
    token = token_for(AEMO_EDUC, session=session)
    xdm, _ = build_patient_xdm(ELLIOT, code="11488-4", label="CR")
    msg = compose(AEMO_EDUC, "AEMO", [PFI], xdm_subject("CR", ELLIOT), "CR", xdm=xdm, cda_codes=["11488-4"],
                  ins_qualified=True, dnt=True)
    mail.send(msg, AEMO_EDUC, token)
    for n in range(3):
        mail.send(compose(AEMO_EDUC, "AEMO", [CRIP], f"Suivi {n}", "x"), AEMO_EDUC, token)
    boxes = {b["address"]: b for b in view(mss_bench, session, limit="2")["mailboxes"]}
    [integrated] = boxes[PFI]["messages"]
    assert [(r["kind"], r["status"], r["mailbox"]) for r in integrated["receipts"]] == [("MDN", "traité", AEMO_EDUC)]
    assert [a["xdm"] for a in integrated["attachments"]] == [True]
    crip = boxes[CRIP]
    assert [m["subject"] for m in crip["messages"]] == ["Suivi 2", "Suivi 1"]
    assert (crip["message_count"], crip["truncated"]) == (3, True)


def test_receipts_are_read_from_the_report_not_the_subject() -> None:
    original = (b"From: <a@cd93.mssante.test>\r\nTo: <b@cd93.mssante.test>\r\nSubject: =?utf-8?q?R=C3=A9sum=C3=A9?="
                b"\r\nMessage-ID: <m1@cd93.mssante.test>\r\n\r\nCorps\r\n")
    from simulators.mss.codec.mdn import build_mdn

    mdn = build_mdn(original, reporter="pfi@cd93.mssante.test", error_code="902")
    boxes = [Mailbox("b@cd93.mssante.test", "ORG", "B"), Mailbox("a@cd93.mssante.test", "PER", "A", first_name="Anne",
                                                                   last_name="Martin")]
    messages = [StoredMessage("s", "b@cd93.mssante.test", "INBOX", 1, ("\\Seen",), 100.0, len(original), raw=original),
                StoredMessage("s", "a@cd93.mssante.test", "INBOX", 1, (), 200.0, len(mdn), subject="MDN", raw=mdn),
                StoredMessage("s", "a@cd93.mssante.test", "INBOX", 2, (), 50.0, 9, raw=b"\xff\x00garbage")]
    document = dashboard_document(boxes, messages, {"a@cd93.mssante.test": 2, "b@cd93.mssante.test": 1})
    assert_view("mailboxes", document)
    a, b = document["mailboxes"]
    assert (a["address"], a["owner"], [m["status"] for m in a["messages"]]) == (
        "a@cd93.mssante.test", "Anne Martin", ["délivré", "délivré"])
    [shown] = b["messages"]
    assert (shown["subject"], shown["status"]) == ("Résumé", "lu")
    assert [(r["kind"], r["status"], r["code"]) for r in shown["receipts"]] == [
        ("MDN", "erreur 902", "Identifiant patient inconnu")]
