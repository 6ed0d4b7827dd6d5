"""SMTP submission of the MSSanté operator (aiosmtpd): STARTTLS, XOAUTH2/OAUTHBEARER, EXTERNAL or PLAIN
for APP boxes (client certificate), DSN.

Protocol adapter only: routing, size, trust space and patient rules live in `delivery.Operator`.
AUTH is offered only after STARTTLS (RFC 3207/4954, mss.md §2.1); when the bench runs without TLS,
STARTTLS cannot be offered, so every AUTH — hence every submission — is refused (538). The RFC 3461
parameters (RET, ENVID on MAIL; NOTIFY, ORCPT on RCPT) are accepted and stripped before aiosmtpd
sees them. One `Exchange` is journalled per AUTH attempt and per mail transaction.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import binascii
import logging
import re
import time
from typing import Any

from aiosmtpd.smtp import AuthResult, Envelope, Session

from simulators.core.exchange import Caller, Exchange
from simulators.core.journal import JournalTicket
from simulators.core.refusal import record_refusal

from .aio import AsyncServerThread
from ..codec.mime import analyse_submission, parse_message
from .auth import AuthError, MailAuthenticator, Principal, oauth_failure_challenge, parse_oauthbearer, parse_xoauth2
from .delivery import Operator
from ..model import PATIENT_KIND, RecipientOutcome, Refusal
from ..rules import MES_LIMIT_BYTES
from .smtp_protocol import BARE_LF_REPLY, BareLineFeed, MssSMTP

log = logging.getLogger("socle_bench.mss.smtp")


class _LegacyLoginDataFilter(logging.Filter):
    """aiosmtpd itself sets the deprecated `Session.login_data` on every successful AUTH and warns
    about it; the warning says nothing about the bench or the DUI, so it is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


_AIOSMTPD_LOG = logging.getLogger("mail.log")
if not any(isinstance(f, _LegacyLoginDataFilter) for f in _AIOSMTPD_LOG.filters):
    _AIOSMTPD_LOG.addFilter(_LegacyLoginDataFilter())
BEARER_MECHANISMS = ("XOAUTH2", "OAUTHBEARER")
CALL_LIMITS = {"*": 100_000, "NOOP": 50, "HELO": 20, "EHLO": 20, "VRFY": 10, "EXPN": 10, "HELP": 20,
               "AUTH": 10, "STARTTLS": 3, "RSET": 1000}
_REPLY = re.compile(r"^(?P<code>[2-5][0-9]{2})(?:[ -](?P<enhanced>[2-5]\.[0-9]{1,3}\.[0-9]{1,3}))?")
FAULT_REPLIES = {"smtp_421": "421 4.3.2 Service temporairement indisponible (panne injectée)",
                 "smtp_451": "451 4.3.0 Erreur locale de traitement (panne injectée)",
                 "smtp_452": "452 4.3.1 Espace de stockage insuffisant (panne injectée)",
                 "smtp_554": "554 5.3.0 Transaction refusée (panne injectée)"}


class MssSmtpHandler:
    def __init__(self, operator: Operator, authenticator: MailAuthenticator, rt: Any) -> None:
        self.operator = operator
        self.auth = authenticator
        self.rt = rt

    # --- journal ----------------------------------------------------------------------------------
    def _record(self, server: MssSMTP, operation: str, status: int, reply: str, *, started: float,
                body: bytes = b"", summary: dict[str, Any] | None = None, caller: Caller | None = None,
                session: str | None = None, fault: str = "") -> JournalTicket:
        """Journal one exchange; the caller awaits `.committed()` before answering the client."""
        principal = server.principal
        ssl_obj = (server.session.ssl or {}).get("ssl_object") if server.session else None
        headers = {"tls": "yes" if ssl_obj else "no", "tls_version": ssl_obj.version() if ssl_obj else "",
                   "peer": str(server.session.peer if server.session else "")}
        summary = dict(summary or {})
        if status >= 500:  # a definitive SMTP refusal: recorded with its enhanced status code
            match = _REPLY.match(reply)
            code = f"smtp.{match['enhanced'] or match['code']}" if match else f"smtp.{status}"
            record_refusal(summary, code, reply, origin="injected" if fault else "dui")
        if operation == "auth" and not body:  # no secret: which attempt, from which connection
            body = f"AUTH {(summary or {}).get('mechanism', '')} depuis {headers['peer']}".encode()
        if server.envelope is not None and server.envelope.mail_from:
            headers.update(mail_from=server.envelope.mail_from, rcpt_to=",".join(server.envelope.rcpt_tos[:50]))
        return self.rt.journal.submit(Exchange(
            session=session or (principal.session if principal else "default"), service="mss", operation=operation,
            started_at=started, duration_ms=(time.time() - started) * 1000, protocol="smtp",
            caller=caller or (principal.caller if principal else Caller(kind="anonymous")), method=operation.upper(),
            request_headers=headers, request_body=body, status=status, response_body=reply.encode("utf-8", "replace"),
            summary=summary, fault=fault))

    # --- EHLO / AUTH ------------------------------------------------------------------------------
    async def handle_EHLO(self, server: MssSMTP, session: Session, envelope: Envelope, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", "250-DSN", "250-ENHANCEDSTATUSCODES", *responses[-1:]]

    async def _finish_auth(self, server: MssSMTP, method: str, attempt: Any, blob: bytes | None) -> AuthResult:
        started = time.time()
        tls = server._tls_protocol is not None
        try:
            if blob is None:
                raise AuthError("malformed", "réponse SASL absente ou base64 invalide")
            principal = await asyncio.to_thread(attempt, blob, tls)
        except Exception as exc:  # noqa: BLE001 - any verification failure is a refused login, never a 451
            if not isinstance(exc, AuthError):
                log.info("SMTP login refused on an unexpected verification error: %r", exc)
                exc = AuthError("invalid", "jeton ou certificat invalide")
            if method in BEARER_MECHANISMS and blob is not None and exc.reason != "cleartext":
                await server.push("334 " + base64.b64encode(oauth_failure_challenge(exc.reason)).decode())
                # RFC 7628 §3.2.3: the client answers the error challenge (a dummy ^A), then 535
                with contextlib.suppress(asyncio.LimitOverrunError, asyncio.IncompleteReadError, ValueError):
                    await server._reader.readuntil(b"\n")
            reply = f"535 5.7.8 Authentification refusée : {exc}"
            await self._record(server, "auth", 535, reply, started=started, session=exc.session or None, summary={
                "mechanism": method, "accepted": False, "reason": exc.reason, "tls": tls}).committed()
            return AuthResult(success=False, handled=False, message=reply)
        server.principal = principal
        await self._record(server, "auth", 235, "235 2.7.0", started=started, summary={
            "mechanism": principal.method if method == "PLAIN" else method, "accepted": True, "mailbox": principal.address, "kind": principal.kind, "tls": tls}).committed()
        return AuthResult(success=True, auth_data=principal)

    async def _initial(self, server: MssSMTP, args: list[str]) -> bytes | None:
        if len(args) > 1:
            try:
                return base64.b64decode(args[1], validate=True) if args[1] != "=" else b""
            except (binascii.Error, ValueError):
                return None
        blob = await server.challenge_auth("")
        return blob if isinstance(blob, bytes) else None

    async def auth_XOAUTH2(self, server: MssSMTP, args: list[str]) -> AuthResult:
        blob = await self._initial(server, args)

        def attempt(data: bytes, tls: bool) -> Principal:
            user, token = parse_xoauth2(data)
            return self.auth.bearer(user, token, method="XOAUTH2", tls=tls)
        return await self._finish_auth(server, "XOAUTH2", attempt, blob)

    async def auth_OAUTHBEARER(self, server: MssSMTP, args: list[str]) -> AuthResult:
        blob = await self._initial(server, args)

        def attempt(data: bytes, tls: bool) -> Principal:
            user, token = parse_oauthbearer(data)
            return self.auth.bearer(user, token, method="OAUTHBEARER", tls=tls)
        return await self._finish_auth(server, "OAUTHBEARER", attempt, blob)

    async def auth_PLAIN(self, server: MssSMTP, args: list[str]) -> AuthResult:
        """APP boxes only (`app_plain_login`): the client certificate authenticates, the password is ignored."""
        blob = await self._initial(server, args)
        ssl_obj = (server.session.ssl or {}).get("ssl_object") if server.session else None
        der = ssl_obj.getpeercert(binary_form=True) if ssl_obj is not None else None

        def attempt(data: bytes, tls: bool) -> Principal:
            if not self.operator.options.app_plain_login:
                raise AuthError("mechanism", "PLAIN désactivé : XOAUTH2 (jeton PSC) ou EXTERNAL (certificat)")
            parts = data.split(b"\0")
            if len(parts) != 3:
                raise AuthError("malformed", "réponse PLAIN mal formée")
            user = (parts[1] or parts[0]).decode("utf-8", "replace")
            principal = self.auth.certificate(user, der, tls=tls)
            principal.method = "PLAIN"
            return principal
        return await self._finish_auth(server, "PLAIN", attempt, blob)

    async def auth_EXTERNAL(self, server: MssSMTP, args: list[str]) -> AuthResult:
        blob = await self._initial(server, args)
        ssl_obj = (server.session.ssl or {}).get("ssl_object") if server.session else None
        der = ssl_obj.getpeercert(binary_form=True) if ssl_obj is not None else None

        def attempt(data: bytes, tls: bool) -> Principal:
            return self.auth.certificate(data.decode("utf-8", "replace"), der, tls=tls)
        return await self._finish_auth(server, "EXTERNAL", attempt, blob)

    # --- envelope ---------------------------------------------------------------------------------
    async def handle_MAIL(self, server: MssSMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        principal = server.principal
        assert principal is not None  # auth_required
        refusal = self.operator.check_sender(principal.address, address)
        if refusal:
            await self._record(server, "send", refusal.code, refusal.reply, started=time.time(),
                               summary={"refused_sender": address}).committed()
            return refusal.reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 Expéditeur accepté"

    async def handle_RCPT(self, server: MssSMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        principal = server.principal
        assert principal is not None
        if len(envelope.rcpt_tos) + len(server.refused) >= self.operator.options.max_recipients:
            return f"452 4.5.3 Trop de destinataires (maximum {self.operator.options.max_recipients})"
        params = server._pending_rcpt
        notify = tuple(n.strip().upper() for n in params.get("NOTIFY", "").split(",") if n.strip())
        sender = self.operator.store.mailbox(principal.session, principal.address)
        if sender is None:
            refusal: Refusal | None = Refusal(550, "5.7.1", "Boîte de l'expéditeur supprimée")
        elif sender.kind == PATIENT_KIND:  # thread lookup hits the database
            refusal = await asyncio.to_thread(self.operator.check_recipient, principal.session, sender, address)
        else:  # in-memory mailbox registry only: no thread hop per RCPT
            refusal = self.operator.check_recipient(principal.session, sender, address)
        outcome = RecipientOutcome(address, False, refusal, notify=notify, orcpt=params.get("ORCPT", ""))
        if refusal:
            server.refused.append(outcome)
            return refusal.reply
        envelope.rcpt_tos.append(address)
        server.rcpt_params[address] = params
        server.accepted.append(outcome)
        return "250 2.1.5 Destinataire accepté"

    # --- DATA -------------------------------------------------------------------------------------
    async def handle_DATA(self, server: MssSMTP, session: Session, envelope: Envelope) -> str:
        principal = server.principal
        assert principal is not None
        started = server.transaction_started or time.time()
        raw = envelope.original_content or b""
        accepted, server.accepted = server.accepted, []
        refused, server.refused = server.refused, []
        decision = self.rt.faults.decide(principal.session, "mss", "send")
        if decision.latency_s:
            await asyncio.sleep(decision.latency_s)
        if decision.action in ("fault", "error"):
            reply = FAULT_REPLIES.get(decision.fault, FAULT_REPLIES["smtp_451"])
            await self._record(server, "send", int(reply[:3]), reply, started=started, body=raw,
                               summary={"fault": decision.label}, fault=decision.label).committed()
            return reply
        sender = self.operator.store.mailbox(principal.session, principal.address)
        envid = server.mail_params.get("ENVID", "")

        def process() -> tuple[dict[str, Any], list[RecipientOutcome]]:  # one worker-thread hop, one MIME parse
            try:
                msg = parse_message(raw)
                summary = analyse_submission(raw, msg, hand_over=self.rt.journal.live_checker is not None)
            except RecursionError:  # thousands of nested multiparts: refuse for good, never retry
                refusal = Refusal(554, "5.6.0", "Message mal formé : imbrication MIME excessive")
                for outcome in accepted:
                    outcome.refusal = refusal
                return {"problems": [refusal.text]}, accepted + refused
            if sender is None:
                return summary, accepted + refused
            outcomes = self.operator.accept(principal.session, sender, envelope.mail_from or "", accepted, raw,
                                            envelope_id=envid, arrival=started, msg=msg, summary=summary)
            return summary, outcomes + refused  # RCPT refusals: answered 5xx already, journalled, no DSN
        summary, outcomes = await asyncio.to_thread(process)
        delivered = [o for o in outcomes if o.delivered]
        if delivered:
            reply = f"250 2.0.0 Message accepté pour {len(delivered)} destinataire(s)"
        else:
            first = next((o.refusal for o in outcomes if o.refusal), None) or Refusal(554, "5.5.0", "Aucun destinataire")
            reply = first.reply
        summary.update(mail_from=envelope.mail_from, size=len(raw), recipients=[o.to_json() for o in outcomes],
                       mailbox_kind=principal.kind, auth=principal.method, envid=server.mail_params.get("ENVID", ""),
                       ret=server.mail_params.get("RET", ""), patient_limit=MES_LIMIT_BYTES)
        await self._record(server, "send", int(reply[:3]), reply, started=started, body=raw, summary=summary).committed()
        return reply

    def flush_refusals(self, server: MssSMTP) -> None:
        """A transaction ended before DATA with refused recipients: journal it. No failure DSN: the 5xx
        reply to RCPT already told the client (a DSN would tell the DUI twice)."""
        principal, envelope = server.principal, server.envelope
        refused, server.refused = server.refused, []
        if principal is None or envelope is None or not envelope.mail_from or not refused:
            return
        first = refused[0].refusal
        self._record(server, "send", first.code if first else 550, first.reply if first else "550", started=time.time(),
                     summary={"mail_from": envelope.mail_from, "recipients": [o.to_json() for o in refused[:100]],
                              "stage": "rcpt"})

    async def handle_exception(self, error: Exception) -> str:
        if isinstance(error, BareLineFeed):
            return BARE_LF_REPLY
        log.warning("SMTP handler error: %r", error, exc_info=error)
        return "451 4.3.0 Erreur interne temporaire de l'opérateur"


def smtp_factory(handler: MssSmtpHandler, *, tls_context: Any, data_size_limit: int, hostname: str):
    def build() -> MssSMTP:
        # STARTTLS is made mandatory through AUTH (538 in clear text) and AUTH through MAIL (530), rather
        # than aiosmtpd's require_starttls, whose 530 happens before any hook and could not be journalled.
        return MssSMTP(handler, tls_context=tls_context, require_starttls=False,
                       auth_required=True, auth_require_tls=True, auth_exclude_mechanism=["LOGIN"],
                       data_size_limit=data_size_limit, hostname=hostname, enable_SMTPUTF8=True,
                       command_call_limit=CALL_LIMITS, timeout=120,
                       ident="socle-bench MSSanté ESMTP (STARTTLS obligatoire)")
    return build


def smtp_lifecycle(handler: MssSmtpHandler, *, host: str, port: int, tls_context: Any, data_size_limit: int,
                   hostname: str, configure: str) -> AsyncServerThread:
    build = smtp_factory(handler, tls_context=tls_context, data_size_limit=data_size_limit, hostname=hostname)

    async def start(loop: asyncio.AbstractEventLoop) -> asyncio.base_events.Server:
        return await loop.create_server(build, host=host, port=port)
    return AsyncServerThread("smtp", start, host=host, port=port, scheme="smtp", configure=configure)
