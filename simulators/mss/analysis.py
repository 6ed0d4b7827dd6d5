"""Deprecated path, kept for one release: use `simulators.mss.codec.mime`."""

from simulators.mss.codec.mime import (
    HEADERS_KEPT,
    MAX_PARTS,
    REPORT_BODIES,
    XDM_NAME_RE,
    analyse_message,
    analyse_xdm,
    parse_message,
)

__all__ = [
    "HEADERS_KEPT", "MAX_PARTS", "REPORT_BODIES", "XDM_NAME_RE", "analyse_message", "analyse_xdm",
    "parse_message",
]
