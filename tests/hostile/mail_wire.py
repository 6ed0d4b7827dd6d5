"""Shared pieces of the SMTP and IMAP hostile suites: one TLS bench, a half-closing client, leak checks.

In clear text the client writes a whole (mutated) stream then half-closes its side of the TCP
connection, so the server sees end-of-input wherever the stream left it (inside DATA, waiting for a
literal...) and the test reads every reply up to the server's close. Inside TLS (memory-BIO client)
the stream is followed by a closing command whose answer ends the reading (`exchange_tls`).
"""

from __future__ import annotations

import os
import re
import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlparse

import psutil
import pytest
from hypothesis import HealthCheck, settings

from simulators.core.bench import Bench
from simulators.core.pki.testing import pki_fixture
from simulators.core.tls import client_context
from simulators.mss.factory import SERVICE as MSS
from simulators.mss.client import get_token
from tests.conftest import make_config

EXAMPLES = int(os.environ.get("SOCLE_HOSTILE_EXAMPLES", "300"))
HOSTILE = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))
MEMORY_GROWTH_LIMIT = 256 * 1024 * 1024
READ_TIMEOUT_S = float(os.environ.get("SOCLE_HOSTILE_READ_TIMEOUT", "30"))  # only a hung server reaches it: a failure either way
LEAKS = re.compile(rb"Traceback|File \"|\.py\b|Error: \(|Exception|TypeError|ValueError|KeyError|AttributeError|"
                   rb"IndexError|RecursionError|AssertionError|SERVERBUG|sqlalchemy|sqlite|/work/|site-packages")

pki = pki_fixture(key_type="ec-p256")


@pytest.fixture(scope="module")
def mail_bench(tmp_path_factory: pytest.TempPathFactory, pki) -> Iterator[Bench]:
    config = make_config(tmp_path_factory.mktemp("hostile-mail"), tls=True,
                         services={"mss": {"max_message_bytes": 1_000_000, "max_recipients": 20}})
    with Bench(config, [MSS], pki=pki) as bench:
        yield bench


def port_of(bench: Bench, name: str) -> int:
    return int(urlparse(bench.url(name)).port or 0)


def token_of(bench: Bench, pki, address: str, session: str) -> str:
    psc = bench.url("psc").split("/auth/")[0]
    return get_token(psc, address, session=session, verify=str(pki.root_path)).access_token


class HalfClosingClient:
    """Plain TCP, optionally upgraded to TLS through a memory BIO after a clear-text prelude."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT_S)
        self.tls: ssl.SSLObject | None = None
        self._in = ssl.MemoryBIO()
        self._out = ssl.MemoryBIO()
        self.received = bytearray()

    def read_until(self, pattern: bytes) -> bytes:
        """Clear-text prelude only (greeting, STARTTLS answer)."""
        while not re.search(pattern, self.received):
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(bytes(self.received))
            self.received += chunk
        data, self.received = bytes(self.received), bytearray()
        return data

    def start_tls(self, context: ssl.SSLContext) -> None:
        self.tls = context.wrap_bio(self._in, self._out, server_hostname="localhost")
        while True:
            try:
                self.tls.do_handshake()
                self._flush()
                return
            except ssl.SSLWantReadError:
                self._flush()
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise EOFError("closed during the TLS handshake") from None
                self._in.write(chunk)

    def _flush(self) -> None:
        data = self._out.read()
        if data:
            self.sock.sendall(data)

    def send(self, data: bytes) -> None:
        if self.tls is None:
            self.sock.sendall(data)
            return
        for start in range(0, len(data), 16384):
            self.tls.write(data[start:start + 16384])
            self._flush()

    def exchange(self, data: bytes) -> bytes:
        """Send, half-close, and return everything the server answered before closing (TLS decrypted)."""
        try:
            self.send(data)
            self.sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server already refused and closed: what it said is still readable
        answer = bytearray(self.received)
        while True:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if self.tls is None:
                if not chunk:
                    break
                answer += chunk
                continue
            if chunk:
                self._in.write(chunk)
            else:
                self._in.write_eof()
            try:
                while piece := self.tls.read(65536):
                    answer += piece
            except ssl.SSLWantReadError:
                pass
            except (ssl.SSLEOFError, ssl.SSLZeroReturnError, ssl.SSLError):
                break
            if not chunk:
                break
        return bytes(answer)

    def exchange_tls(self, data: bytes, done: tuple[bytes, ...], quiet_s: float = 2.0) -> bytes:
        """Inside TLS (asyncio drops what a TLS server still had to write once the client half-closes):
        send, then read until one of `done` (the answer to a final command, a goodbye; a TLS server that
        closes waits for our close_notify), the server's close, or `quiet_s`
        without a byte, which only happens when the stream left the server waiting for more input
        (an announced literal); the next example's connection then shows the server still lives."""
        assert self.tls is not None
        try:
            self.send(data)
        except (BrokenPipeError, ConnectionResetError):
            return b""
        answer = bytearray()
        self.sock.settimeout(quiet_s)
        while not any(marker in answer for marker in done):
            try:
                chunk = self.sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            self._in.write(chunk)
            try:
                while piece := self.tls.read(65536):
                    answer += piece
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError:
                break
        return bytes(answer)

    def close(self) -> None:
        self.sock.close()


class MemoryWatch:
    def __init__(self) -> None:
        self.process = psutil.Process()
        self.start = self.process.memory_info().rss

    def check(self) -> int:
        growth = self.process.memory_info().rss - self.start
        assert growth < MEMORY_GROWTH_LIMIT, f"memory grew by {growth // 1024 // 1024} MB"
        return growth


def context_of(pki) -> ssl.SSLContext:
    return client_context(pki)
