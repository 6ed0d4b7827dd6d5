"""pymap configuration of the operator's IMAP: mechanisms offered before/after STARTTLS, capabilities.

Before STARTTLS nothing is offered (mss.md §2.1), even to loopback clients; after it XOAUTH2,
OAUTHBEARER (RFC 7628, written here: pysasl only has XOAUTH2), EXTERNAL and, for APP boxes whose
certificate authenticates, PLAIN (LOGIN).
"""

from __future__ import annotations

import ssl
from argparse import Namespace
from collections.abc import Sequence
from secrets import token_bytes
from typing import Any

from pymap.config import BackendCapability, IMAPConfig
from pymap.parsing.commands import Commands
from pysasl import SASLAuth
from pysasl.creds.external import ExternalCredentials
from pysasl.mechanism import ChallengeResponse, ServerChallenge, ServerMechanism
from pysasl.mechanism.external import ExternalMechanism
from pysasl.mechanism.oauth import OAuth2Mechanism
from pysasl.mechanism.plain import PlainMechanism

from .auth import AuthError, parse_oauthbearer
from .imap_extensions import CAPABILITIES, EXTRA_COMMANDS


class OAuthBearerMechanism(ServerMechanism):
    """RFC 7628 OAUTHBEARER (pysasl has only XOAUTH2); credentials carry (user, token) like XOAUTH2."""

    def __init__(self) -> None:
        super().__init__(b"OAUTHBEARER")

    def server_attempt(self, responses: Sequence[ChallengeResponse]) -> tuple[ExternalCredentials, None]:
        if not responses:
            raise ServerChallenge(b"")
        try:
            user, token = parse_oauthbearer(responses[0].response)
        except AuthError:
            return ExternalCredentials("", "malformed"), None
        return ExternalCredentials(user, token), None


class MssImapConfig(IMAPConfig):
    def __init__(self, *, tls_context: ssl.SSLContext | None, host: str, port: int,
                 app_plain_login: bool = True, max_append_len: int = 25 * 1024 * 1024) -> None:
        self.app_plain_login = app_plain_login
        args = Namespace(passlib_cfg=None, debug=False, proxy_protocol=None, inherited_sockets=None)
        super().__init__(args, host=host, port=port, ssl_context=tls_context or ssl.create_default_context(),
                         tls_enabled=tls_context is not None, admin_key=token_bytes(), reject_dnsbl=False,
                         bad_command_limit=10, max_append_len=max_append_len, invalid_user_sleep=0.0)

    @property
    def commands(self) -> Commands:
        """pymap's commands plus NAMESPACE, ENABLE, UNSELECT (built once: pymap builds one per access)."""
        cached = getattr(self, "_mss_commands", None)
        if cached is None:
            cached = Commands()
            for command in EXTRA_COMMANDS:
                cached.register(command)
            self._mss_commands = cached
        return cached

    @property
    def initial_capability(self) -> Sequence[bytes]:
        return [*super().initial_capability, b"SASL-IR"]

    @property
    def login_capability(self) -> Sequence[bytes]:
        return [*super().login_capability, *CAPABILITIES]

    @property
    def backend_capability(self) -> BackendCapability:
        return BackendCapability(idle=True, object_id=False, multi_append=True)

    @property
    def initial_auth(self) -> SASLAuth:
        return SASLAuth([])

    @property
    def tls_auth(self) -> SASLAuth:
        if not self._tls_enabled:
            return SASLAuth([])
        mechanisms: list[Any] = [OAuth2Mechanism(), OAuthBearerMechanism(), ExternalMechanism()]
        if self.app_plain_login:
            mechanisms.append(PlainMechanism())
        return SASLAuth(mechanisms)

    @property
    def greeting(self) -> bytes:
        return b"socle-bench MSSante IMAP4rev1 (STARTTLS obligatoire)"
