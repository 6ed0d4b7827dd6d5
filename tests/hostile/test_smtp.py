"""Hostile SMTP: generated mutations of submission command streams, before and after STARTTLS + AUTH.

Seeded (derandomised) hypothesis; `SOCLE_HOSTILE_EXAMPLES` examples per stage (300 by default).
Every example asserts: the server answers only SMTP replies, every 4xx/5xx reply carries an enhanced
status code, nothing internal leaks (traceback, exception names, paths), and the next example's
connection proves the server lives; memory growth is bounded over the run.
"""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.mss.client import xoauth2
from tests.hostile.mail_wire import (HOSTILE, LEAKS, HalfClosingClient, MemoryWatch, context_of, mail_bench,  # noqa: F401
                                     pki, port_of, token_of)
from tests.mss.test_operator import CRIP, ERGO

REPLY = re.compile(rb"^\d{3}[ -]")
ENHANCED = re.compile(rb"^\d{3}[ -][245]\.\d{1,3}\.\d{1,3}( |$)")
CLEAR_COMMANDS = [b"EHLO dui.test", b"HELO dui.test", b"NOOP", b"RSET", b"VRFY x@y", b"EXPN list", b"HELP",
                  b"MAIL FROM:<a@b.test>", b"RCPT TO:<c@d.test>", b"DATA", b"AUTH XOAUTH2", b"AUTH PLAIN AGFiAGM=",
                  b"AUTH LOGIN", b"STARTTLS extra", b"BDAT 10", b"QUIT later"]
TLS_COMMANDS = [b"EHLO dui.test", b"NOOP", b"RSET", f"MAIL FROM:<{ERGO}>".encode(),
                f"MAIL FROM:<{ERGO}> RET=HDRS ENVID=abc SIZE=100 BODY=8BITMIME".encode(),
                f"RCPT TO:<{CRIP}>".encode(), f"RCPT TO:<{CRIP}> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;{CRIP}".encode(),
                b"RCPT TO:<juge@justice.example>", b"RCPT TO:<123@patient.mssante.fr>", b"DATA",
                b"Subject: x\r\nX-MSS-NIL: DEV\r\n\r\nbody\r\n.", b"AUTH XOAUTH2 =", b"STARTTLS", b"VRFY " + CRIP.encode()]


def _mutate(draw, line: bytes) -> bytes:
    kind = draw(st.sampled_from(["keep", "keep", "insert", "cut", "repeat", "huge", "bytes", "eol", "utf8"]))
    if kind == "insert":
        at = draw(st.integers(0, len(line)))
        return line[:at] + draw(st.binary(min_size=1, max_size=40)) + line[at:]
    if kind == "cut":
        return line[:draw(st.integers(0, len(line)))]
    if kind == "repeat":
        return b" ".join([line] * draw(st.integers(2, 50)))
    if kind == "huge":
        return line + b" " + b"A" * draw(st.sampled_from([600, 1100, 5000, 70_000]))
    if kind == "bytes":
        return draw(st.binary(min_size=0, max_size=200))
    if kind == "eol":
        return line + draw(st.sampled_from([b"\n", b"\r", b"\r\r\n", b"\x00"]))
    if kind == "utf8":
        return line + " é€ 😀 ".encode() + b"\xff\xfe"
    return line


@st.composite
def streams(draw, commands: list[bytes]) -> bytes:
    lines = draw(st.lists(st.sampled_from(commands), min_size=1, max_size=12))
    return b"".join(_mutate(draw, line) + draw(st.sampled_from([b"\r\n"] * 6 + [b"\n", b""])) for line in lines)


def _check(answer: bytes) -> None:
    assert not LEAKS.search(answer), answer[:2000]
    for line in answer.split(b"\r\n"):
        if not line:
            continue
        assert REPLY.match(line), (line[:200], answer[:2000])
        if line[:1] in b"45" and line[:3] not in (b"334", b"354"):
            assert ENHANCED.match(line), line[:200]
        assert all(32 <= b < 127 for b in line), line[:200]


@pytest.fixture(scope="module")
def memory() -> MemoryWatch:
    return MemoryWatch()


def test_mutated_clear_text_streams(mail_bench, memory) -> None:  # noqa: F811
    port = port_of(mail_bench, "smtp")

    @HOSTILE
    @given(streams(CLEAR_COMMANDS))
    def run(stream: bytes) -> None:
        client = HalfClosingClient(port)
        try:
            assert client.read_until(rb"\r\n").startswith(b"220 ")  # the server lives
            _check(client.exchange(stream))
        finally:
            client.close()
    run()
    memory.check()


def test_mutated_streams_inside_tls_after_auth(mail_bench, pki, memory) -> None:  # noqa: F811
    port, context = port_of(mail_bench, "smtp"), context_of(pki)
    token = token_of(mail_bench, pki, ERGO, "hostile-smtp")
    auth = b"AUTH XOAUTH2 " + base64.b64encode(xoauth2(f"hostile-smtp/{ERGO}", token)) + b"\r\n"

    @HOSTILE
    @given(streams(TLS_COMMANDS))
    def run(stream: bytes) -> None:
        client = HalfClosingClient(port)
        try:
            client.read_until(rb"220 [^\r]*\r\n")
            client.sock.sendall(b"EHLO dui.test\r\nSTARTTLS\r\n")
            client.read_until(rb"\r\n220 [^\r]*\r\n")
            client.start_tls(context)
            _check(client.exchange_tls(b"EHLO dui.test\r\n" + auth + stream + b"\r\n.\r\nQUIT\r\n",
                                       (b"\r\n221 ", b"goodbye.\r\n", b"\r\n421 ")))
        finally:
            client.close()
    run()
    memory.check()
