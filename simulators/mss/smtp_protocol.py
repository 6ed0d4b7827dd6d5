"""Deprecated path, kept for one release: use `simulators.mss.server.smtp_protocol`."""

from simulators.mss.server.smtp_protocol import (
    BARE_LF_REPLY,
    BareLineFeed,
    CrlfStreamReader,
    MssSMTP,
)

__all__ = ['BARE_LF_REPLY', 'BareLineFeed', 'CrlfStreamReader', 'MssSMTP']
