"""IMAP access of the MSSanté operator: pymap over the durable store; STARTTLS, then XOAUTH2, OAUTHBEARER,
EXTERNAL (or PLAIN/LOGIN for APP boxes with a certificate).

pymap does the IMAP protocol; this module plugs in the login (same rules and session convention as
SMTP, see `auth.py`), the mailbox data (`imap_store.py`) and the journal (one `Exchange` per IMAP
command, protocol "imap", status 200 OK / 400 NO / 500 BAD). pymap lets loopback clients
authenticate before STARTTLS; the bench does not, because mss.md §2.1 makes STARTTLS mandatory and
test clients *are* on loopback. Without TLS (bench started without a PKI) no mechanism is offered.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Final

from proxyprotocol.reader import ProxyProtocolReader

from simulators.core.refusal import record_refusal
from proxyprotocol.sock import SocketInfo
from pymap.backend.session import BaseSession
from pymap.context import connection_exit
from pymap.exceptions import AuthorizationFailure, CloseConnection, InvalidAuth, ResponseError
from pymap.imap.state import ConnectionState
from pymap.interfaces.login import IdentityInterface, LoginInterface
from pymap.parsing.command import Command
from pymap.parsing.commands import InvalidCommand
from pymap.parsing.response import (CommandResponse, UntaggedResponse, ResponseBad, ResponseBye, ResponseCode, ResponseContinuation,
                                    ResponseNo, ResponseOk)
from pymap.token import AllTokens
from pymap.user import UserMetadata
from pysasl.creds.external import ExternalCredentials
from pysasl.creds.plain import PlainCredentials

from simulators.core.exchange import Caller, Exchange

from .aio import AsyncServerThread
from .auth import AuthError, MailAuthenticator, Principal, oauth_failure_challenge, split_login
from .imap_config import MssImapConfig
from .imap_extensions import special_use_attributes
from .imap_connection import LineRefused, MssIMAPConnection, RefusedCommand, current_connection
from .imap_store import DeliveryWaker, StoreMailboxSet, folder_name_refusal
from ..store import MssStore

log = logging.getLogger("socle_bench.mss.imap")
_writer: ContextVar[asyncio.StreamWriter] = ContextVar("mss_imap_writer")
_principal: ContextVar[list[Principal]] = ContextVar("mss_imap_principal")


class MssSession(BaseSession[Any]):
    def __init__(self, owner: str, config: MssImapConfig, mailbox_set: StoreMailboxSet) -> None:
        super().__init__(owner)
        self._config = config
        self._mailbox_set = mailbox_set

    @property
    def config(self) -> MssImapConfig:
        return self._config

    @property
    def mailbox_set(self) -> StoreMailboxSet:
        return self._mailbox_set

    async def list_mailboxes(self, ref_name: str, filter_: str, subscribed: bool = False,
                             selected: Any = None) -> Any:
        """pymap's LIST, with the RFC 6154 attribute of each special-use folder."""
        mailboxes, updates = await super().list_mailboxes(ref_name, filter_, subscribed=subscribed, selected=selected)
        return [(name, sep, [*attrs, *special_use_attributes(name)]) for name, sep, attrs in mailboxes], updates


class MssIdentity(IdentityInterface):
    def __init__(self, login: MssLogin, principal: Principal) -> None:
        self.login: Final = login
        self.principal = principal

    @property
    def name(self) -> str:
        return f"{self.principal.session}/{self.principal.address}"

    @property
    def roles(self) -> frozenset[str]:
        return frozenset()

    @asynccontextmanager
    async def new_session(self) -> AsyncIterator[MssSession]:
        yield MssSession(self.name, self.login.config, await self.login.mailbox_set(self.principal))

    async def new_token(self, *, expiration: datetime | None = None) -> str | None:
        return None

    async def get(self) -> UserMetadata:
        return UserMetadata(self.login.config, self.name)

    async def set(self, metadata: UserMetadata) -> int | None:
        raise AuthorizationFailure

    async def delete(self) -> None:
        raise AuthorizationFailure


class MssLogin(LoginInterface):
    def __init__(self, config: MssImapConfig, store: MssStore, authenticator: MailAuthenticator) -> None:
        self.config = config
        self.store = store
        self.auth = authenticator
        self._tokens = AllTokens(config)
        self._sets: dict[tuple[str, str], StoreMailboxSet] = {}
        self._lock = asyncio.Lock()

    @property
    def tokens(self) -> AllTokens:
        return self._tokens

    async def mailbox_set(self, principal: Principal) -> StoreMailboxSet:
        key = (principal.session, principal.address)
        async with self._lock:
            cached = self._sets.get(key)
            if cached is None or cached.generation != self.store.generations[principal.session]:
                self._sets[key] = await StoreMailboxSet(self.store, *key).load()
            return self._sets[key]

    def watches(self, session: str, address: str) -> bool:
        """Whether `forget(session, address)` would touch anything (callable from any thread: one dict
        lookup; a set loaded after this answer reads the store afresh anyway)."""
        return address == "*" or (session, address) in self._sets

    def forget(self, session: str, address: str) -> None:
        for key in [k for k in self._sets if k[0] == session and address in ("*", k[1])]:
            if address == "*":
                self._sets.pop(key, None)
            else:
                for mbx in [self._sets[key]._inbox, *self._sets[key]._set.values()]:
                    mbx._updated.set()

    async def authenticate(self, credentials: Any) -> MssIdentity:
        writer = _writer.get(None)
        ssl_obj = writer.get_extra_info("ssl_object") if writer is not None else None
        tls = ssl_obj is not None
        plain = isinstance(credentials, PlainCredentials)  # LOGIN or PLAIN: APP boxes, certificate decides
        if not plain and not isinstance(credentials, ExternalCredentials):
            raise InvalidAuth("mécanisme non accepté")
        token = None if plain else credentials._token  # pysasl keeps the bearer token private
        try:
            if plain:
                der = ssl_obj.getpeercert(binary_form=True) if ssl_obj is not None else None
                principal = await asyncio.to_thread(self.auth.certificate, credentials.authcid, der, tls=tls)
                principal.method = "PLAIN"
            elif token:
                principal = await asyncio.to_thread(self.auth.bearer, credentials.authzid, token,
                                                    method="XOAUTH2/OAUTHBEARER", tls=tls)
            else:
                der = ssl_obj.getpeercert(binary_form=True) if ssl_obj is not None else None
                principal = await asyncio.to_thread(self.auth.certificate, credentials.authzid, der, tls=tls)
        except Exception as exc:
            if not isinstance(exc, AuthError):
                log.info("IMAP login refused on an unexpected verification error: %r", exc)
                exc = AuthError("invalid", "jeton ou certificat invalide")
            if token:
                await self._error_challenge(exc.reason)
            slot = _principal.get(None)
            if slot is not None:
                slot.append(Principal(exc.session or "default", "", "", "refused", Caller(kind="imap", attributes={
                    "reason": exc.reason, "message": str(exc)})))
            raise InvalidAuth(f"Authentification refusee : {exc}") from exc
        slot = _principal.get(None)
        if slot is not None:
            slot.append(principal)
        return MssIdentity(self, principal)

    @staticmethod
    async def _error_challenge(reason: str) -> None:
        """RFC 7628 §3.2.2: a failed bearer gets a continuation with the JSON error, the client answers
        (a dummy `^A`), then the tagged NO."""
        conn = current_connection.get(None)
        if conn is None:
            return
        challenge = base64.b64encode(oauth_failure_challenge(reason))
        await conn.write_response(ResponseContinuation(challenge))
        with suppress(LineRefused):
            await conn.read_continuation(0)

    async def authorize(self, authenticated: IdentityInterface, authzid: str) -> IdentityInterface:
        return authenticated


def _claimed_session(creds: Any) -> str | None:
    """The bench session named in a login ("<session>/<address>"), read from the SASL credentials."""
    for attribute in ("authzid", "authcid"):
        try:
            value = getattr(creds, attribute, "") or ""
        except Exception:  # noqa: BLE001 - a credentials object that cannot say
            value = ""
        session, _ = split_login(value if isinstance(value, str) else "")
        if session:
            return session
    return None


class MssConnectionState(ConnectionState):
    """Journals every command; keeps the pre-STARTTLS mechanism list even for loopback clients."""

    def __init__(self, login: MssLogin, config: MssImapConfig, journal: Any) -> None:
        super().__init__(login, config)
        self.journal = journal
        self.principals: list[Principal] = []
        self.auth_recorded = False
        self.pending: list[Exchange] = []  # commands before the login: journaled in the session the login names

    async def do_greeting(self) -> CommandResponse:
        return ResponseOk(b"*", self.config.greeting, self.capability)

    def record(self, command: str, status: int, started: float, summary: dict[str, Any],
               session: str | None = None) -> None:
        principal = next((p for p in reversed(self.principals) if p.address), None)
        if status >= 400:  # IMAP NO / BAD: the refusal, for the conformance engine
            code = f"imap.auth.{summary.get('reason') or 'refused'}" if command == "auth" else "imap.command"
            record_refusal(summary, code, f"{command.upper()} refusé"
                           + (f" : {summary['error']}" if summary.get("error") else ""))
        writer = _writer.get(None)
        ssl_obj = writer.get_extra_info("ssl_object") if writer is not None else None
        exchange = Exchange(
            session=session or (principal.session if principal else "default"), service="mss",
            operation=f"imap.{command}",
            started_at=started, duration_ms=(time.time() - started) * 1000, protocol="imap",
            caller=principal.caller if principal else Caller(kind="anonymous"), method=command.upper(),
            request_headers={"tls": "yes" if ssl_obj else "no", "tls_version": ssl_obj.version() if ssl_obj else ""},
            status=status, summary=summary)
        if session is None and principal is None and command != "auth":
            self.pending.append(exchange)  # CAPABILITY, STARTTLS...: the session is known at the login
            return
        self.flush(exchange.session)
        self.journal.submit(exchange)  # never block the IMAP loop on the commit

    def flush(self, session: str) -> None:
        """Journal the commands that preceded the login in the session of the login (or "default" when
        the connection ends without one)."""
        pending, self.pending = self.pending, []
        for exchange in pending:
            exchange.session = session
            self.journal.submit(exchange)

    async def do_authenticate(self, cmd: Any, creds: Any) -> CommandResponse:
        started = time.time()
        self.auth_recorded = True
        _principal.set(self.principals)
        mech = getattr(cmd, "mech_name", b"LOGIN").decode("ascii", "replace").upper()
        tls = bool(_writer.get(None) and _writer.get().get_extra_info("ssl_object"))
        try:
            response = await super().do_authenticate(cmd, creds)
        except Exception as exc:
            last = self.principals[-1] if self.principals and not self.principals[-1].address else None
            reason = last.caller.attributes.get("reason", "refused") if last else ("cleartext" if not tls else "refused")
            # refused before any principal (no STARTTLS, say): the session the client named in its login is
            # still the one judged, so that refusal is never lost in "default"
            self.record("auth", 400, started, {"mechanism": mech, "accepted": False, "reason": reason, "tls": tls,
                                               "error": str(exc)[:200]},
                        session=last.session if last else _claimed_session(creds))
            raise
        status = 200 if isinstance(response, ResponseOk) else 400
        principal = self.principals[-1] if self.principals else None
        self.record("auth", status, started, {
            "mechanism": mech, "accepted": status == 200, "tls": tls,
            "reason": "" if status == 200 else ("cleartext" if not tls else "mechanism"),
            "mailbox": principal.address if principal else "", "kind": principal.kind if principal else ""},
            session=None if any(p.address for p in self.principals) else _claimed_session(creds))
        return response

    async def _answer(self, cmd: Command) -> CommandResponse:
        """pymap's answer, with refused lines, too big literals and unexpected errors as tagged NO/BAD."""
        if isinstance(cmd, RefusedCommand):
            refusal = cmd.refusal
            code = ResponseCode.of(refusal.code) if refusal.code else None
            response: CommandResponse = (ResponseBad if refusal.bad else ResponseNo)(cmd.tag, refusal.text, code)
            if refusal.close:
                response.add_untagged(ResponseBye(b"Connection closed: input refused."))
            return response
        if isinstance(cmd, InvalidCommand) and cmd.parse_exc is not None and cmd.parse_exc.code is not None \
                and bytes(cmd.parse_exc.code) == b"[TOOBIG]":
            return ResponseNo(cmd.tag, b"Literal too big.", ResponseCode.of(b"TOOBIG"))
        try:
            return await super().do_command(cmd)
        except (ResponseError, CloseConnection, TimeoutError, asyncio.CancelledError, ConnectionError, EOFError):
            raise
        except Exception as exc:
            log.warning("IMAP %s failed: %r", cmd.command, exc, exc_info=exc)
            return ResponseNo(cmd.tag, cmd.command + b" failed.", ResponseCode.of(b"SERVERBUG"))

    async def do_namespace(self, cmd: Any) -> Any:
        session = self.session
        assert isinstance(session, MssSession), "this server's logins open MssSession"
        delimiter = session.mailbox_set.delimiter.encode()
        response = ResponseOk(cmd.tag, b"NAMESPACE completed.")
        response.add_untagged(UntaggedResponse(b'NAMESPACE (("" "' + delimiter + b'")) NIL NIL'))
        return response, None

    async def do_enable(self, cmd: Any) -> Any:
        response = ResponseOk(cmd.tag, b"ENABLE completed.")
        response.add_untagged(UntaggedResponse(b"ENABLED"))  # none of the enable-able extensions is implemented
        return response, None

    async def do_close(self, cmd: Any) -> Any:
        """RFC 9051 §6.4.1: CLOSE on a mailbox opened with EXAMINE expunges nothing and succeeds (pymap
        answered NO [READ-ONLY], which Jakarta Mail's Folder.close() turns into an exception)."""
        if self._selected is not None and self._selected.readonly:
            self._selected = None
            return ResponseOk(cmd.tag, b"CLOSE completed."), None
        return await super().do_close(cmd)

    async def do_unselect(self, cmd: Any) -> Any:
        """CLOSE without the expunge (RFC 3691)."""
        self._selected = None
        return ResponseOk(cmd.tag, b"UNSELECT completed."), None

    async def do_create(self, cmd: Any) -> Any:
        refusal = folder_name_refusal(cmd.mailbox)
        if refusal:
            return ResponseNo(cmd.tag, refusal, ResponseCode.of(b"CANNOT")), None
        return await super().do_create(cmd)

    async def do_rename(self, cmd: Any) -> Any:
        if cmd.from_mailbox == "INBOX":  # RFC 9051 §6.3.6 makes it special; MSSanté operators refuse it
            return ResponseNo(cmd.tag, b"Renaming INBOX is not supported.", ResponseCode.of(b"CANNOT")), None
        refusal = folder_name_refusal(cmd.to_mailbox)
        if refusal:
            return ResponseNo(cmd.tag, refusal, ResponseCode.of(b"CANNOT")), None
        return await super().do_rename(cmd)

    async def do_command(self, cmd: Command) -> CommandResponse:
        started = time.time()
        status = 500
        self.auth_recorded = False
        try:
            response = await self._answer(cmd)
            status = 200 if isinstance(response, ResponseOk) else (500 if response.is_bad else 400)
            return response
        except CloseConnection:  # LOGOUT ends the session this way: a normal answer (BYE + OK)
            status = 200 if cmd.command.upper() == b"LOGOUT" else 400
            raise
        except Exception:
            status = 400
            raise
        finally:
            name = cmd.command.decode("ascii", "replace").lower() if isinstance(cmd.command, bytes) else "unknown"
            if name == "login" and not self.auth_recorded:  # LOGINDISABLED: refused before do_authenticate
                tls = bool(_writer.get(None) and _writer.get().get_extra_info("ssl_object"))
                self.record("auth", status, started, {"mechanism": "LOGIN", "accepted": False, "tls": tls,
                                                      "reason": "cleartext" if not tls else "mechanism"})
            elif name != "authenticate":
                self.record(name, status, started, {})


def imap_lifecycle(store: MssStore, authenticator: MailAuthenticator, journal: Any, *, host: str, port: int,
                   tls_context: ssl.SSLContext | None, configure: str, app_plain_login: bool = True,
                   max_append_len: int = 25 * 1024 * 1024) -> AsyncServerThread:
    config = MssImapConfig(tls_context=tls_context, host=host, port=port, app_plain_login=app_plain_login,
                           max_append_len=max_append_len)
    login = MssLogin(config, store, authenticator)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, sock_info: SocketInfo) -> None:
        _writer.set(writer)
        state = MssConnectionState(login, config, journal)
        conn = MssIMAPConnection(config.commands, config, reader, writer, sock_info)
        current_connection.set(conn)
        try:
            await conn.run(state)
        except Exception:  # noqa: BLE001, S110 - pymap already answered BYE SERVERBUG; never kill the server
            pass
        finally:
            state.flush("default")
            writer.close()

    async def start(loop: asyncio.AbstractEventLoop) -> asyncio.base_events.Server:
        reader = ProxyProtocolReader(config.proxy_protocol)

        async def callback(r: asyncio.StreamReader, w: asyncio.StreamWriter, info: SocketInfo) -> None:
            async with AsyncExitStack() as stack:
                connection_exit.set(stack)
                await serve(r, w, info)

        store.listeners.append(DeliveryWaker(loop, login))
        return await asyncio.start_server(reader.get_callback(callback), host=host, port=port)

    return AsyncServerThread("imap", start, host=host, port=port, scheme="imap", configure=configure)
