"""Deprecated path, kept for one release: use `simulators.dmp.factory:SERVICE` (the `dmp` entry point).

`DmpSimulator` is that `ServiceDefinition`: `DmpSimulator()` returns it, `DmpSimulator()(runtime)`
builds the servers as before.
"""

from __future__ import annotations

from simulators.dmp.factory import SERVICE

DmpSimulator = SERVICE

__all__ = ["DmpSimulator"]
