"""Deprecated path, kept for one release: use `simulators.mss.server.auth`."""

from simulators.mss.server.auth import (
    AuthError,
    MailAuthenticator,
    OAUTHBEARER_RE,
    Principal,
    claimed_session,
    oauth_failure_challenge,
    parse_oauthbearer,
    parse_xoauth2,
    split_login,
)

__all__ = [
    "OAUTHBEARER_RE",
    "AuthError",
    "MailAuthenticator",
    "Principal",
    "claimed_session",
    "oauth_failure_challenge",
    "parse_oauthbearer",
    "parse_xoauth2",
    "split_login",
]
