"""Deprecated path, kept for one release: use `simulators.mss.server.imap_bodystructure`."""

from simulators.mss.server.imap_bodystructure import (
    Disposition,
    FixedContent,
    FixedMessage,
    FixedMultipart,
    FixedText,
    StoreLoadedMessage,
)

__all__ = [
    "Disposition", "FixedContent", "FixedMessage", "FixedMultipart", "FixedText",
    "StoreLoadedMessage",
]
