"""Deprecated path, kept for one release: use `simulators.mss.server.imap_connection`."""

from simulators.mss.server.imap_connection import (
    DISCARD_LIMIT,
    LineRefused,
    MssIMAPConnection,
    PREAUTH_LITERAL_LIMIT,
    RefusedCommand,
    current_connection,
)

__all__ = [
    "DISCARD_LIMIT",
    "PREAUTH_LITERAL_LIMIT",
    "LineRefused",
    "MssIMAPConnection",
    "RefusedCommand",
    "current_connection",
]
