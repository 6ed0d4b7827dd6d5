"""Raw-socket clients for the hostile suite: what a broken or malicious client puts on the wire."""

from __future__ import annotations

import re
import socket
import ssl

# What must never reach a client: tracebacks, Python exception class names, source paths, library names.
LEAKS = re.compile(rb"Traceback|File \"|\.py\b|site-packages|/work/|/usr/lib|/tmp/|\b(?:Value|Key|Type|Attribute|"
                   rb"Index|Lookup|Runtime|Recursion|Assertion|Overflow|ZeroDivision|UnicodeDecode|UnicodeEncode|"
                   rb"Name|Import|NotImplemented|XMLSyntax|Parse|Integrity|Operational|Programming|Memory)Error\b|"
                   rb"\bException\b|lxml|sqlalchemy|werkzeug|cheroot|flask|<class '|object at 0x")


def connect(host: str, port: int, tls: ssl.SSLContext | None, timeout: float = 15.0) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=timeout)
    if tls is not None:
        sock = tls.wrap_socket(sock, server_hostname="localhost")
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (or the socket timeout)."""
    chunks = []
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    except (TimeoutError, ssl.SSLError, ConnectionError):
        pass
    return b"".join(chunks)


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response with a Content-Length (what every bench answer carries)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError(f"closed before a full response head: {buf[:200]!r}")
        buf += data
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        data = sock.recv(65536)
        if not data:
            break
        body += data
    return status, headers, body


def status_of(raw: bytes) -> int:
    match = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    return int(match.group(1)) if match else 0
