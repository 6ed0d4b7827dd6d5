"""pymap's IMAP connection, hardened at the byte level: what a hostile or clumsy client sends on the wire.

- STARTTLS: bytes the client pipelined after `STARTTLS` in clear text are discarded before the
  handshake (RFC 9051 §11.1, RFC 3207 §4.2 for SMTP; the CVE-2011-0411 class of injection);
- a command line longer than the stream limit (64 KB) is read to its end and discarded, then answered
  `BAD [TOOBIG]` with the client's tag; nothing is buffered beyond the limit;
- literal sizes are checked before reading: before authentication a literal (LITERAL+ or
  synchronising) may not exceed `PREAUTH_LITERAL_LIMIT`, after it the operator's message size limit
  (APPENDLIMIT). A too big LITERAL+ is refused and the connection closed, since its bytes are already
  on their way and the stream cannot be resynchronised; a too big synchronising literal gets `NO
  [TOOBIG]` without the continuation, so the client never sends it;
- a command the parser cannot handle (deep nesting exhausting the recursion limit, any parser bug)
  gets a tagged `BAD`, never pymap's `BYE [SERVERBUG]`.
"""

from __future__ import annotations

import asyncio
import binascii
import re
from base64 import b64decode, b64encode
from contextvars import ContextVar
from typing import Any

from pymap.context import current_command
from pysasl.exception import AuthenticationError
from pymap.imap import IMAPConnection
from pymap.parsing.response import ResponseContinuation
from pysasl.mechanism import ChallengeResponse, ServerChallenge
from pymap.imap.state import ConnectionState
from pymap.parsing import Params
from pymap.parsing.command import Command
from pymap.parsing.exceptions import NotParseable
from pymap.parsing.state import ParsingInterrupt, ParsingState

from simulators.core.errors import BenchError

PREAUTH_LITERAL_LIMIT = 8192  # a LOGIN or SASL literal; RFC 7888 §4 lets a server bound literals
DISCARD_LIMIT = 64 * 1024 * 1024  # an endless line is cut after this many discarded bytes
_TAG = re.compile(rb"[A-Za-z0-9.\-_:/]{1,64}(?= )")
_LITERAL_AT_END = re.compile(rb"~?\{(\d{1,20})(\+?)\}\r?\n\Z")

current_connection: ContextVar[MssIMAPConnection] = ContextVar("mss_imap_connection")


class LineRefused(BenchError):
    """A command line refused before parsing; answered with the client's tag."""

    def __init__(self, line: bytes, text: bytes, code: bytes = b"", *, bad: bool = True, close: bool = False) -> None:
        super().__init__(text.decode("ascii", "replace"))
        match = _TAG.match(line)
        self.tag = match.group(0) if match else b"*"
        self.text, self.code, self.bad, self.close = text, code, bad, close


class RefusedCommand(Command):
    """What `read_command` returns for a refused line; `MssConnectionState.do_command` answers it."""

    command = b"[REFUSED]"

    def __init__(self, refusal: LineRefused) -> None:
        super().__init__(refusal.tag)
        self.refusal = refusal

    @classmethod
    def parse(cls, buf: memoryview, params: Params) -> tuple[Command, memoryview]:
        raise NotImplementedError


def _is_authenticated(state: ConnectionState) -> bool:
    return getattr(state, "_session", None) is not None


class MssIMAPConnection(IMAPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.state: ConnectionState | None = None
        self.max_literal = self.params.max_append_len or 25 * 1024 * 1024

    def _literal_limit(self) -> int:
        return self.max_literal if self.state is not None and _is_authenticated(self.state) \
            else PREAUTH_LITERAL_LIMIT

    async def _bounded_line(self) -> bytes:
        """One line up to the reader's limit; a longer one is discarded chunk by chunk and refused."""
        try:
            return await self.reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as exc:
            raise EOFError from exc
        except asyncio.LimitOverrunError as exc:
            head = await self.reader.readexactly(exc.consumed)
        discarded = len(head)
        while True:
            try:
                discarded += len(await self.reader.readuntil(b"\n"))
                break
            except asyncio.IncompleteReadError as exc:
                raise EOFError from exc
            except asyncio.LimitOverrunError as exc:
                discarded += len(await self.reader.readexactly(exc.consumed))
                if discarded > DISCARD_LIMIT:
                    raise LineRefused(head, b"Command line too long.", b"TOOBIG", close=True) from None
        raise LineRefused(head, b"Command line too long.", b"TOOBIG")

    async def readline(self) -> memoryview:
        buf = bytearray(await self._bounded_line())
        while True:
            match = _LITERAL_AT_END.search(buf)
            if match is None or match.group(2) != b"+":
                return memoryview(buf)
            length = int(match.group(1))
            if length > self._literal_limit():
                raise LineRefused(bytes(buf), b"Literal too big.", b"TOOBIG", close=True)
            buf += await self.reader.readexactly(length)
            buf += await self._bounded_line()
            if len(buf) > self.max_literal + PREAUTH_LITERAL_LIMIT:
                raise LineRefused(bytes(buf[:80]), b"Command too big.", b"TOOBIG", close=True)

    async def read_command(self, state: ConnectionState) -> Command:
        self.state = state
        try:
            line = await self.readline()
        except LineRefused as refusal:
            return RefusedCommand(refusal)
        conts: list[memoryview] = []
        while True:
            params = self.params.copy(ParsingState(continuations=conts))
            try:
                cmd, _ = self.commands.parse(line, params)
            except ParsingInterrupt as interrupt:
                length = interrupt.expected.literal_length  # type: ignore[attr-defined]
                if length > self._literal_limit():
                    return RefusedCommand(LineRefused(bytes(line), b"Literal too big.", b"TOOBIG", bad=False))
                try:
                    await self._interrupt(state, interrupt, conts)
                except LineRefused as refusal:
                    return RefusedCommand(refusal)
            except (RecursionError, NotParseable, ValueError, TypeError, IndexError, KeyError):
                return RefusedCommand(LineRefused(bytes(line), b"Command too complex or malformed."))
            else:
                return cmd

    async def authenticate(self, state: ConnectionState, mech_name: bytes) -> Any:
        """pymap's SASL exchange, starting from the SASL-IR initial response when the client sent one."""
        initial = getattr(current_command.get(None), "initial", None)
        if initial is None:
            return await super().authenticate(state, mech_name)
        mech = state.auth.get_server(mech_name)
        if not mech:
            return None
        try:
            responses = [ChallengeResponse(b"", b"" if initial == b"=" else b64decode(initial, validate=True))]
        except binascii.Error as exc:
            raise AuthenticationError("Invalid base64 initial response.") from exc
        while True:
            try:
                creds, _ = mech.server_attempt(responses)
                return creds
            except ServerChallenge as challenge:
                await self.write_response(ResponseContinuation(b64encode(challenge.data)))
                answer = bytes(await self.read_continuation(0)).rstrip(b"\r\n")
                if answer == b"*":
                    raise AuthenticationError("Authentication canceled.") from None
                try:
                    responses.append(ChallengeResponse(challenge.data, b64decode(answer, validate=True)))
                except binascii.Error as exc:
                    raise AuthenticationError("Invalid base64 response.") from exc

    async def start_tls(self) -> None:
        """Forget whatever arrived in clear after STARTTLS: it must not run inside the TLS session."""
        self.reader._buffer.clear()  # type: ignore[attr-defined]
        await super().start_tls()
