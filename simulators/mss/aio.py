"""Deprecated path, kept for one release: use `simulators.mss.server.aio`."""

from simulators.mss.server.aio import (
    AsyncServerThread,
    ServerFactory,
)

__all__ = ['AsyncServerThread', 'ServerFactory']
