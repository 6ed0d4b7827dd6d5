"""aiosmtpd's SMTP protocol, adjusted for an MSSanté operator.

- RFC 3461 parameters (RET, ENVID on MAIL; NOTIFY, ORCPT on RCPT) are taken out before aiosmtpd,
  which refuses unknown parameters, parses the command;
- a cleartext AUTH is journalled before aiosmtpd refuses it (538), for the conformance checks;
- DATA is read in chunks (smtp_data.py);
- recipients refused at RCPT time are journalled when the transaction ends without DATA; they get no
  failure DSN: the 5xx reply to RCPT already told the client, a DSN would tell it twice;
- every reply is ASCII and carries an enhanced status code (smtp_replies.py), except the greeting,
  the EHLO reply and 334/354;
- a line ending in a bare LF (RFC 5321 §2.3.8) is refused `500 5.5.2`, in commands and in DATA;
- PIPELINING is advertised (aiosmtpd reads commands from one buffered stream, so it works).
The handler (`smtp.MssSmtpHandler`) provides `_record` and `flush_refusals`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import re
import time
from typing import Any

from aiosmtpd.smtp import MISSING, SMTP

from simulators.core.errors import BenchError
from .auth import AuthError, Principal, claimed_session, parse_oauthbearer, parse_xoauth2
from ..model import RecipientOutcome
from .smtp_data import read_data
from .smtp_replies import ascii_text, enhance

# `<local@domain>` made of dot-atoms over a subset of atext, then nothing or one space and parameters: what
# aiosmtpd's `_getaddr` (email's RFC 5322 token parser, ~1 ms a command) returns for it is the text itself.
_ATOM = r"[A-Za-z0-9_+-]+"
_SIMPLE_ADDRESS = re.compile(rf"<({_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*)>(?: ([^\s(].*))?", re.DOTALL)
BARE_LF_REPLY = "500 5.5.2 LF nu refuse : les lignes SMTP se terminent par CRLF (RFC 5321 section 2.3.8)"


class BareLineFeed(BenchError):
    """A command line ended with LF alone; answered by the handler's `handle_exception`."""


class CrlfStreamReader(asyncio.StreamReader):
    """The command reader of an SMTP connection: a line must end with CRLF (RFC 5321 §2.3.8)."""

    async def readuntil(self, separator: bytes = b"\n") -> bytes:  # type: ignore[override]  # typeshed: any sized buffer; asyncio and aiosmtpd pass bytes
        line = await super().readuntil(separator)
        if separator == b"\n" and not line.endswith(b"\r\n"):
            raise BareLineFeed
        return line


def _split_params(arg: str | None, names: tuple[str, ...]) -> tuple[str | None, dict[str, str]]:
    if not arg:
        return arg, {}
    kept, found = [], {}
    for index, token in enumerate(arg.split(" ")):
        key, _, value = token.partition("=")
        if index > 0 and key.upper() in names:
            found[key.upper()] = value
        else:
            kept.append(token)
    return " ".join(kept), found


def _claimed(mechanism: str, initial: str) -> str | None:
    """The session a cleartext attempt named, so the refusal lands in the vendor's session journal."""
    try:
        blob = base64.b64decode(initial.strip(), validate=True)
        user, token = parse_xoauth2(blob) if mechanism == "XOAUTH2" else parse_oauthbearer(blob)
    except (AuthError, binascii.Error, ValueError):
        return None
    return claimed_session(user, token)


class MssSMTP(SMTP):
    """aiosmtpd SMTP with the RFC 3461 parameters and end-of-transaction DSN for RCPT refusals.

    Lines may be 4096 bytes (a SASL initial response with a PSC JWT exceeds RFC 5321's 512/1000);
    the command size limits are per connection (aiosmtpd keeps them in a class-level dict).
    """

    line_length_limit = 4096

    def __init__(self, handler: Any, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        # same object aiosmtpd feeds, stricter readuntil (asyncio.StreamReaderProtocol's private reader: not in typeshed)
        self._stream_reader.__class__ = CrlfStreamReader  # type: ignore[attr-defined]
        self._raw_replies = True  # the greeting: no enhanced code (RFC 2034 §3)
        self._in_ehlo = False
        self.command_size_limits = collections.defaultdict(lambda: self.command_size_limit, {"AUTH": 4096})
        self.principal: Principal | None = None
        self.mail_params: dict[str, str] = {}
        self.rcpt_params: dict[str, dict[str, str]] = {}
        self.refused: list[RecipientOutcome] = []
        self.accepted: list[RecipientOutcome] = []
        self._pending_rcpt: dict[str, str] = {}
        self.transaction_started = 0.0

    async def push(self, status: Any) -> None:
        if isinstance(status, bytes):
            status = status.decode("utf-8", "replace")
        status = ascii_text(status) if self._raw_replies or self._in_ehlo else enhance(status)
        self._raw_replies = False
        await super().push(status)

    async def smtp_EHLO(self, hostname: str) -> None:
        """The EHLO reply lines carry no enhanced code (RFC 2034 §3); aiosmtpd pushes them one by one."""
        if not hostname:
            await self.push("501 Syntax: EHLO hostname")
            return
        self._in_ehlo = True
        try:
            await super().smtp_EHLO(hostname)
        finally:
            self._in_ehlo = False

    async def smtp_STARTTLS(self, arg: str) -> None:
        """A second STARTTLS inside TLS is refused (aiosmtpd would nest a TLS layer, which asyncio then
        fails to tear down on a half-closed connection: the session hung)."""
        if self._tls_protocol is not None:
            await self.push("554 5.5.1 TLS deja actif")
            return
        await super().smtp_STARTTLS(arg)

    async def smtp_AUTH(self, arg: str) -> None:
        if self._tls_protocol is None:  # refused by aiosmtpd (530/538) before any hook: journal it here
            mechanism, _, initial = (arg or "").partition(" ")
            self.event_handler._record(self, "auth", 538, "538 STARTTLS obligatoire avant AUTH",
                                       started=time.time(), session=_claimed(mechanism.upper(), initial),
                                       summary={"mechanism": mechanism.upper(), "accepted": False,
                                                "reason": "cleartext", "tls": False})
        await super().smtp_AUTH(arg)

    async def smtp_DATA(self, arg: str) -> None:
        """aiosmtpd's checks, then the chunked reader of smtp_data.py (aiosmtpd reads line by line)."""
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        envelope = self.envelope
        assert envelope is not None, "aiosmtpd creates the envelope at HELO/EHLO"
        if not envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        result = await read_data(self._reader, size_limit=self.data_size_limit, line_limit=self.line_length_limit)
        if result.error:
            reply = enhance(result.error)
            self.event_handler._record(self, "send", int(reply[:3]), reply, started=self.transaction_started
                                       or time.time(), summary={"refused_data": reply[4:]})
            self._set_post_data_state()
            await self.push(reply)
            return
        envelope.content = envelope.original_content = result.content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)

    async def smtp_MAIL(self, arg: str | None) -> None:
        arg, self.mail_params = _split_params(arg, ("RET", "ENVID"))
        self.transaction_started = time.time()
        await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg: str | None) -> None:
        arg, params = _split_params(arg, ("NOTIFY", "ORCPT"))
        self._pending_rcpt = params
        await super().smtp_RCPT(arg)

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd's address parser, with a fast path for the plain `<local@domain> PARAMS` a DUI sends."""
        simple = _SIMPLE_ADDRESS.fullmatch(arg) if arg else None
        if simple is None:
            return super()._getaddr(arg)
        address = simple[1]
        if self.local_part_limit and len(address.rpartition("@")[0]) > self.local_part_limit:
            return None, None
        return address, simple[2] or ""

    def _set_post_data_state(self) -> None:
        if getattr(self, "refused", None) and getattr(self, "principal", None) is not None \
                and getattr(self, "envelope", None) is not None:
            self.event_handler.flush_refusals(self)
        self.refused = []
        self.accepted = []
        self.rcpt_params = {}
        super()._set_post_data_state()

    def connection_lost(self, error: Exception | None) -> None:
        if self.refused and self.principal is not None:
            self.event_handler.flush_refusals(self)
            self.refused = []
        super().connection_lost(error)
