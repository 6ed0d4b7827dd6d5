"""IMAP as real clients see it: BODYSTRUCTURE dispositions (imapclient), keywords, NAMESPACE, ENABLE,
UNSELECT, SPECIAL-USE folders."""

from __future__ import annotations

import ssl

import pytest
from imapclient import IMAPClient

from simulators.mss.client import MailClient, build_patient_xdm, compose, xdm_subject
from simulators.mss.server.imap_bodystructure import Disposition
from tests.mss.conftest import port_of
from tests.mss.test_operator import CRIP, ELLIOT, ERGO

PDF = b"%PDF-1.4\n% synthetic\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PDF_NAME = "20240105_CR_BONNET_ELLIOT_D1.pdf"


class _Header:
    def __init__(self, kind: str, params: dict[str, str]) -> None:
        self.content_disposition, self.params = kind, params


def test_disposition_is_written_as_the_rfc_3501_list() -> None:
    assert bytes(Disposition(_Header("attachment", {"filename": "x.pdf"}))) == b'("attachment" ("filename" "x.pdf"))'
    assert bytes(Disposition(_Header("inline", {}))) == b'("inline" NIL)'
    assert bytes(Disposition(None)) == b"NIL"


def send_with_attachments(mail: MailClient, token_for, session: str) -> None:
    xdm, _ = build_patient_xdm(ELLIOT, code="11488-4", label="CR", sender="Ergo")
    msg = compose(ERGO, "Ergo", [CRIP], xdm_subject("CR", ELLIOT), "CR joint.", xdm=xdm, cda_codes=["11488-4"],
                  ins_qualified=True, attachments=[(PDF_NAME, "application/pdf", PDF)])
    assert mail.send(msg, ERGO, token_for(ERGO, session=session)) == {}


def imapclient_for(mss_bench, mail: MailClient, token: str, session: str) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=port_of(mss_bench, "imap"), ssl=False, timeout=20)
    context: ssl.SSLContext = mail.context
    client.starttls(context)
    client.oauth2_login(f"{session}/{CRIP}", token)
    return client


def _leaves(structure) -> list:
    if (isinstance(structure[0], list | tuple) and structure[0]
            and isinstance(structure[0][0], list | tuple | bytes) and structure.is_multipart):
        return [leaf for part in structure[0] for leaf in _leaves(part)]
    return [structure]


def test_imapclient_reads_both_attachment_names_from_bodystructure(mss_bench, mail, token_for, session) -> None:
    send_with_attachments(mail, token_for, session)
    client = imapclient_for(mss_bench, mail, token_for(CRIP, session=session), session)
    try:
        client.select_folder("INBOX")
        [uid] = client.search("ALL")
        structure = client.fetch([uid], ["BODYSTRUCTURE"])[uid][b"BODYSTRUCTURE"]
        assert structure.is_multipart and structure[1] == b"mixed"
        parts = structure[0]
        assert [(p[0], p[1]) for p in parts] == [(b"text", b"plain"), (b"application", b"zip"),
                                                  (b"application", b"pdf")]
        dispositions = [p[8] for p in parts[1:]]  # single part: md5 at 7, disposition at 8
        assert dispositions == [(b"attachment", (b"filename", b"IHE_XDM.zip")),
                                (b"attachment", (b"filename", PDF_NAME.encode()))]
    finally:
        client.logout()


def test_keywords_persist_across_sessions(mss_bench, mail, token_for, session) -> None:
    send_with_attachments(mail, token_for, session)
    token = token_for(CRIP, session=session)
    client = imapclient_for(mss_bench, mail, token, session)
    try:
        selected = client.select_folder("INBOX")
        assert b"\\*" in selected[b"PERMANENTFLAGS"]
        [uid] = client.search("ALL")
        client.add_flags([uid], [b"$MDNSent", b"$Traite"])
    finally:
        client.logout()
    again = imapclient_for(mss_bench, mail, token, session)
    try:
        again.select_folder("INBOX")
        flags = again.get_flags([uid])[uid]
        assert b"$MDNSent" in flags and b"$Traite" in flags
        assert again.search(["KEYWORD", "$MDNSent"]) == [uid]
    finally:
        again.logout()


def test_namespace_enable_unselect_and_special_use(mss_bench, mail, token_for, session) -> None:
    client = imapclient_for(mss_bench, mail, token_for(CRIP, session=session), session)
    try:
        caps = client.capabilities()
        assert {b"NAMESPACE", b"ENABLE", b"UNSELECT", b"SPECIAL-USE"} <= set(caps)
        namespace = client.namespace()
        assert namespace.personal == (("", "/"),) and namespace.other is None and namespace.shared is None
        assert client.enable("CONDSTORE") == []  # not implemented, so not enabled (RFC 5161 §3.1)
        folders = {name: flags for flags, _, name in client.list_folders()}
        assert b"\\Sent" in folders["Sent"] and b"\\Drafts" in folders["Drafts"] and b"\\Trash" in folders["Trash"]
        assert client.find_special_folder(b"\\Sent") == "Sent"
        client.select_folder("INBOX")
        client.unselect_folder()
        with pytest.raises(IMAPClient.Error):
            client.search("ALL")  # no mailbox selected any more
    finally:
        client.logout()


def test_close_after_examine_succeeds(mss_bench, mail, token_for, session) -> None:
    client = imapclient_for(mss_bench, mail, token_for(CRIP, session=session), session)
    try:
        client.select_folder("INBOX", readonly=True)
        assert client.close_folder() == b"CLOSE completed."
    finally:
        client.logout()
