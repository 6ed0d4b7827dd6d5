"""Raw-socket IMAP and SMTP sessions for tests that must control every byte a client sends."""

from __future__ import annotations

import base64
import re
import socket
import ssl

from simulators.mss.client import xoauth2
import contextlib


class RawImap:
    """A line-level IMAP client: `send` raw bytes, `until(tag)` reads to the tagged answer."""

    def __init__(self, port: int, context: ssl.SSLContext, timeout: float = 20.0) -> None:
        self.context = context
        self.sock: socket.socket | ssl.SSLSocket = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        self.greeting = self.line()

    def line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(self.buffer)
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def until(self, tag: bytes) -> list[bytes]:
        lines = []
        while True:
            line = self.line()
            lines.append(line)
            if line.startswith(tag + b" "):
                return lines

    def command(self, tag: bytes, text: bytes) -> list[bytes]:
        self.send(tag + b" " + text + b"\r\n")
        return self.until(tag)

    def starttls(self) -> None:
        assert self.command(b"T0", b"STARTTLS")[-1].startswith(b"T0 OK")
        self.sock = self.context.wrap_socket(self.sock, server_hostname="localhost")
        self.buffer = b""

    def login(self, user: str, token: str) -> None:
        self.starttls()
        self.send(b"A0 AUTHENTICATE XOAUTH2\r\n")
        assert self.line().startswith(b"+")
        self.send(base64.b64encode(xoauth2(user, token)) + b"\r\n")
        answer = self.until(b"A0")
        assert answer[-1].startswith(b"A0 OK"), answer

    def closed(self) -> bool:
        try:
            self.sock.settimeout(5)
            while True:
                if not self.sock.recv(65536):
                    return True
        except (ConnectionError, ssl.SSLError, OSError):
            return True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class RawSmtp:
    def __init__(self, port: int, context: ssl.SSLContext, timeout: float = 20.0) -> None:
        self.context = context
        self.sock: socket.socket | ssl.SSLSocket = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        self.greeting = self.reply()

    def reply(self) -> list[bytes]:
        """One (possibly multi-line) reply."""
        lines = []
        while True:
            while b"\r\n" not in self.buffer:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise EOFError(self.buffer)
                self.buffer += chunk
            line, _, self.buffer = self.buffer.partition(b"\r\n")
            lines.append(line)
            if not re.match(rb"^\d{3}-", line):
                return lines

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def command(self, text: bytes) -> list[bytes]:
        self.send(text + b"\r\n")
        return self.reply()

    def starttls(self) -> None:
        self.command(b"EHLO dui.test")
        assert self.command(b"STARTTLS")[0].startswith(b"220")
        self.sock = self.context.wrap_socket(self.sock, server_hostname="localhost")
        self.buffer = b""

    def login(self, user: str, token: str) -> None:
        self.starttls()
        self.command(b"EHLO dui.test")
        answer = self.command(b"AUTH XOAUTH2 " + base64.b64encode(xoauth2(user, token)))
        assert answer[0].startswith(b"235"), answer

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
