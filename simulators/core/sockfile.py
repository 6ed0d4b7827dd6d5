"""Socket reader and writer for the bench's cheroot connections, in place of cheroot's own.

cheroot builds its connection files on `_pyio` (the pure-Python io module: every `readline` of the
request line and of each header goes through several Python-level buffer calls) and writes the
response headers and the body in two sends (two TLS records, two system calls). These two classes do
the same job with one `bytes.find` per line and one send per response:

- `SocketReader`: `readline`, `read`, `read1` and `has_data` over one bytes buffer filled by
  `sock.recv` (timeouts and resets raise as they do from the socket: cheroot and the body reader
  already handle them);
- `SocketWriter`: `write` sends at once, unless the writer is corked (`cork()` ... `uncork()`, around
  one response): then the first write (the status line and headers) waits for the second (the first
  body chunk) and both leave in one send.
"""

from __future__ import annotations

import socket
from typing import Any

RECV_BYTES = 65536


class SocketReader:
    """What cheroot and `httpbody` read a connection through (binary, blocking with a timeout)."""

    def __init__(self, sock: socket.socket, mode: str = "rb", bufsize: int = RECV_BYTES) -> None:
        self._sock = sock
        self._buf = b""
        self._pos = 0
        self.bytes_read = 0
        self.closed = False

    def has_data(self) -> bool:
        """Bytes already received and not yet read (the next request of a keep-alive client)."""
        return self._pos < len(self._buf)

    def _fill(self) -> bool:
        """Receive more; False at end of stream. What was read is dropped from the buffer first."""
        data = self._sock.recv(RECV_BYTES)
        if not data:
            return False
        self._buf = self._buf[self._pos:] + data if self._pos < len(self._buf) else data
        self._pos = 0
        return True

    def _take(self, end: int) -> bytes:
        data = self._buf[self._pos:end]
        self._pos = end
        self.bytes_read += len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        """Up to and including the next LF, at most `size` bytes (all that is left at end of stream)."""
        limit = -1 if size is None else size
        while True:
            end = self._buf.find(b"\n", self._pos)
            if end >= 0 and (limit < 0 or end + 1 - self._pos <= limit):
                return self._take(end + 1)
            if limit >= 0 and len(self._buf) - self._pos >= limit:
                return self._take(self._pos + limit)
            if not self._fill():
                return self._take(len(self._buf))

    def read(self, size: int | None = -1) -> bytes:
        """Exactly `size` bytes, fewer only at end of stream; everything up to the end when size < 0."""
        wanted = -1 if size is None else size
        while wanted < 0 or len(self._buf) - self._pos < wanted:
            if not self._fill():
                break
        end = len(self._buf) if wanted < 0 else min(len(self._buf), self._pos + wanted)
        return self._take(end)

    def read1(self, size: int = -1) -> bytes:
        """What is buffered (up to `size`), else what one receive brings."""
        if self._pos >= len(self._buf) and not self._fill():
            return b""
        end = len(self._buf) if size < 0 else min(len(self._buf), self._pos + size)
        return self._take(end)

    def close(self) -> None:
        self.closed = True
        self._buf = b""
        self._pos = 0


class SocketWriter:
    """Writes to the connection. Corked, the first write (cheroot's status line and headers, written
    just before the first body chunk) is held and leaves with the next one in one send; everything
    after goes straight out, so a streamed answer (the dashboard's event stream) is never held."""

    def __init__(self, sock: socket.socket, mode: str = "wb", bufsize: int = 0) -> None:
        self._sock = sock
        self._held: bytes | None = None
        self._corked = False
        self.bytes_written = 0
        self.closed = False

    def write(self, data: Any) -> int:
        if isinstance(data, str):
            raise TypeError("can't write str to binary stream")
        chunk = bytes(data)
        if self._corked:
            if self._held is None:
                self._held = chunk
                return len(chunk)
            self._corked = False
            chunk, self._held = self._held + chunk, None
            self._send(chunk)
            return len(data)
        self._send(chunk)
        return len(chunk)

    def _send(self, chunk: bytes) -> None:
        if chunk:
            self._sock.sendall(chunk)
            self.bytes_written += len(chunk)

    def cork(self) -> None:
        self._corked, self._held = True, None

    def uncork(self) -> None:
        """Send what is held (headers of an answer without body) and write through again."""
        held, self._held, self._corked = self._held, None, False
        if held:
            self._send(held)

    def discard(self) -> None:
        """Forget what is held and write through again."""
        self._held, self._corked = None, False

    def flush(self) -> None:
        self.uncork()

    def close(self) -> None:
        self.closed = True
        self._held, self._corked = None, False


def make_file(sock: socket.socket, mode: str = "r", bufsize: int = RECV_BYTES) -> SocketReader | SocketWriter:
    """cheroot's `makefile` signature: a reader for "r" modes, a writer otherwise."""
    return SocketReader(sock, mode, bufsize) if "r" in mode else SocketWriter(sock, mode, bufsize)
