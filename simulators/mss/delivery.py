"""Deprecated path, kept for one release: use `simulators.mss.server.delivery`."""

from simulators.mss.server.delivery import (
    Operator,
    OperatorOptions,
)

__all__ = ['Operator', 'OperatorOptions']
