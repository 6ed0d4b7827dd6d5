"""IMAP under hostile input: STARTTLS injection, oversized lines and literals, deep nesting, folder names."""

from __future__ import annotations

import base64
import json

import pytest

from tests.mss.conftest import port_of
from tests.mss.test_operator import CRIP
from tests.mss.wire import RawImap


@pytest.fixture
def raw(mss_bench, mail):
    client = RawImap(port_of(mss_bench, "imap"), mail.context)
    yield client
    client.close()


@pytest.fixture
def logged(raw: RawImap, token_for, session):
    raw.login(f"{session}/{CRIP}", token_for(CRIP, session=session))
    return raw


def test_command_pipelined_in_clear_after_starttls_is_not_executed(raw: RawImap) -> None:
    """CVE-2011-0411 class: `X CAPABILITY` sent in the same segment as STARTTLS must never be answered."""
    raw.send(b"T0 STARTTLS\r\nX1 CAPABILITY\r\n")
    assert raw.until(b"T0")[-1].startswith(b"T0 OK")
    raw.sock = raw.context.wrap_socket(raw.sock, server_hostname="localhost")
    raw.buffer = b""
    answer = raw.command(b"X2", b"NOOP")
    assert not any(line.startswith(b"X1") for line in answer), answer
    assert answer[-1].startswith(b"X2 OK")


def test_line_of_100_kb_is_refused_with_the_tag_and_the_session_goes_on(raw: RawImap) -> None:
    raw.send(b"L1 NOOP " + b"x" * 100_000 + b"\r\n")
    answer = raw.until(b"L1")
    assert answer[-1].startswith(b"L1 BAD [TOOBIG]"), answer
    assert raw.command(b"L2", b"NOOP")[-1].startswith(b"L2 OK")


def test_cleartext_login_literal_plus_of_150_mb_is_refused_without_reading_it(raw: RawImap) -> None:
    raw.send(b"P1 LOGIN {150000000+}\r\n" + b"a" * 1000)
    answer = raw.until(b"P1")
    assert answer[-1].startswith(b"P1 BAD [TOOBIG]") and any(b"BYE" in line for line in answer), answer
    assert raw.closed()


def test_synchronising_literal_too_big_before_login_gets_no_without_continuation(raw: RawImap) -> None:
    answer = raw.command(b"P2", b"LOGIN {150000000}")
    assert answer == [answer[-1]] and answer[-1].startswith(b"P2 "), answer  # no "+" continuation
    assert b"TOOBIG" in answer[-1]
    raw.send(b"P3 APPEND INBOX {9000}\r\n")
    assert raw.until(b"P3")[-1].startswith(b"P3 NO [TOOBIG]")


def test_append_above_the_operator_limit_is_refused_before_reading(logged: RawImap) -> None:
    answer = logged.command(b"A1", b"APPEND INBOX {31457280}")  # 30 MB > SMTP SIZE limit
    assert answer[-1].startswith(b"A1 NO [TOOBIG]"), answer
    caps = b" ".join(logged.command(b"A2", b"CAPABILITY"))
    assert b"APPENDLIMIT=" in caps
    logged.send(b"A3 APPEND INBOX {31457280+}\r\n")
    answer = logged.until(b"A3")
    assert answer[-1].startswith(b"A3 BAD [TOOBIG]"), answer


def test_deeply_nested_search_is_a_tagged_bad(logged: RawImap) -> None:
    logged.command(b"S0", b"SELECT INBOX")
    answer = logged.command(b"S1", b"SEARCH " + b"(" * 5000 + b"ALL" + b")" * 5000)
    assert answer[-1].startswith(b"S1 BAD"), answer
    answer = logged.command(b"S2", b"SEARCH " + b"NOT " * 3000 + b"ALL")
    assert answer[-1][:5] in (b"S2 BA", b"S2 OK"), answer
    assert logged.command(b"S3", b"NOOP")[-1].startswith(b"S3 OK")


@pytest.mark.parametrize("name", [b"..", b"a/../b", b"../INBOX", b"\"a//b\"", b"\"x\\\\y\"", b"/abs", b"a/", b"\"..\""])
def test_absurd_folder_names_are_refused(logged: RawImap, name: bytes) -> None:
    answer = logged.command(b"C1", b"CREATE " + name)
    assert answer[-1].startswith((b"C1 NO", b"C1 BAD")), answer
    listing = b"\n".join(logged.command(b"C2", b'LIST "" "*"'))
    assert b".." not in listing and b"//" not in listing


def test_rename_inbox_is_refused_and_inbox_still_works(logged: RawImap) -> None:
    answer = logged.command(b"R1", b"RENAME INBOX Archive")
    assert answer[-1].startswith(b"R1 NO"), answer
    assert logged.command(b"R2", b"SELECT INBOX")[-1].startswith(b"R2 OK")
    assert logged.command(b"R3", b"RENAME Missing Other")[-1].startswith(b"R3 NO")


def test_expired_token_gets_the_rfc7628_error_challenge_then_no(raw: RawImap, token_for, session) -> None:
    raw.starttls()
    raw.send(b"E1 AUTHENTICATE XOAUTH2\r\n")
    assert raw.line().startswith(b"+")
    raw.send(base64.b64encode(f"user={CRIP}\x01auth=Bearer not.a.token\x01\x01".encode()) + b"\r\n")
    challenge = raw.line()
    assert challenge.startswith(b"+ "), challenge
    status = json.loads(base64.b64decode(challenge[2:]))
    assert status["status"] == "invalid_token"
    raw.send(b"\x01\r\n")  # RFC 7628: the client acknowledges with a dummy response
    assert raw.until(b"E1")[-1].startswith(b"E1 NO")


def test_sasl_ir_initial_response_on_the_authenticate_line(raw: RawImap, token_for, session) -> None:
    raw.starttls()
    assert b"SASL-IR" in b" ".join(raw.command(b"C0", b"CAPABILITY"))
    blob = base64.b64encode(f"user={session}/{CRIP}\x01auth=Bearer {token_for(CRIP, session=session)}\x01\x01".encode())
    assert raw.command(b"I1", b"AUTHENTICATE XOAUTH2 " + blob)[-1].startswith(b"I1 OK")
