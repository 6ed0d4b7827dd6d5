"""Deprecated path, kept for one release: use `simulators.mss.server.imap`."""

from simulators.mss.server.imap import (
    MssConnectionState,
    MssIdentity,
    MssLogin,
    MssSession,
    imap_lifecycle,
)

__all__ = ['MssConnectionState', 'MssIdentity', 'MssLogin', 'MssSession', 'imap_lifecycle']
