"""Deprecated path, kept for one release: use `simulators.mss.server.smtp_protocol`."""

from simulators.mss.server.smtp_protocol import (  # noqa: F401
    BARE_LF_REPLY,
    BareLineFeed,
    CrlfStreamReader,
    MssSMTP,
)

__all__ = ['BARE_LF_REPLY', 'BareLineFeed', 'CrlfStreamReader', 'MssSMTP']
