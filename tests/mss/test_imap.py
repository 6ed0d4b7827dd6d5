"""IMAP with a standard client: list, fetch, flag, delete, folders, sessions, durability across restarts."""

from __future__ import annotations

from pathlib import Path


from simulators.core.bench import Bench
from simulators.core.tls import client_context
from simulators.mss.factory import SERVICE as MSS
from simulators.mss.client import MailClient, compose, get_token
from tests.conftest import make_config
from tests.mss.conftest import exchanges, port_of
from tests.mss.test_operator import CRIP, CRIP_EVAL, ERGO


def _deliver(mail: MailClient, token_for, session: str, count: int) -> None:
    token = token_for(ERGO, session=session)
    for i in range(count):
        mail.send(compose(ERGO, "Ergo", [CRIP], f"Message {i}", f"Corps {i}"), ERGO, token)


def test_list_fetch_flag_delete_and_folders(mail: MailClient, token_for, session, mss_bench) -> None:
    _deliver(mail, token_for, session, 3)
    imap = mail.imap(CRIP, token_for(CRIP, session=session))
    typ, boxes = imap.list()
    assert typ == "OK" and any(b"INBOX" in b for b in boxes)
    typ, data = imap.select("INBOX")
    assert typ == "OK" and data == [b"3"]
    typ, data = imap.fetch("1:3", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    subjects = [p[1] for p in data if isinstance(p, tuple)]
    assert [s.strip() for s in subjects] == [b"Subject: Message 0", b"Subject: Message 1", b"Subject: Message 2"]
    imap.store("1", "+FLAGS", "(\\Seen \\Flagged)")
    typ, data = imap.search(None, "UNSEEN")
    assert data == [b"2 3"]
    assert imap.create("Traites")[0] == "OK"
    assert imap.copy("2", "Traites")[0] == "OK"
    imap.store("3", "+FLAGS", "(\\Deleted)")
    assert imap.expunge()[0] == "OK"
    typ, data = imap.search(None, "ALL")
    assert data == [b"1 2"]
    assert imap.select("Traites")[1] == [b"1"]
    imap.logout()
    fetches = exchanges(mss_bench, session, "imap.fetch")
    assert fetches and fetches[0].protocol == "imap" and fetches[0].status == 200
    assert [e.status for e in exchanges(mss_bench, session, "imap.logout")] == [200]  # BYE + OK is a success


def test_new_mail_appears_in_an_open_session(mail: MailClient, token_for, session) -> None:
    imap = mail.imap(CRIP, token_for(CRIP, session=session))
    assert imap.select("INBOX")[1] == [b"0"]
    _deliver(mail, token_for, session, 2)
    imap.noop()
    _typ, data = imap.search(None, "ALL")
    assert data == [b"1 2"]
    imap.logout()


def test_sessions_do_not_see_each_other(mail: MailClient, token_for, session) -> None:
    _deliver(mail, token_for, session + "-a", 1)
    assert len(mail.fetch_all(CRIP, token_for(CRIP, session=session + "-a"))) == 1
    assert mail.fetch_all(CRIP, token_for(CRIP, session=session + "-b")) == []


def test_messages_and_flags_survive_a_restart(tmp_path: Path, pki) -> None:
    config = make_config(tmp_path, tls=True)

    def client(bench: Bench) -> tuple[MailClient, str]:
        psc = bench.url("psc").split("/auth/")[0]
        mail = MailClient("127.0.0.1", port_of(bench, "smtp"), port_of(bench, "imap"), client_context(pki))
        return mail, psc

    with Bench(config, [MSS], pki=pki) as bench:
        mail, psc = client(bench)
        token = get_token(psc, ERGO, verify=str(pki.root_path)).access_token
        mail.send(compose(ERGO, "Ergo", [CRIP_EVAL], "Durable", "Toujours là"), ERGO, token)
        crip_token = get_token(psc, CRIP_EVAL, verify=str(pki.root_path)).access_token
        imap = mail.imap(CRIP_EVAL, crip_token)
        imap.select("INBOX")
        imap.store("1", "+FLAGS", "(\\Seen)")
        imap.logout()
    with Bench(config, [MSS], pki=pki) as bench:
        mail, _ = client(bench)
        imap = mail.imap(CRIP_EVAL, crip_token)  # same seed: the token of the first run still verifies
        imap.select("INBOX")
        _typ, data = imap.fetch("1", "(FLAGS BODY[TEXT])")
        assert b"\\Seen" in data[0][0] and b"Toujours l" in data[0][1]
        imap.logout()


def test_garbage_commands_are_answered_bad(mail: MailClient, token_for) -> None:
    imap = mail.imap(CRIP, token_for(CRIP))
    for garbage in (b"z1 FROBNICATE", b"z2 SELECT \"unterminated", b"z3 FETCH 1:* (BODY[", b"\x00\xff\xfe"):
        imap.send(garbage + b"\r\n")
        assert b" BAD " in imap.readline() or garbage.startswith(b"\x00")
    assert imap.noop()[0] == "OK"
    imap.logout()


def test_idle_is_woken_by_a_delivery(mail: MailClient, token_for, session) -> None:
    import threading

    imap = mail.imap(CRIP, token_for(CRIP, session=session))
    imap.select("INBOX")
    imap.send(b"i1 IDLE\r\n")
    assert imap.readline().startswith(b"+")
    threading.Timer(0.2, _deliver, args=(mail, token_for, session, 1)).start()
    imap.sock.settimeout(10)
    assert imap.readline().strip() == b"* 1 EXISTS"
    imap.send(b"DONE\r\n")
    while not imap.readline().startswith(b"i1 "):
        pass
    imap.logout()


def test_commands_before_login_and_the_token_request_are_journaled_in_the_session(mail: MailClient, token_for, session,
                                                                                   mss_bench) -> None:
    from simulators.core.journal import ExchangeQuery

    imap = mail.imap(CRIP, token_for(CRIP, session=session))
    imap.logout()
    journal = mss_bench.runtime.journal
    mine = [e.operation for e in journal.query(ExchangeQuery(session=session))]
    assert "imap.starttls" in mine and mine.index("imap.starttls") < mine.index("imap.auth")
    assert any("token" in op for op in mine), mine  # the PSC token request, asked with session=
    anonymous = [e for e in journal.query(ExchangeQuery(session="default", service="mss"))
                 if e.operation == "imap.starttls" and e.started_at >= min(
                     x.started_at for x in journal.query(ExchangeQuery(session=session)))]
    assert not anonymous
