"""Deprecated path, kept for one release: use `simulators.mss.server.aio`."""

from simulators.mss.server.aio import (  # noqa: F401
    AsyncServerThread,
    ServerFactory,
)

__all__ = ['AsyncServerThread', 'ServerFactory']
