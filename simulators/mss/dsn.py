"""Deprecated path, kept for one release: use `simulators.mss.codec.dsn`."""

from simulators.mss.codec.dsn import (
    ACTIONS,
    DsnRecipient,
    DsnReport,
    build_dsn,
    is_dsn,
    parse_dsn,
)

__all__ = ['ACTIONS', 'DsnRecipient', 'DsnReport', 'build_dsn', 'is_dsn', 'parse_dsn']
