"""Deprecated path, kept for one release: use `simulators.mss.server.delivery`."""

from simulators.mss.server.delivery import (  # noqa: F401
    Operator,
    OperatorOptions,
)

__all__ = ['Operator', 'OperatorOptions']
