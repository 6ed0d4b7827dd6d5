"""Reading an HTTP request body under the bench's guards (used by httpserver): a deadline per body,
bounded pieces, RFC 9112 §7.1 chunked coding with every size checked before anything is read or
allocated. A framing problem is a `FramingError(status, French message)` the server hands to the app.
"""

from __future__ import annotations

import socket
import time
from typing import Any

from simulators.core.errors import BenchError
import contextlib

_READ_PIECE = 1024 * 1024  # a lying Content-Length never makes the server allocate the whole of it up front
_CHUNK_LINE_MAX = 1024
_MAX_TRAILERS = 64
_HEX = frozenset(b"0123456789abcdefABCDEF")
_LATE = "délai de réception de la requête dépassé"

class FramingError(BenchError):
    """The body cannot be read as HTTP/1.1 frames it (or not in time, or not within the limit)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class TimedReader:
    """Reads the body with the socket timeout set to what is left of the body deadline, so a client
    that stalls gets a clean 408 (a timed-out TLS read leaves the TLS session usable for the answer)."""

    def __init__(self, rfile: Any, sock: socket.socket, deadline: float) -> None:
        self._rfile = rfile
        self._sock = sock
        self._deadline = deadline
        self._timed = False

    def _arm(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise FramingError(408, _LATE)
        self._sock.settimeout(left)
        self._timed = True

    def read(self, size: int) -> bytes:
        return self._before_deadline(self._rfile.read1, size)

    def readline(self, limit: int) -> bytes:
        return self._before_deadline(self._rfile.readline, limit)

    def _before_deadline(self, call: Any, size: int) -> bytes:
        self._arm()
        try:
            return call(size)
        except TimeoutError:
            raise FramingError(408, _LATE) from None

    def restore(self, timeout_s: float) -> None:
        if self._timed:
            with contextlib.suppress(OSError):
                self._sock.settimeout(timeout_s)


def read_exact(rfile: Any, length: int) -> bytes:
    parts: list[bytes] = []
    left = length
    while left > 0:
        piece = rfile.read(min(left, _READ_PIECE))
        if not piece:
            raise FramingError(400, f"corps de requête incomplet : {length - left} octets reçus sur {length} annoncés")
        parts.append(piece)
        left -= len(piece)
    return b"".join(parts)


def read_chunked(rfile: Any, limit: int) -> bytes:
    """RFC 9112 §7.1 chunked coding, with every size checked before anything is read or allocated."""
    parts: list[bytes] = []
    total = 0
    while True:
        line = rfile.readline(_CHUNK_LINE_MAX)
        if not line.endswith(b"\n"):
            raise FramingError(400, "codage chunked invalide : ligne de taille de segment absente ou trop longue")
        size_text = line.split(b";", 1)[0].strip()
        if not size_text or len(size_text) > 16 or not set(size_text) <= _HEX:
            raise FramingError(400, "codage chunked invalide : taille de segment illisible")
        size = int(size_text, 16)
        if size == 0:
            break
        total += size
        if total > limit:
            raise FramingError(413, f"requête trop volumineuse (limite {limit} octets)")
        parts.append(read_exact(rfile, size))
        if read_exact(rfile, 2) != b"\r\n":
            raise FramingError(400, "codage chunked invalide : fin de segment attendue")
    for _ in range(_MAX_TRAILERS):
        line = rfile.readline(_CHUNK_LINE_MAX)
        if line in (b"\r\n", b"\n"):
            return b"".join(parts)
        if not line.endswith(b"\n"):
            break
    raise FramingError(400, "codage chunked invalide : fin du corps attendue")
