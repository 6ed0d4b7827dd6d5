"""Hostile IMAP: generated mutations of command streams, before login and inside TLS after XOAUTH2.

Seeded (derandomised) hypothesis; `SOCLE_HOSTILE_EXAMPLES` examples per stage (300 by default).
Every example asserts: each of our tags is answered OK/NO/BAD only, the server never says `BYE
[SERVERBUG]`, nothing internal leaks in status lines, and the next example's connection proves the
server lives; memory growth is bounded over the run.
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
from tests.hostile.test_smtp import _mutate
from tests.mss.test_operator import CRIP

CLEAR_COMMANDS = [b"CAPABILITY", b"NOOP", b"LOGIN a b", b"LOGIN {5}", b"LOGIN {150000000+}", b"AUTHENTICATE PLAIN",
                  b"AUTHENTICATE XOAUTH2", b"ID NIL", b"STARTTLS x", b"SELECT INBOX", b"APPEND INBOX {10+}\r\n0123456789",
                  b"LOGOUT now", b"ENABLE UTF8=ACCEPT", b"SEARCH " + b"(" * 5000 + b"ALL" + b")" * 5000]
TLS_COMMANDS = [b"SELECT INBOX", b"EXAMINE Sent", b"LIST \"\" *", b"LSUB \"\" *", b"NAMESPACE", b"ENABLE CONDSTORE",
                b"STATUS INBOX (MESSAGES UIDNEXT UNSEEN)", b"CREATE a/b", b"CREATE ..", b"RENAME INBOX x",
                b"RENAME a/b c", b"DELETE c", b"SUBSCRIBE Sent", b"UNSELECT", b"CLOSE", b"EXPUNGE", b"CHECK",
                b"FETCH 1:* (FLAGS BODYSTRUCTURE ENVELOPE BODY.PEEK[HEADER])", b"UID FETCH 1:* (BODY.PEEK[1])",
                b"STORE 1 +FLAGS ($MDNSent \\Seen)", b"SEARCH OR (UNSEEN) (NOT KEYWORD $MDNSent)",
                b"SEARCH " + b"(" * 5000 + b"ALL" + b")" * 5000, b"COPY 1 Trash", b"MOVE 1 Trash",
                b"APPEND INBOX (\\Seen) {31+}\r\nSubject: f\r\n\r\nfuzzing body\r\n", b"APPEND INBOX {99999999}",
                b"IDLE", b"DONE", b"UID EXPUNGE 1:*", b"NOOP"]
TAGGED = re.compile(rb"^(T\d+) (\S+)")


@st.composite
def streams(draw, commands: list[bytes]) -> tuple[bytes, int]:
    lines = draw(st.lists(st.sampled_from(commands), min_size=1, max_size=10))
    parts = [b"T%d " % i + _mutate(draw, line) + draw(st.sampled_from([b"\r\n"] * 6 + [b"\n", b""]))
             for i, line in enumerate(lines)]
    return b"".join(parts), len(parts)


def _check(answer: bytes) -> None:
    assert b"SERVERBUG" not in answer and b"Unhandled server error" not in answer, answer[-2000:]
    for line in answer.split(b"\r\n"):
        match = TAGGED.match(line)
        if match:
            assert match.group(2) in (b"OK", b"NO", b"BAD"), line[:200]
        if line.startswith((b"* OK", b"* NO", b"* BAD", b"* BYE", b"T")) or (match is not None):
            assert not LEAKS.search(line), line[:500]


@pytest.fixture(scope="module")
def memory() -> MemoryWatch:
    return MemoryWatch()


def test_mutated_clear_text_streams(mail_bench, memory) -> None:  # noqa: F811
    port = port_of(mail_bench, "imap")

    @HOSTILE
    @given(streams(CLEAR_COMMANDS))
    def run(case: tuple[bytes, int]) -> None:
        client = HalfClosingClient(port)
        try:
            assert client.read_until(rb"\r\n").startswith(b"* OK")  # the server lives
            _check(client.exchange(case[0]))
        finally:
            client.close()
    run()
    memory.check()


def test_mutated_streams_inside_tls_after_auth(mail_bench, pki, memory) -> None:  # noqa: F811
    port, context = port_of(mail_bench, "imap"), context_of(pki)
    token = token_of(mail_bench, pki, CRIP, "hostile-imap")
    blob = base64.b64encode(xoauth2(f"hostile-imap/{CRIP}", token))

    @HOSTILE
    @given(streams(TLS_COMMANDS))
    def run(case: tuple[bytes, int]) -> None:
        client = HalfClosingClient(port)
        try:
            client.read_until(rb"\r\n")
            client.sock.sendall(b"S0 STARTTLS\r\n")
            client.read_until(rb"S0 OK[^\r]*\r\n")
            client.start_tls(context)
            client.send(b"A0 AUTHENTICATE XOAUTH2\r\n")
            answer = client.exchange_tls(blob + b"\r\n" + case[0] + b"\r\nZZ LOGOUT\r\n",
                                         (b"ZZ OK", b"* BYE"))
            assert b"A0 OK" in answer, answer[:500]
            _check(answer)
        finally:
            client.close()
    run()
    memory.check()
