"""Deprecated path, kept for one release: use `simulators.mss.server.imap_config`."""

from simulators.mss.server.imap_config import (
    MssImapConfig,
    OAuthBearerMechanism,
)

__all__ = ['MssImapConfig', 'OAuthBearerMechanism']
