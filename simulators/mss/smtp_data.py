"""Deprecated path, kept for one release: use `simulators.mss.server.smtp_data`."""

from simulators.mss.server.smtp_data import (
    CHUNK,
    DataResult,
    TERMINATOR,
    read_data,
)

__all__ = ['CHUNK', 'TERMINATOR', 'DataResult', 'read_data']
