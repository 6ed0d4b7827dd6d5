"""Deprecated path, kept for one release: use `simulators.mss.server.imap_extensions`."""

from simulators.mss.server.imap_extensions import (
    CAPABILITIES,
    EXTRA_COMMANDS,
    EnableCommand,
    NamespaceCommand,
    SPECIAL_USE,
    SaslIrAuthenticateCommand,
    UnselectCommand,
    special_use_attributes,
)

__all__ = [
    "CAPABILITIES",
    "EXTRA_COMMANDS",
    "SPECIAL_USE",
    "EnableCommand",
    "NamespaceCommand",
    "SaslIrAuthenticateCommand",
    "UnselectCommand",
    "special_use_attributes",
]
