"""Deprecated path, kept for one release: use `simulators.mss.server.smtp_replies`."""

from simulators.mss.server.smtp_replies import (
    DEFAULT_ENHANCED,
    NO_ENHANCED,
    ascii_text,
    enhance,
)

__all__ = ['DEFAULT_ENHANCED', 'NO_ENHANCED', 'ascii_text', 'enhance']
